import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './ports';

/** A Redis for the tests: `REDIS_URL` when given, else a `redis-server` this process starts. */
export interface TestRedis {
  url: string;
  /** Only for a server the tests started: stop it (as a crash would) and start it again. */
  stop?(): Promise<void>;
  start?(): Promise<void>;
  close(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** Whether the tests can have a Redis; in CI they must, so a missing one fails loudly there. */
export function redisAvailable(): boolean {
  if (process.env.REDIS_URL) return true;
  const found = spawnSync(REDIS_SERVER, ['--version']).status === 0;
  if (!found && process.env.CI) {
    throw new Error(
      'Redis is required in CI: install redis-server (bash .ci/run does) or set REDIS_URL',
    );
  }
  if (!found) {
    process.stderr.write(
      'Redis suites skipped: no redis-server on this machine (install it, or set REDIS_URL)\n',
    );
  }
  return found;
}

/** Whether a redis-server answers on `port`. */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.on('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts (or connects to) a Redis for a test file. */
export async function startRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL, close: () => Promise.resolve() };
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await until(() => answersPing(port), `redis-server on port ${port}`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop, close: stop };
}
