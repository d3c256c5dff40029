// npm run measure:memory — 100,000 requests without credentials to a guarded route, and how much
// the resident memory of the app process grows. The load alternates a page view (redirect), an
// API call (JSON 401) and a form post with a body (redirect with an action), on keep-alive
// connections. Bounded: a fixed number of requests, each with a timeout.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

const TOTAL = Number(process.env.MEASURE_REQUESTS ?? 100_000);
const WARM_UP = 5_000;
const CONCURRENCY = 32;

interface Sample {
  rss: number;
  heapUsed: number;
  storeEntries?: number;
}

function startTarget(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(__dirname, 'memory-target.ts'), [], {
    execArgv: [
      '--expose-gc',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
    ],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
}

function measure(child: ChildProcess): Promise<Sample> {
  return new Promise((resolve) => {
    child.once('message', (sample: Sample) => resolve(sample));
    child.send('measure');
  });
}

async function load(port: number, count: number): Promise<Record<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses: Record<number, number> = {};
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const kind = i % 3;
      const body = kind === 2 ? `note=${'x'.repeat(200)}&amount=${i}` : undefined;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          agent,
          path: `/guarded?i=${i}`,
          method: kind === 2 ? 'POST' : 'GET',
          headers: {
            accept: kind === 1 ? 'application/json' : 'text/html',
            ...(kind === 1 ? {} : { 'sec-fetch-mode': 'navigate' }),
            ...(body
              ? {
                  'content-type': 'application/x-www-form-urlencoded',
                  'content-length': String(body.length),
                }
              : {}),
          },
          timeout: 10_000,
        },
        (res) => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return statuses;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function run(label: string, env: Record<string, string>): Promise<string> {
  const { child, port } = await startTarget(env);
  try {
    await load(port, WARM_UP);
    const before = await measure(child);
    const started = Date.now();
    const statuses: Record<number, number> = {};
    const quarters: string[] = [];
    for (let quarter = 1; quarter <= 4; quarter++) {
      for (const [status, count] of Object.entries(await load(port, TOTAL / 4))) {
        statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
      }
      quarters.push(`${mb((await measure(child)).rss - before.rss)}`);
    }
    const seconds = (Date.now() - started) / 1000;
    const after = await measure(child);
    const entries = after.storeEntries === undefined ? 'n/a (Redis)' : String(after.storeEntries);
    return `| ${label} | ${TOTAL.toLocaleString('en')} | ${JSON.stringify(statuses)} | ${mb(before.rss)} MB | ${quarters.join(' / ')} MB | **${mb(after.rss - before.rss)} MB** | ${mb(after.heapUsed - before.heapUsed)} MB | ${entries} | ${seconds.toFixed(1)} s |`;
  } finally {
    child.disconnect();
  }
}

async function startRedisServer(): Promise<{ url: string; stop: () => void } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = 6390 + Math.floor(Math.random() * 500);
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', ''],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => server.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const rows = [await run('memory store', {})];
  const redis = await startRedisServer();
  if (redis) {
    try {
      rows.push(await run('Redis store', { MEASURE_REDIS_URL: redis.url }));
    } finally {
      redis.stop();
    }
  }
  process.stdout.write(
    [
      `Resident memory of the app process around ${TOTAL.toLocaleString('en')} requests without credentials to a guarded route`,
      `(after ${WARM_UP.toLocaleString('en')} warm-up requests; GC forced before each reading; node ${process.version}).`,
      '',
      '| store | requests | statuses | RSS before | growth after each 25% | RSS growth | heap growth | store entries | time |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

void main();
