// 我的家庭: who is in the family file and what each is owed this month, with the reason
// in words; the ways to the allowance history, asking for help and the emergency button.
const client = require('../../utils/client.js');
const session = require('../../utils/session.js');
const format = require('../../utils/format.js');
const config = require('../../config.js');

Component({
  data: { loading: true, error: '', region: '', members: [], month: '', reminders: '' },
  methods: {
    async onLoad() {
      const s = session.current();
      if (!s || !s.familyId) {
        wx.reLaunch({ url: '/pages/login/login' });
        return;
      }
      const month = format.chinaMonth();
      try {
        const data = await client.call('MyFamily', { id: s.familyId, month });
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
    // 消息提醒: WeChat asks the user, template by template; only what they accepted is
    // told to the server (each acceptance lets one message through).
    askForReminders() {
      const kinds = Object.keys(config.templates);
      const ids = kinds.map((k) => config.templates[k]);
      return new Promise((resolve) => {
        wx.requestSubscribeMessage({
          tmplIds: ids,
          success: async (res) => {
            const accepted = kinds.filter((k) => res[config.templates[k]] === 'accept');
            if (accepted.length === 0) {
              this.setData({ reminders: '没有开启提醒，以后可以再开' });
              return resolve();
            }
            try {
              await client.call('AcceptNotices', { kinds: accepted });
              this.setData({ reminders: `已开启 ${accepted.length} 项提醒：补助到账、走访安排或诉求答复时会通知您` });
            } catch (e) {
              this.setData({ reminders: e.message });
            }
            resolve();
          },
          fail: () => {
            this.setData({ reminders: '没有开启提醒，以后可以再开' });
            resolve();
          },
        });
      });
    },
  },
});
