import * as workosNewest from '@workos-inc/node';
import * as workos8 from 'workos-node-8';
import { codeBlocks } from './markdown';
import { docPages, packageReadmes, typeScriptSnippets, type Snippet } from './package-readmes';
import { compileSnippets } from './snippet-compiler';
import { registerSnippetTests, runSnippetProgram, type SnippetRequire } from './snippet-runner';

// Every TypeScript block of the three package READMEs and of the pages of docs/ is an app's code:
// it compiles as printed, and the complete tests and programs among them run. See
// test/readme/markdown.ts for the `<!-- snippet: ... -->` comments a block may carry.
const readmes = packageReadmes();
const docs = docPages();
const pages = [...readmes, ...docs];
const snippets = pages.flatMap(typeScriptSnippets);
const compilable = snippets.filter((snippet) => !snippet.markers.fragment);
const fragments = snippets.filter((snippet) => snippet.markers.fragment);
const runnable = snippets.filter((snippet) => snippet.markers.run);
const isTestFile = (snippet: Snippet) => /^\s*describe\(/m.test(snippet.code);

const suiteRequire: SnippetRequire = (id) => jest.requireActual(id);

describe('README snippets', () => {
  let errors: Map<Snippet, string[]>;

  beforeAll(() => {
    errors = compileSnippets(snippets);
  }, 120_000);

  it('finds the blocks of every package README', () => {
    for (const { path } of readmes) {
      expect(snippets.filter((snippet) => snippet.readme === path).length).toBeGreaterThan(3);
    }
    expect(runnable.length).toBeGreaterThanOrEqual(2);
  });

  it('finds the blocks of the docs pages, the testing guide’s complete test among them', () => {
    // The package README's reference moved to docs/: its blocks are held to the code as well.
    const inDocs = snippets.filter((snippet) => snippet.readme.startsWith('docs/'));
    for (const page of ['configuration', 'api', 'errors', 'openid-providers', 'testing']) {
      expect([page, inDocs.some(({ readme }) => readme === `docs/${page}.md`)]).toEqual([
        page,
        true,
      ]);
    }
    expect(runnable.some(({ readme }) => readme === 'docs/testing.md')).toBe(true);
  });

  it.each(compilable.map((snippet) => [snippet.label, snippet] as const))(
    '%s compiles',
    (_label, snippet) => {
      const found = errors.get(snippet)!;
      if (found.length > 0) {
        throw new Error(`The page's code does not compile:\n${found.join('\n')}`);
      }
    },
  );

  // A fragment that compiles no longer needs the exception.
  it.each(fragments.map((snippet) => [snippet.label, snippet] as const))(
    '%s is a fragment indeed',
    (_label, snippet) => {
      expect(errors.get(snippet)!.length).toBeGreaterThan(0);
    },
  );

  it('compiles the SDK examples against @workos-inc/node 8 as well', () => {
    // The emulator's README builds an authorization URL with the SDK: npm installs
    // @workos-inc/node 8 on Node 20, and the code must compile against that one too.
    const sdkSnippets = compilable.filter((snippet) =>
      /from '@workos-inc\/node'/.test(snippet.code),
    );
    expect(sdkSnippets.length).toBeGreaterThan(0);
    const with8 = compileSnippets(sdkSnippets, {
      '@workos-inc/node': ['node_modules/workos-node-8'],
    });
    expect([...with8.values()].flat()).toEqual([]);
  }, 120_000);
});

describe('README programs, run as printed', () => {
  const programs = runnable.filter((snippet) => !isTestFile(snippet));

  it.each(programs.map((snippet) => [snippet.label, snippet] as const))(
    '%s runs to its end',
    async (_label, snippet) => {
      await runSnippetProgram(snippet, suiteRequire);
    },
  );

  const startFromCode = programs.find((snippet) => snippet.heading === 'Start it from code')!;
  it.each([
    ['the newest @workos-inc/node', workosNewest],
    ['@workos-inc/node 8, which npm installs on Node 20', workos8],
  ])('the emulator’s example asks for max_age=300 with %s', async (_sdk, sdk) => {
    const withSdk: SnippetRequire = (id) =>
      id === '@workos-inc/node' ? sdk : jest.requireActual(id);
    const { url } = await runSnippetProgram(startFromCode, withSdk, ['url']);
    expect(new URL(String(url)).searchParams.get('max_age')).toBe('300');
  });
});

for (const snippet of runnable.filter(isTestFile)) {
  describe(`${snippet.label}, run as printed`, () => {
    registerSnippetTests(snippet, suiteRequire);
  });
}

describe('README install lines', () => {
  // `npm install @nestjs/testing` takes the newest major, whose peers refuse an app on the
  // previous one (ERESOLVE): every Nest package a README or a docs page installs names its major.
  const installs = pages.flatMap((readme) =>
    codeBlocks(readme.markdown)
      .filter((block) => block.lang === 'sh')
      .flatMap((block) =>
        block.code
          .split('\n')
          .map((text, index) => ({ text, at: `${readme.path}:${block.line + index}` }))
          .filter(({ text }) => /\bnpm (install|i)\b/.test(text)),
      ),
  );

  it.each(installs.map(({ text, at }) => [at, text] as const))(
    '%s pins the major of each Nest package',
    (_at, text) => {
      const nestPackages = text.split(/\s+/).filter((word) => word.startsWith('@nestjs/'));
      for (const name of nestPackages) expect(name).toMatch(/^@nestjs\/[\w-]+@\^?\d+/);
    },
  );

  it('finds the install line of the testing example, with @nestjs/testing 11', () => {
    for (const path of ['libs/reauth/README.md', 'docs/testing.md']) {
      const lines = installs.filter(({ at }) => at.startsWith(`${path}:`));
      expect([path, lines.map(({ text }) => text).join('\n')]).toEqual([
        path,
        expect.stringMatching(/ @nestjs\/testing@\^11 /),
      ]);
    }
  });
});
