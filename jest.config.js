/** Jest runs the TypeScript sources through SWC (CommonJS), with no build step. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(node-telegram-bot-api)/)'],
  testTimeout: 60000,
  maxWorkers: 2,
};
