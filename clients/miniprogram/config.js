// Where the API is. The tests point it at the live server `.ci/run` starts (NUANXIN_URL);
// a release build uses the city's address (WeChat needs it on the mini-program's list of
// request domains).
const fromTests = typeof process !== 'undefined' && process.env && process.env.NUANXIN_URL;

module.exports = {
  baseUrl: fromTests || 'https://nuanxin.xuchang.gov.cn',
  // The subscription-message templates chosen in the WeChat admin console, per kind of
  // reminder (the server is configured with the same ids: NUANXIN_WECHAT_TEMPLATE_*).
  templates: {
    ALLOWANCE_PAID: 'tmpl-allowance-paid',
    VISIT_SCHEDULED: 'tmpl-visit-scheduled',
    REQUEST_ANSWERED: 'tmpl-request-answered',
  },
};
