import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeBlocks, type CodeBlock } from './markdown';

export const REPO_ROOT = resolve(__dirname, '../..');

/** Where the repository is published: links from the registry's pages go there. */
export const REPOSITORY_URL = 'https://github.com/nest-workos-reauth/nest-workos-reauth';

/** The published packages: what their README's links and snippets are checked against. */
export const PACKAGES = [
  { name: 'nest-workos-reauth', dir: 'libs/reauth' },
  { name: 'step-up-fetch', dir: 'libs/reauth-client' },
  { name: 'authkit-emulator', dir: 'libs/authkit-emulator' },
] as const;

/**
 * The most a package README may weigh, in bytes (`wc -c`): the registry's page shows it whole, so
 * it keeps to install, quick start and recipes, and links to `docs/` for the rest.
 */
export const PACKAGE_README_MAX_BYTES = 25_000;

/** The guide's pages: `docs/*.md` (the generated reference under `docs/reference/` aside). */
export const DOCS_DIR = 'docs';

/** The generated API reference (`npm run api:update`). */
export const REFERENCE_DIR = 'docs/reference';

/** A Markdown file of the repository. */
export interface MarkdownPage {
  /** Repository-relative path, as failures name it. */
  path: string;
  markdown: string;
}

export interface PackageReadme extends MarkdownPage {
  name: string;
  dir: string;
}

export function packageReadmes(): PackageReadme[] {
  return PACKAGES.map(({ name, dir }) => {
    const path = `${dir}/README.md`;
    return { name, dir, path, markdown: readFileSync(join(REPO_ROOT, path), 'utf8') };
  });
}

/** The pages of `docs/`, read from the repository, in name order. */
export function docPages(): MarkdownPage[] {
  return readdirSync(join(REPO_ROOT, DOCS_DIR))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const path = `${DOCS_DIR}/${name}`;
      return { path, markdown: readFileSync(join(REPO_ROOT, path), 'utf8') };
    });
}

/** One page of `docs/`, by file name (`errors.md`). */
export function docPage(name: string): MarkdownPage {
  const page = docPages().find(({ path }) => path === `${DOCS_DIR}/${name}`);
  if (!page) throw new Error(`No ${DOCS_DIR}/${name}`);
  return page;
}

/** A TypeScript block of a README or a docs page, named by where it is. */
export interface Snippet extends CodeBlock {
  /** The page's repository-relative path. */
  readme: string;
  /** `libs/reauth/README.md:66 (Quick start)` */
  label: string;
}

export function typeScriptSnippets(page: MarkdownPage): Snippet[] {
  return codeBlocks(page.markdown)
    .filter((block) => block.lang === 'ts' || block.lang === 'typescript')
    .map((block) => ({
      ...block,
      readme: page.path,
      label: `${page.path}:${block.line} (${block.heading.replace(/`/g, '')})`,
    }));
}
