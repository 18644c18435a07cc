// 我的家庭: who is in the family file and what each is owed this month, with the reason
// in words; the ways to the allowance history, asking for help and the emergency button.
const api = require('../../utils/api.js');
const session = require('../../utils/session.js');
const format = require('../../utils/format.js');

Component({
  data: { loading: true, error: '', region: '', members: [], month: '' },
  methods: {
    async onLoad() {
      const s = session.current();
      if (!s || !s.familyId) {
        wx.reLaunch({ url: '/pages/login/login' });
        return;
      }
      const month = format.chinaMonth();
      try {
        const data = await api.call('MyFamily', { id: s.familyId, month });
        const f = data.family;
        this.setData({
          loading: false,
          month: format.month(month),
          region: f.regionName || '',
          members: f.members.map((m) => ({
            id: m.id,
            name: m.name,
            amount: m.entitlement.entitled ? format.yuan(m.entitlement.amountFen) : '本月没有补助',
            why: m.entitlement.explanation || m.entitlement.reason || '',
          })),
        });
      } catch (e) {
        this.setData({ loading: false, error: e.message });
      }
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url });
    },
  },
});
