module.exports = {
  testEnvironment: 'jsdom',
  testTimeout: 30000,
  roots: ['<rootDir>/test'],
};
