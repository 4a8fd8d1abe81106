// End-to-end tests: real backend processes, real PostgreSQL (embedded), real Chromium.
const path = require('node:path');
const { jestModuleNameMapper, swcOptions } = require('../../tools/paths.cjs');
module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/frontend/desk-e2e/src'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }] },
  moduleNameMapper: jestModuleNameMapper(),
  globalSetup: '<rootDir>/frontend/desk-e2e/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/frontend/desk-e2e/src/support/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
