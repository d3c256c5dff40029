/** @type {import('jest').Config} */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // jose 6, oauth4webapi and the content-disposition 3 of @fastify/static (which Mercurius
    // loads) ship ES modules only; Node >= 20.19 requires them natively, Jest needs them compiled.
    '^.+/node_modules/(jose|oauth4webapi|@fastify/static/node_modules/content-disposition)/.+\\.js$':
      ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|oauth4webapi)/|@fastify/static/node_modules/content-disposition/)(?<!@fastify/static/node_modules/)',
  ],
  moduleNameMapper: {
    ...pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
    // The browser helper is an ES module package: its relative imports name the emitted `.js`.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  rootDir: __dirname,
};

module.exports = {
  globalSetup: '<rootDir>/jest.global-setup.js',
  rootDir: __dirname,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
