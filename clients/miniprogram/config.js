// Where the API is. The tests point it at the live server `.ci/run` starts (NUANXIN_URL);
// a release build uses the city's address (WeChat needs it on the mini-program's list of
// request domains).
const fromTests = typeof process !== 'undefined' && process.env && process.env.NUANXIN_URL;

module.exports = {
  baseUrl: fromTests || 'https://nuanxin.xuchang.gov.cn',
};
