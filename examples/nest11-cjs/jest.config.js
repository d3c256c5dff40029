/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // jose 6, which nest-workos-reauth verifies tokens with, ships only ES modules. Node >= 20.19
    // require()s them natively, but Jest's module loader cannot: compile jose to CommonJS too.
    '^.+/node_modules/jose/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true } },
    ],
  },
  // Jest leaves node_modules untransformed by default; let jose through to the transform above.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
