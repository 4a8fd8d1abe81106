// Unit and integration tests of every project (end-to-end tests have their own config).
const { jestModuleNameMapper, swcOptions } = require('./tools/paths.cjs');
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }] };
const project = (name, roots) => ({
  displayName: name,
  testEnvironment: 'node',
  roots,
  testMatch: ['**/*.spec.ts'],
  transform,
  moduleNameMapper: jestModuleNameMapper(),
});
module.exports = {
  projects: [
    project('protocol', ['<rootDir>/libs/protocol']),
    project('chat-client', ['<rootDir>/libs/chat-client']),
    project('cobrowse-viewer', ['<rootDir>/libs/cobrowse-viewer']),
    project('media-client', ['<rootDir>/libs/media-client']),
    project('doc-fixtures', ['<rootDir>/libs/doc-fixtures']),
    project('config-env', ['<rootDir>/libs/config-env']),
    project('cobrowse-snippet', ['<rootDir>/libs/cobrowse-snippet']),
    project('backend', ['<rootDir>/backend']),
    project('sfu', ['<rootDir>/sfu']),
    project('proxy-worker', ['<rootDir>/proxy-worker']),
    project('bench', ['<rootDir>/tools/bench']),
  ],
};
