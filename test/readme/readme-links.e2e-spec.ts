import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { anchors, codeBlocks, links, slug } from './markdown';
import { packageReadmes, PACKAGES, REPO_ROOT, REPOSITORY_URL } from './package-readmes';

/**
 * Why a link of `markdown` would not resolve from the package's page on the npm registry, where
 * a relative link points nowhere; `undefined` when it resolves.
 */
function brokenLink(target: string, markdown: string): string | undefined {
  if (target.startsWith('#')) {
    return anchors(markdown).has(decodeURIComponent(target.slice(1)))
      ? undefined
      : 'no heading has this anchor';
  }
  if (!target.startsWith('https://')) {
    return 'not an absolute https URL: relative links do not resolve on the registry';
  }
  if (target !== REPOSITORY_URL && !target.startsWith(`${REPOSITORY_URL}/`)) return undefined;
  const rest = target.slice(REPOSITORY_URL.length);
  if (rest === '' || rest === '/issues') return undefined;
  const inTree = /^\/(blob|tree)\/main\/([^#?]+)(?:#(.*))?$/.exec(rest);
  if (!inTree) return `not a file or folder of the repository's main branch`;
  const [, kind, path, anchor] = inTree;
  const local = join(REPO_ROOT, decodeURIComponent(path));
  if (!existsSync(local)) return `${path} does not exist in this repository`;
  if (kind === 'blob' && !statSync(local).isFile()) return `${path} is not a file (use tree/)`;
  if (kind === 'tree' && !statSync(local).isDirectory()) return `${path} is a file (use blob/)`;
  if (anchor !== undefined && anchor !== 'readme' && path.endsWith('.md')) {
    if (!anchors(readFileSync(local, 'utf8')).has(anchor)) return `${path} has no #${anchor}`;
  }
  return undefined;
}

describe('README links', () => {
  const found = packageReadmes().flatMap((readme) =>
    links(readme.markdown).map((link) => ({ ...link, readme })),
  );

  it('finds the links of every README, repository links included', () => {
    for (const { path } of packageReadmes()) {
      expect(found.filter(({ readme }) => readme.path === path).length).toBeGreaterThan(1);
    }
    expect(found.some(({ target }) => target.startsWith(`${REPOSITORY_URL}/blob/main/`))).toBe(
      true,
    );
  });

  it.each(
    found.map(({ readme, line, target }) => [`${readme.path}:${line}`, target, readme.markdown]),
  )('%s %s resolves from the registry page', (_at, target, markdown) => {
    expect(brokenLink(target, markdown)).toBeUndefined();
  });

  it('tells the links that would not resolve', () => {
    const page = '# Title\n\n## Several instances: the Redis store\n';
    expect(brokenLink('#several-instances-the-redis-store', page)).toBeUndefined();
    expect(brokenLink('#sizing', page)).toBe('no heading has this anchor');
    expect(brokenLink('../../docs/design.md', page)).toMatch(/^not an absolute https URL/);
    expect(brokenLink('http://example.com/', page)).toMatch(/^not an absolute https URL/);
    expect(brokenLink('https://workos.com/docs', page)).toBeUndefined();
    expect(brokenLink(`${REPOSITORY_URL}/blob/main/docs/design.md`, page)).toBeUndefined();
    expect(brokenLink(`${REPOSITORY_URL}/blob/main/docs/nowhere.md`, page)).toBe(
      'docs/nowhere.md does not exist in this repository',
    );
    expect(brokenLink(`${REPOSITORY_URL}/blob/main/examples`, page)).toBe(
      'examples is not a file (use tree/)',
    );
    expect(brokenLink(`${REPOSITORY_URL}/tree/main/SECURITY.md`, page)).toBe(
      'SECURITY.md is a file (use blob/)',
    );
    expect(brokenLink(`${REPOSITORY_URL}/blob/main/docs/design.md#no-such-part`, page)).toBe(
      'docs/design.md has no #no-such-part',
    );
    expect(brokenLink(`${REPOSITORY_URL}/pulls`, page)).toBe(
      "not a file or folder of the repository's main branch",
    );
  });
});

describe('package.json links', () => {
  it.each(PACKAGES.map(({ name, dir }) => [name, dir]))(
    '%s names its repository folder, its page and where to report bugs',
    (_name, dir) => {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as {
        repository?: unknown;
        homepage?: string;
        bugs?: unknown;
      };
      expect(manifest.repository).toEqual({
        type: 'git',
        url: `git+${REPOSITORY_URL}.git`,
        directory: dir,
      });
      expect(manifest.homepage).toBe(`${REPOSITORY_URL}/tree/main/${dir}#readme`);
      expect(manifest.bugs).toEqual({ url: `${REPOSITORY_URL}/issues` });
      expect(brokenLink(String(manifest.homepage), '')).toBeUndefined();
      expect(existsSync(join(REPO_ROOT, dir, 'README.md'))).toBe(true);
    },
  );
});

describe('reading Markdown', () => {
  it('gives headings the anchors GitHub gives them', () => {
    expect(slug('Step-up by assurance level (`acr`, `amr`)')).toBe(
      'step-up-by-assurance-level-acr-amr',
    );
    expect(slug('`@RequireRecentAuth(0)`')).toBe('requirerecentauth0');
    expect(slug('From `<script type="module">`')).toBe('from-script-typemodule');
    expect(slug('`api.resumePending()`')).toBe('apiresumepending');
    expect([...anchors('# A\n\n## Errors\n\n### Errors\n\n```sh\n# not a heading\n```\n')]).toEqual(
      ['a', 'errors', 'errors-1'],
    );
  });

  it('reads links outside code only', () => {
    const page = [
      'See [the design](https://x.example/design) and <https://y.example/>.',
      'Not `[a](../code-span.md)`, nor:',
      '```md',
      '[b](../code-block.md)',
      '```',
      '[ref]: https://z.example/ref',
    ].join('\n');
    expect(links(page)).toEqual([
      { target: 'https://x.example/design', line: 1 },
      { target: 'https://y.example/', line: 1 },
      { target: 'https://z.example/ref', line: 6 },
    ]);
  });

  it('reads the snippet comments above a block', () => {
    const page = [
      '## Part',
      '<!-- snippet: prelude',
      'declare const a: number;',
      '-->',
      '',
      '<!-- snippet: run -->',
      '',
      '```ts',
      'a;',
      '```',
      '<!-- snippet: fragment -->',
      '```typescript',
      'b() { ... }',
      '```',
      '```sh',
      'npm test',
      '```',
    ].join('\n');
    expect(codeBlocks(page)).toEqual([
      {
        lang: 'ts',
        code: 'a;',
        line: 9,
        heading: 'Part',
        markers: {
          fragment: false,
          run: true,
          prelude: 'declare const a: number;',
          preludeLine: 2,
        },
      },
      {
        lang: 'typescript',
        code: 'b() { ... }',
        line: 13,
        heading: 'Part',
        markers: { fragment: true, run: false },
      },
      {
        lang: 'sh',
        code: 'npm test',
        line: 16,
        heading: 'Part',
        markers: { fragment: false, run: false },
      },
    ]);
    expect(() => codeBlocks('<!-- snippet: fragmnet -->\n```ts\nx\n```')).toThrow(
      'line 1: unknown snippet comment "fragmnet"',
    );
  });
});
