// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * One layering rule: files under `files` may not import specifiers matching `regex`. Each block
 * repeats the root-import rule, since a later `no-restricted-imports` replaces an earlier one.
 */
function layer(files, regex, message) {
  return [
    {
      files: [files],
      ignores: ['**/*.spec.ts', '**/*.spec.helper.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [
              { name: 'nest-workos-reauth', message: 'import the file itself, not the package' },
            ],
            patterns: [
              { regex, message },
              {
                regex: '^(\\.|\\.\\.(/\\.\\.)*)(/index)?$',
                message:
                  'import the file itself, not a barrel above this folder or the package root',
              },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'examples/**',
      'coverage/**',
      'node_modules/**',
      'artifacts/**',
      '**/*.config.js',
      'jest.global-setup.js',
      'eslint.config.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The package root is the public API, locked by a report: internal code never goes
    // through it, so an internal import cannot pin an export (or load a cycle through it).
    files: ['libs/reauth/src/**/*.ts'],
    // The testing entry names the main entry's types by the package's name (a type-only import),
    // so that its API report refers to them instead of copying them.
    ignores: ['**/*.spec.ts', 'libs/reauth/src/testing/reauth-test-kit.interfaces.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'nest-workos-reauth', message: 'import the file itself, not the package' },
          ],
          patterns: [
            {
              regex: '^(\\.|\\.\\.(/\\.\\.)*)(/index)?$',
              message: 'import the file itself, not a barrel above this folder or the package root',
            },
          ],
        },
      ],
    },
  },
  // Layering of nest-workos-reauth, as rules: arrows point down, toward core/ and crypto/.
  // Each block names the folders one layer may not reach, and why. Tests are exempt: a spec
  // may assemble any parts it needs.
  ...layer(
    'libs/reauth/src/core/**/*.ts',
    // Pure functions with exhaustive tests: nothing of ours but the crypto/ leaf beneath them.
    '^\\.\\./(?!crypto/)',
    'core/ holds pure functions: it imports node builtins, npm packages and crypto/ only',
  ),
  ...layer(
    'libs/reauth/src/crypto/**/*.ts',
    // Hand-written crypto has a room of its own, with a reference test per format.
    '^\\.\\./',
    'crypto/ is a leaf: it imports nothing of the library outside crypto/',
  ),
  ...layer(
    'libs/reauth/src/exceptions/**/*.ts',
    // The public exceptions are thrown from every layer, so they stand beneath all of them.
    '^\\.\\./(?!core/)',
    'exceptions/ holds the public exceptions: it imports core/ only (the filter lives in filter/)',
  ),
  ...layer(
    'libs/reauth/src/stores/**/*.ts',
    // Stores are swapped by apps (Redis, their own); they know records, not the HTTP edge.
    '^(\\.\\./)+(flow|guard|exceptions|controllers|graphql|http)(/|$)',
    'stores/ never imports the flow, the guard, the exceptions or the controllers',
  ),
  ...layer(
    'libs/reauth/src/authentication/**/*.ts',
    // Authentication answers "who is this?"; the edge above it decides what to do about it.
    '^(\\.\\./)+(flow|guard|controllers|graphql|options/reauth\\.options)(/|$|\\.)',
    'authentication/ never imports the flow, the guard or the controllers (take a settings slice, not the options)',
  ),
  ...layer(
    'libs/reauth/src/providers/**/*.ts',
    // Providers are built from options and used by authentication: neither may be beneath them.
    '^(\\.\\./)+(flow|guard|controllers|graphql|authentication|options|events|stores)(/|$)',
    'providers/ never imports the edge, authentication/, options/, events/ or stores/',
  ),
  ...layer(
    'libs/reauth/src/factors/**/*.ts',
    // Proofs of a session: what the guard and the step-up routes use; never the edge itself.
    '^(\\.\\./)+(guard|controllers|filter|graphql|decorators|options/reauth\\.options)(/|$|\\.)',
    'factors/ never imports the guard, the controllers, the filter, GraphQL or the decorators (take a settings slice, not the options)',
  ),
  ...layer(
    'libs/reauth/src/policies/**/*.ts',
    // What a route requires, decided from data: the checked options and pure functions, never
    // the edge that enforces it (the guard calls policies/, not the other way round).
    '^\\.\\./(?!(core|crypto|interfaces|exceptions|events|decorators|stores)(/|$)|options/(?!reauth\\.options))',
    'policies/ imports core/, crypto/, interfaces/, exceptions/, events/, decorators/, stores/ and options/ only (take a settings slice, not the options)',
  ),
  ...layer(
    'libs/reauth/src/{options,events,openapi}/**/*.ts',
    // The options are checked and handed out as data; events and OpenAPI only describe.
    '^(\\.\\./)+(flow|guard|controllers|authentication)(/|$)',
    'options/, events/ and openapi/ never import the flow, the guard, the controllers or authentication/',
  ),
  {
    // Hand-written cryptography stays in crypto/, where each format has its page (docs/crypto.md)
    // and a reference test; everything else asks crypto/ for digests, randomness and seals.
    files: ['libs/reauth/src/**/*.ts'],
    ignores: ['libs/reauth/src/crypto/**', '**/*.spec.ts', '**/*.spec.helper.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['node:crypto', 'crypto'].map((name) => ({
            name,
            message: 'only crypto/ imports node:crypto: use or add a function there',
          })),
        },
      ],
    },
  },
  {
    // Plain ES modules run in a child process (the test OpenID Provider): outside the TS project.
    files: ['test/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
