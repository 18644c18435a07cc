// 紧急呼叫: one big button. Pressed again while the call is open, it is the same call.
const client = require('../../utils/client.js');

Component({
  data: { busy: false, called: false, status: '', error: '' },
  methods: {
    async press() {
      this.setData({ busy: true, error: '' });
      try {
        const data = await client.call('PressEmergencyButton', {});
        const c = data.raiseEmergencyCall;
        this.setData({
          called: true,
          status: `已经呼叫${c.levelText}的工作人员（${c.stateText}），请保持电话畅通`,
        });
        if (wx.vibrateLong) wx.vibrateLong();
      } catch (e) {
        this.setData({ error: `${e.message}。如果情况危急，请直接拨打 120 或 110` });
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
