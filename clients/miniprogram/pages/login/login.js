// 登录: wx.login, then straight in for a bound user; an unbound one binds once, with the
// code on the slip a worker printed, or with the phone number on file (WeChat proves it).
const session = require('../../utils/session.js');

Component({
  data: { stage: 'signing-in', ticket: '', code: '', error: '', busy: false },
  methods: {
    onLoad() {
      return this.signIn();
    },
    async signIn() {
      this.setData({ stage: 'signing-in', error: '' });
      try {
        const r = await session.signIn();
        if (r.bound) return this.enter(r.session);
        this.setData({ stage: 'bind', ticket: r.ticket });
      } catch (e) {
        this.setData({ stage: 'failed', error: e.message });
      }
    },
    enter(s) {
      this.setData({ stage: 'done' });
      wx.reLaunch({ url: session.homeOf(s) });
    },
    onCodeInput(e) {
      this.setData({ code: e.detail.value, error: '' });
    },
    async bindWithCode() {
      if (!this.data.code.trim()) {
        this.setData({ error: '请输入绑定单上的绑定码' });
        return;
      }
      await this.bind(() => session.bindWithCode(this.data.ticket, this.data.code));
    },
    async onGetPhoneNumber(e) {
      const code = e.detail && e.detail.code;
      if (!code) {
        this.setData({ error: '没有拿到手机号授权，可以改用绑定码' });
        return;
      }
      await this.bind(() => session.bindWithPhone(this.data.ticket, code));
    },
    async bind(how) {
      this.setData({ busy: true, error: '' });
      try {
        this.enter(await how());
      } catch (e) {
        // A ticket that ran out: sign in with WeChat again for a fresh one.
        if (e.code === 'UNAUTHENTICATED') return this.signIn();
        this.setData({ error: e.message });
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
