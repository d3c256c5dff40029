// The adopter suite (npm run test:adopters): builds and packs the packages, installs them in the
// examples/ apps copied outside the repository, and checks those apps on Node 20, 22 and 24.
// Slow (installs from the registry), so it runs alone, in band, after the main suite.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/adopters/**/*.adopter-spec.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // One file at a time in this process: the checks start servers and share the npm cache.
  maxWorkers: 1,
  // Installs, compiles and child test runs: minutes, not seconds.
  testTimeout: 10 * 60_000,
  slowTestThreshold: 60,
};
