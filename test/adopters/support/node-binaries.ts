import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { childEnv, progress, run, runOk } from './processes';

/** A Node.js binary and the version it reports. */
export interface NodeBinary {
  major: number;
  version: string;
  path: string;
}

// Where `require()` of ES modules works without a flag, which the packages rely on (DESIGN.md).
const MINIMUM: Record<number, [number, number]> = { 20: [20, 19], 22: [22, 12] };

async function versionOf(path: string, cwd: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  const { code, stdout } = await run(path, ['--version'], { cwd });
  return code === 0 ? stdout.trim() : undefined;
}

function isAtLeast(version: string, [major, minor]: [number, number]): boolean {
  const [actualMajor, actualMinor] = version.slice(1).split('.').map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

/**
 * A Node.js binary of the given major: the running one if it is that major, else the newest
 * release of that major from the npm registry (`node-<platform>-<arch>`, as DESIGN.md says CI
 * gets Node binaries), cached under `cacheRoot/<major>` so that later runs skip the download.
 */
export async function nodeBinary(major: number, cacheRoot: string): Promise<NodeBinary> {
  const running = process.versions.node;
  if (Number(running.split('.')[0]) === major) {
    return checked({ major, version: `v${running}`, path: process.execPath });
  }
  const packageName = `node-${process.platform}-${process.arch}`;
  const prefix = join(cacheRoot, String(major));
  const path = join(prefix, 'node_modules', packageName, 'bin', 'node');
  let version = await versionOf(path, cacheRoot);
  if (!version?.startsWith(`v${major}.`)) {
    progress(`fetching Node ${major} (${packageName}@${major}) into ${prefix}`);
    await mkdir(prefix, { recursive: true });
    await runOk(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', `${packageName}@${major}`],
      { cwd: prefix, env: childEnv() },
    );
    version = await versionOf(path, cacheRoot);
  }
  if (!version?.startsWith(`v${major}.`)) {
    throw new Error(`${path} reports ${version ?? 'nothing'}, not Node ${major}`);
  }
  return checked({ major, version, path });
}

function checked(node: NodeBinary): NodeBinary {
  const minimum = MINIMUM[node.major];
  if (minimum && !isAtLeast(node.version, minimum)) {
    throw new Error(
      `${node.path} is ${node.version}; the packages need ${minimum.join('.')} or later`,
    );
  }
  return node;
}
