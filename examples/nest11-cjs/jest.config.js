/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // The testing kit starts authkit-emulator, which signs tokens with jose 6: ES modules only.
    // Node >= 20.19 require()s them natively, but Jest's module loader cannot: compile jose to
    // CommonJS too. (nest-workos-reauth itself no longer loads jose.)
    '^.+/node_modules/jose/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true } },
    ],
  },
  // Jest leaves node_modules untransformed by default; let jose through to the transform above.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
