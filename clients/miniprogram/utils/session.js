// Who is signed in: our access token and who it speaks for, kept in the mini-program's
// storage. Signing in is wx.login's code exchanged by the server (the WeChat session key
// never reaches the phone); an unbound user gets a ticket to bind with.
const api = require('./api.js');

const KEY = 'nuanxin.session';

function current() {
  return wx.getStorageSync(KEY) || null;
}

function token() {
  const s = current();
  return s ? s.accessToken : null;
}

function keep(payload) {
  wx.setStorageSync(KEY, {
    accessToken: payload.accessToken,
    kind: payload.me.kind,
    id: payload.me.id,
    familyId: payload.me.familyId,
  });
  return current();
}

function wxCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new api.ApiError({ message: '微信登录没有成功，请再试一次' }))),
      fail: () => reject(new api.ApiError({ message: '微信登录没有成功，请再试一次' })),
    });
  });
}

/** Signs in: `{ bound: true, session }`, or `{ bound: false, ticket }` to bind with. */
async function signIn() {
  const code = await wxCode();
  const data = await api.anonymous('WxLogin', { code });
  const r = data.wxLogin;
  if (r.bound) return { bound: true, session: keep(r) };
  wx.removeStorageSync(KEY);
  return { bound: false, ticket: r.bindingTicket };
}

async function bindWithCode(ticket, bindingCode) {
  const data = await api.anonymous('BindWechat', { ticket, bindingCode });
  return keep(data.bindWechat);
}

async function bindWithPhone(ticket, phoneCode) {
  const data = await api.anonymous('BindWechatByPhone', { ticket, phoneCode });
  return keep(data.bindWechatByPhone);
}

/** The first page of who is signed in. */
function homeOf(session) {
  return session && session.kind === 'VOLUNTEER' ? '/pages/visits/visits' : '/pages/home/home';
}

module.exports = { current, token, signIn, bindWithCode, bindWithPhone, homeOf };
