import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { REPO, type PackageName, type Tarballs } from './packages';
import { freePort } from '../../support/ports';
import { childEnv, progress, runOk, startServer, tail, type Server } from './processes';
import type { NodeBinary } from './node-binaries';

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Copies `examples/<name>` to `workDir/<name>`, points its dependencies on our packages at the
 * tarballs, and installs it from the registry, as an adopter's machine would.
 */
export async function installExample(
  name: string,
  workDir: string,
  tarballs: Tarballs,
): Promise<string> {
  const dir = join(workDir, name);
  const source = join(REPO, 'examples', name);
  // What a local run of the example leaves behind stays out of the copy.
  const leftovers = new Set(['node_modules', 'dist', 'package-lock.json']);
  await cp(source, dir, {
    recursive: true,
    filter: (path) => path === source || !leftovers.has(basename(path)),
  });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as PackageJson;
  const pointed: string[] = [];
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const dependency of Object.keys(deps ?? {})) {
      if (dependency in tarballs) {
        deps![dependency] = `file:${tarballs[dependency as PackageName]}`;
        pointed.push(dependency);
      }
    }
  }
  if (pointed.length !== Object.keys(tarballs).length) {
    throw new Error(`examples/${name} depends on ${pointed.join(', ')} of our packages, not all`);
  }
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  progress(`installing ${name} in ${dir}`);
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    env: childEnv(),
  });
  return dir;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with node:http, which (unlike fetch) sends `Sec-Fetch-Mode` as given. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The emulator's test control that signs an access token for a chosen `auth_time`. */
export async function mintAccessToken(emulatorUrl: string, authTime: number): Promise<string> {
  const res = await fetch(`${emulatorUrl}/__emulator/access-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.com', authTime }),
  });
  if (res.status !== 200) throw new Error(`minting a token answered ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The emulator's clock, in seconds. */
export async function emulatorNow(emulatorUrl: string): Promise<number> {
  const res = await fetch(`${emulatorUrl}/__emulator/clock`);
  return ((await res.json()) as { now: number }).now;
}

export interface RunningExample {
  appUrl: string;
  redirectUri: string;
  emulatorUrl: string;
  clientId: string;
}

/**
 * Starts the emulator from the example's installed bin and the example's compiled app (`main`),
 * both on `node`, runs `checks` against them, and stops both whatever happens. On a failure, the
 * error carries what both printed.
 */
export async function withRunningExample(
  dir: string,
  main: string,
  node: NodeBinary,
  checks: (running: RunningExample) => Promise<void>,
): Promise<void> {
  const appPort = await freePort();
  const redirectUri = `http://localhost:${appPort}/auth/callback`;
  // The bin's `#!/usr/bin/env node` picks the first node on PATH: the one under test.
  const env = childEnv({ PATH: `${dirname(node.path)}:${process.env.PATH ?? ''}` });
  const servers: Server[] = [];
  try {
    const emulator = startServer(
      'authkit-emulator',
      join(dir, 'node_modules', '.bin', 'authkit-emulator'),
      ['--port', '0', '--test-controls', '--redirect-uri', redirectUri, '--quiet'],
      { cwd: dir, env },
    );
    servers.push(emulator);
    const [, emulatorUrl] = await emulator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const [, clientId] = await emulator.waitFor(/client id\s+(\S+)/);
    const [, apiKey] = await emulator.waitFor(/API key\s+(\S+)/);

    const app = startServer('app', node.path, [main], {
      cwd: dir,
      env: {
        ...env,
        PORT: String(appPort),
        WORKOS_API_KEY: apiKey,
        WORKOS_CLIENT_ID: clientId,
        WORKOS_REDIRECT_URI: redirectUri,
        WORKOS_COOKIE_PASSWORD: randomBytes(24).toString('base64url'),
        WORKOS_API_HOSTNAME: '127.0.0.1',
        WORKOS_API_PORT: new URL(emulatorUrl).port,
        WORKOS_API_HTTPS: 'false',
      },
    });
    servers.push(app);
    await app.waitFor(/Listening on http:\/\/localhost:\d+/);

    await checks({ appUrl: `http://127.0.0.1:${appPort}`, redirectUri, emulatorUrl, clientId });
    // An ExperimentalWarning or DeprecationWarning at start-up is something adopters would see.
    for (const server of servers) {
      const warning = server.output().match(/^\(node:\d+\) \w*Warning: .*$/m);
      if (warning) throw new Error(`${server.name} printed a warning: ${warning[0]}`);
    }
  } catch (error) {
    const printed = servers.map((server) => `--- ${server.name}:\n${tail(server.output(), 60)}`);
    (error as Error).message += `\n\nOn ${node.version}:\n${printed.join('\n')}`;
    throw error;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
