// The parts of `wx` the pages use, for the tests: `wx.request` goes over real HTTP to the
// live server (NUANXIN_URL), `wx.login` answers with a login code of the server's WeChat
// stand-in, storage is a map, and page navigation is recorded.
const http = require('http');

const state = { storage: new Map(), navigations: [], openid: 'test-user', logins: 0, subscribe: {} };

function request({ url, method, header, data, success, fail }) {
  const body = JSON.stringify(data || {});
  const req = http.request(url, { method: method || 'GET', headers: { ...header, 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { text += c; });
    res.on('end', () => {
      let parsed = text;
      try { parsed = JSON.parse(text); } catch (_) { /* WeChat hands over the text as is */ }
      success && success({ statusCode: res.statusCode, data: parsed, header: res.headers });
    });
  });
  req.on('error', (e) => fail && fail({ errMsg: `request:fail ${e.message}` }));
  req.end(body);
}

function install() {
  global.wx = {
    request,
    login({ success }) {
      state.logins += 1;
      success({ code: `standin:${state.openid}:${state.logins}` });
    },
    getStorageSync: (k) => (state.storage.has(k) ? state.storage.get(k) : ''),
    setStorageSync: (k, v) => state.storage.set(k, v),
    removeStorageSync: (k) => state.storage.delete(k),
    reLaunch: ({ url }) => state.navigations.push(url),
    navigateTo: ({ url }) => state.navigations.push(url),
    getLocation: ({ success }) => success({ latitude: 34.02345, longitude: 113.85213 }),
    vibrateLong: () => {},
    // The user's answer to the subscription prompt: set per test in state.subscribe.
    requestSubscribeMessage: ({ tmplIds, success }) => {
      const answers = {};
      for (const id of tmplIds) answers[id] = state.subscribe[id] || 'reject';
      success({ errMsg: 'requestSubscribeMessage:ok', ...answers });
    },
  };
}

/** A new WeChat user: their own openid and an empty phone. */
function newUser(openid) {
  state.openid = openid;
  state.storage.clear();
  state.navigations.length = 0;
}

module.exports = { install, newUser, state };
