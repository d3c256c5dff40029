// Builds the browser helper the demo serves, exactly as `npm run build:client` does, so the
// browser suites use the current source.
const { buildSync } = require('esbuild');

module.exports = () => {
  buildSync({
    entryPoints: ['libs/reauth-client/src/index.ts'],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    sourcemap: true,
    outfile: 'libs/reauth-client/dist/step-up-fetch.js',
    logLevel: 'warning',
  });
};
