import { readFileSync } from 'node:fs';
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

export interface PackageReadme {
  name: string;
  dir: string;
  /** Repository-relative path, as failures name it. */
  path: string;
  markdown: string;
}

export function packageReadmes(): PackageReadme[] {
  return PACKAGES.map(({ name, dir }) => {
    const path = `${dir}/README.md`;
    return { name, dir, path, markdown: readFileSync(join(REPO_ROOT, path), 'utf8') };
  });
}

/** A TypeScript block of a README, named by where it is. */
export interface Snippet extends CodeBlock {
  readme: string;
  /** `libs/reauth/README.md:66 (Quick start)` */
  label: string;
}

export function typeScriptSnippets(readme: PackageReadme): Snippet[] {
  return codeBlocks(readme.markdown)
    .filter((block) => block.lang === 'ts' || block.lang === 'typescript')
    .map((block) => ({
      ...block,
      readme: readme.path,
      label: `${readme.path}:${block.line} (${block.heading.replace(/`/g, '')})`,
    }));
}
