/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // The Temporal native runtime keeps a handle open after tests finish.
  setupFiles: ['<rootDir>/tests/setup.ts'],
  forceExit: true,
  testTimeout: 60000,
  // Two cores: integration suites start their own Temporal dev servers and databases.
  maxWorkers: 2,
};
