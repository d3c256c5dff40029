import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { anchors, codeBlocks, links, slug } from './markdown';
import {
  docPages,
  packageReadmes,
  PACKAGE_README_MAX_BYTES,
  PACKAGES,
  REFERENCE_DIR,
  REPO_ROOT,
  REPOSITORY_URL,
  type MarkdownPage,
} from './package-readmes';

/**
 * Library sources move between folders: pages link to the docs and the API reference instead.
 * A link to a file under `libs/<package>/src/` is refused wherever it is written.
 */
const LIBRARY_SOURCE = /^libs\/[^/]+\/src\//;

/** Why `path` (repository-relative, with its `#anchor` if any) does not resolve in the repository. */
function brokenRepositoryPath(
  path: string,
  anchor: string | undefined,
  kind: 'blob' | 'tree' | 'any',
): string | undefined {
  if (path === '..' || path.startsWith('../')) return `${path} is outside the repository`;
  if (LIBRARY_SOURCE.test(path)) {
    return `${path} is a library source file, which may move: link to docs/ or docs/reference/`;
  }
  const local = join(REPO_ROOT, path);
  if (!existsSync(local)) return `${path} does not exist in this repository`;
  if (kind === 'blob' && !statSync(local).isFile()) return `${path} is not a file (use tree/)`;
  if (kind === 'tree' && !statSync(local).isDirectory()) return `${path} is a file (use blob/)`;
  if (anchor !== undefined && anchor !== 'readme' && path.endsWith('.md')) {
    if (!anchors(readFileSync(local, 'utf8')).has(decodeURIComponent(anchor))) {
      return `${path} has no #${anchor}`;
    }
  }
  return undefined;
}

/** Why a link to this repository on GitHub does not name one of its files or folders. */
function brokenRepositoryUrl(target: string): string | undefined {
  const rest = target.slice(REPOSITORY_URL.length);
  if (rest === '' || rest === '/issues') return undefined;
  const inTree = /^\/(blob|tree)\/main\/([^#?]+)(?:#(.*))?$/.exec(rest);
  if (!inTree) return `not a file or folder of the repository's main branch`;
  const [, kind, path, anchor] = inTree;
  return brokenRepositoryPath(decodeURIComponent(path), anchor, kind as 'blob' | 'tree');
}

const readReadme = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

const isRepositoryUrl = (target: string) =>
  target === REPOSITORY_URL || target.startsWith(`${REPOSITORY_URL}/`);

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
  return isRepositoryUrl(target) ? brokenRepositoryUrl(target) : undefined;
}

/**
 * Why a link of a page read on GitHub (a page of `docs/`, the repository's README) does not
 * resolve: a relative link must name a file or folder of the repository (and a heading of a
 * Markdown file), an absolute link to the repository one of its files.
 */
function brokenPageLink(target: string, page: MarkdownPage): string | undefined {
  if (target.startsWith('#')) return brokenLink(target, page.markdown);
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (target.startsWith('mailto:')) return undefined;
    return brokenLink(target, page.markdown);
  }
  if (target.startsWith('/')) return 'a root-relative link: write it relative to the page';
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  if (pathPart === '') return brokenLink(`#${anchor ?? ''}`, page.markdown);
  const path = relative(
    REPO_ROOT,
    join(REPO_ROOT, dirname(page.path), decodeURIComponent(pathPart.split('?')[0])),
  );
  return brokenRepositoryPath(normalize(path).replace(/\\/g, '/') || '.', anchor, 'any');
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
    expect(brokenLink(`${REPOSITORY_URL}/blob/main/libs/reauth/src/index.ts`, page)).toMatch(
      /is a library source file/,
    );
  });
});

