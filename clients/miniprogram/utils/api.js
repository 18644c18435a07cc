// The transport, and the only way the mini-program reaches the API: a persisted operation,
// named by the SHA-256 of its .graphql file (operations/index.js), never a document typed
// here. Pages call through utils/client.js, which signs in again when a token runs out.
const HASHES = require('../operations/index.js');
const config = require('../config.js');

class ApiError extends Error {
  constructor(error) {
    super((error && error.message) || '出了点问题，请稍后再试');
    const ext = (error && error.extensions) || {};
    this.code = ext.code || 'UNKNOWN';
    this.field = ext.field;
  }
}

function post(name, variables, token) {
  const hash = HASHES[name];
  if (!hash) return Promise.reject(new ApiError({ message: `unknown operation ${name}` }));
  return new Promise((resolve, reject) => {
    const header = { 'content-type': 'application/json', 'accept-language': 'zh-CN' };
    if (token) header.authorization = `Bearer ${token}`;
    wx.request({
      url: `${config.baseUrl}/graphql`,
      method: 'POST',
      header,
      timeout: 10000,
      data: {
        operationName: name,
        variables: variables || {},
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      },
      success(res) {
        const body = res.data || {};
        if (body.errors && body.errors.length) reject(new ApiError(body.errors[0]));
        else if (!body.data) reject(new ApiError({ message: '服务暂时不可用，请稍后再试' }));
        else resolve(body.data);
      },
      fail() {
        reject(new ApiError({ message: '网络不通，请检查网络后再试', extensions: { code: 'NETWORK' } }));
      },
    });
  });
}

/** Runs operation `name` with no token (sign-in and binding). */
function anonymous(name, variables) {
  return post(name, variables, null);
}

module.exports = { post, anonymous, ApiError };
