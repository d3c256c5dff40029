import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';

/** A PostgreSQL for the tests: `DATABASE_URL` when given, else a server this process starts. */
export interface TestPostgres {
  url: string;
  /** Only for a server the tests started: stop it (a fast shutdown) and start it again. */
  stop?(): Promise<void>;
  start?(): Promise<void>;
  /** Stops a server the tests started and removes its files. */
  close(): Promise<void>;
}

/** Where Debian's `postgresql` package puts the binaries; `POSTGRES_BIN` names another folder. */
function binaries(): string | undefined {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return majors
    .map((major) => join(root, major, 'bin'))
    .find((bin) => existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb')));
}

/** Whether the tests can have a PostgreSQL; in CI they must, so a missing one fails loudly there. */
export function postgresAvailable(): boolean {
  if (process.env.DATABASE_URL) return true;
  const found = binaries() !== undefined;
  if (!found && process.env.CI) {
    throw new Error(
      'PostgreSQL is required in CI: install postgresql (bash .ci/run does) or set DATABASE_URL',
    );
  }
  if (!found) {
    process.stderr.write(
      'PostgreSQL suites skipped: no postgres binaries in /usr/lib/postgresql/<major>/bin (install postgresql, or set DATABASE_URL or POSTGRES_BIN)\n',
    );
  }
  return found;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    const run = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error('running as root, but there is no postgres user');
    return Number(run.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** Whether the server on `url` answers a query. */
async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts (or connects to) a PostgreSQL for a test file: a throwaway cluster (`initdb` into a
 * temporary folder, trust authentication, listening on 127.0.0.1 and a free port), which `close`
 * stops and deletes.
 */
export async function startPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, close: () => Promise.resolve() };
  }
  const bin = binaries();
  if (!bin) throw new Error('no postgres binaries: check postgresAvailable() first');
  const user = serverUser();
  const root = mkdtempSync(join(tmpdir(), 'reauth-pg-'));
  const data = join(root, 'data');
  const socket = join(root, 'socket');
  if (user) chownSync(root, user.uid, user.gid);
  const asServer = { ...user, cwd: root };

  const initdb = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...asServer, encoding: 'utf8' },
  );
  if (initdb.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${initdb.stderr}`);
  }
  mkdirSync(socket, { mode: 0o700 });
  if (user) chownSync(socket, user.uid, user.gid);

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    output = '';
    const server = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', socket, '-c', 'listen_addresses=127.0.0.1']
        // Throwaway data: no need to wait for the disk.
        .concat(['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      { ...asServer, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = server;
    server.stderr?.on(
      'data',
      (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)),
    );
    const exited = new Promise<never>((_, reject) =>
      server.once('exit', (code) => reject(new Error(`postgres exited (${code}):\n${output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([until(() => answers(url), `postgres on port ${port}`), exited]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // A fast shutdown: open sessions are ended (SQLSTATE 57P01), new connections refused.
    running.kill('SIGINT');
    await exited;
  };
  const close = async () => {
    await stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return { url, start, stop, close };
}