describe('docs links', () => {
  // The guide's pages and the repository's README are read on GitHub: relative links work there.
  const pages = [...docPages(), { path: 'README.md', markdown: readReadme('README.md') }];
  const found = pages.flatMap((page) => links(page.markdown).map((link) => ({ ...link, page })));

  it('finds the links of the docs pages, the guide’s own among them', () => {
    const guide = ['README', 'api', 'configuration', 'errors', 'events-and-metrics', 'testing'];
    for (const path of ['README.md', ...guide.map((name) => `docs/${name}.md`)]) {
      expect([path, found.some(({ page }) => page.path === path)]).toEqual([path, true]);
    }
  });

  it.each(found.map(({ page, line, target }) => [`${page.path}:${line}`, target, page] as const))(
    '%s %s resolves in the repository',
    (_at, target, page) => {
      expect(brokenPageLink(target, page)).toBeUndefined();
    },
  );

  it('tells the links that would not resolve', () => {
    const page = { path: 'docs/errors.md', markdown: '# Errors\n\n## The JSON 401\n' };
    expect(brokenPageLink('#the-json-401', page)).toBeUndefined();
    expect(brokenPageLink('#the-403', page)).toBe('no heading has this anchor');
    expect(brokenPageLink('design.md', page)).toBeUndefined();
    expect(brokenPageLink('design.md#decisions', page)).toBeUndefined();
    expect(brokenPageLink('design.md#no-such-part', page)).toBe(
      'docs/design.md has no #no-such-part',
    );
    expect(brokenPageLink('../libs/reauth/README.md#quick-start', page)).toBeUndefined();
    expect(brokenPageLink('../examples', page)).toBeUndefined();
    expect(brokenPageLink('nowhere.md', page)).toBe(
      'docs/nowhere.md does not exist in this repository',
    );
    expect(brokenPageLink('../../outside.md', page)).toBe(
      '../outside.md is outside the repository',
    );
    expect(brokenPageLink('/docs/design.md', page)).toMatch(/^a root-relative link/);
    expect(brokenPageLink('../libs/reauth/src/index.ts', page)).toMatch(
      /^libs\/reauth\/src\/index.ts is a library source file/,
    );
    expect(brokenPageLink(`${REPOSITORY_URL}/blob/main/docs/nowhere.md`, page)).toBe(
      'docs/nowhere.md does not exist in this repository',
    );
    expect(brokenPageLink(`${REPOSITORY_URL}/blob/main/libs/reauth/src/index.ts`, page)).toMatch(
      /is a library source file/,
    );
    expect(brokenPageLink('http://example.com/', page)).toMatch(/^not an absolute https URL/);
    expect(brokenPageLink('https://workos.com/docs', page)).toBeUndefined();
  });

  it('links the API reference, whose own links resolve', () => {
    const reference = join(REPO_ROOT, REFERENCE_DIR);
    const files = readdirSync(reference).filter((name) => name.endsWith('.md'));
    expect(files).toContain('index.md');
    expect(files).toContain('nest-workos-reauth.md');
    const broken = files.flatMap((name) => {
      const page = {
        path: `${REFERENCE_DIR}/${name}`,
        markdown: readFileSync(join(reference, name), 'utf8'),
      };
      return links(page.markdown)
        .map(({ target, line }) => ({ at: `${page.path}:${line}`, target }))
        .filter(({ target }) => brokenPageLink(target, page) !== undefined);
    });
    expect(broken).toEqual([]);
    const readme = packageReadmes().find(({ name }) => name === 'nest-workos-reauth')!;
    expect(readme.markdown).toContain(`${REPOSITORY_URL}/blob/main/${REFERENCE_DIR}/index.md`);
  });
});

describe('package README size', () => {
  it.each(packageReadmes().map((readme) => [readme.path, readme] as const))(
    '%s weighs at most 25 KB: the rest is in docs/',
    (_path, readme) => {
      expect(Buffer.byteLength(readme.markdown, 'utf8')).toBeLessThanOrEqual(
        PACKAGE_README_MAX_BYTES,
      );
    },
  );
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
