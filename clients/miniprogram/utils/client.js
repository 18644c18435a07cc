// What pages call: operation `name` as the signed-in user. A token that has run out is
// renewed once with wx.login (a bound user signs straight back in).
const api = require('./api.js');
const session = require('./session.js');

async function call(name, variables) {
  try {
    return await api.post(name, variables, session.token());
  } catch (e) {
    if (e.code !== 'UNAUTHENTICATED') throw e;
    const again = await session.signIn();
    if (!again.bound) throw e;
    return api.post(name, variables, session.token());
  }
}

module.exports = { call };
