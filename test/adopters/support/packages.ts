import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { childEnv, run, runOk, tail } from './processes';

export const REPO = join(__dirname, '..', '..', '..');

/** The workspace packages, how attw should judge them, and why. */
export const PACKAGES = [
  {
    name: 'nest-workos-reauth',
    // CommonJS with an exports map and typesVersions: every resolution mode must find the types,
    // node10 included, since that is what a Nest app with `"module": "commonjs"` (and no
    // moduleResolution) uses. So attw's default profile, which checks all of them.
    attwProfile: 'strict',
  },
  { name: 'authkit-emulator', attwProfile: 'strict' },
  {
    name: 'step-up-fetch',
    // An ES module for browsers, on purpose: a CommonJS `require` of it is not a supported use
    // (and attw's TypeScript predates require(esm)), so judge it as the ESM-only package it is.
    attwProfile: 'esm-only',
  },
] as const;

export type PackageName = (typeof PACKAGES)[number]['name'];

/** Absolute paths of the packed tarballs, by package name. */
export type Tarballs = Record<PackageName, string>;

/** `npm run build:packages`, then `npm pack` of every workspace into `destination`. */
export async function buildAndPack(destination: string): Promise<Tarballs> {
  await runOk('npm', ['run', 'build:packages'], { cwd: REPO });
  await mkdir(destination, { recursive: true });
  const { stdout, output } = await runOk(
    'npm',
    ['pack', '--workspaces', '--json', '--pack-destination', destination],
    { cwd: REPO },
  );
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  const tarballs: Partial<Tarballs> = {};
  for (const { name, filename } of packed) {
    tarballs[name as PackageName] = join(destination, filename);
  }
  for (const { name } of PACKAGES) {
    if (!tarballs[name]) throw new Error(`npm pack did not pack ${name}:\n${tail(output)}`);
  }
  return tarballs as Tarballs;
}

/** The paths inside a tarball, without npm's `package/` prefix. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await runOk('tar', ['-tzf', tarball], { cwd: REPO });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

/** Runs a tool installed in the repository; returns its exit code and output. */
export function repoTool(tool: string, args: string[]) {
  return run(join(REPO, 'node_modules', '.bin', tool), args, { cwd: REPO, env: childEnv() });
}
