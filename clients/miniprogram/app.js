// 暖心行动: the families' and volunteers' mini-program. Every page is a Component (so that
// WeChat's component test tool renders it in the tests); the API is reached only through
// utils/api.js and persisted operations.
App({});
