// npm run bench:revocation — how long a session ended on one instance stays usable on another:
// two `reauth-redis` apps (each its own process) on the run's redis-server, a session ended on
// the first, the second asked until it refuses. Markdown on stdout, progress on stderr.
import { Redis } from 'ioredis';
import { startApp, type RunningApp } from './app-process';
import { ROUTE } from './config';
import { runMain, withBench } from './harness';
import { freePort } from '../test/support/ports';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 100);
// Outlives the run, so that no token expires while it is measured.
const TOKEN_LIFETIME_SECONDS = 1800;
// A refusal later than this is a failure of the run, not a figure.
const GIVE_UP_MS = 5000;

const progress = (line: string) => process.stderr.write(`bench:revocation: ${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Mode = 'channel' | 'channel cut' | 'no local view';

interface Trial {
  /** From the first instance's answer to the end (the end recorded) to the second's refusal. */
  afterAnswerMs: number;
  /** Requests the second instance let through after the first had answered. */
  passedAfter: number;
}

const bearer = (token: string) => ({
  accept: 'application/json',
  authorization: `Bearer ${token}`,
});

async function status(url: string, token: string, method = 'GET'): Promise<number> {
  const res = await fetch(url, { method, headers: bearer(token) });
  await res.arrayBuffer();
  return res.status;
}

async function trial(
  one: RunningApp,
  two: RunningApp,
  token: string,
  cut: (() => Promise<void>) | undefined,
): Promise<Trial> {
  // The second instance knows the session (and, with a view, answers it from memory).
  for (let i = 0; i < 3; i++) {
    const seen = await status(`${two.url}${ROUTE}`, token);
    if (seen !== 200) throw new Error(`the second instance answered ${seen} before the end`);
  }
  if (cut) await cut();
  const ended = await status(`${one.url}/end-session`, token, 'POST');
  if (ended !== 204) throw new Error(`ending the session answered ${ended}`);
  const answered = performance.now();
  let passedAfter = 0;
  for (;;) {
    const seen = await status(`${two.url}${ROUTE}`, token);
    if (seen === 401) return { afterAnswerMs: performance.now() - answered, passedAfter };
    if (seen === 200) passedAfter += 1;
    if (performance.now() - answered > GIVE_UP_MS) {
      throw new Error(`the second instance still answered ${seen} after ${GIVE_UP_MS} ms`);
    }
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function row(mode: Mode, trials: Trial[]): string {
  const times = trials.map((t) => t.afterAnswerMs).sort((a, b) => a - b);
  const passed = trials.filter((t) => t.passedAfter > 0).length;
  const fixed = (ms: number) => ms.toFixed(1);
  return `| ${mode} | ${trials.length} | ${fixed(quantile(times, 0.5))} | ${fixed(quantile(times, 0.99))} | ${fixed(times[times.length - 1])} | ${passed} |`;
}

async function main(): Promise<void> {
  const report = await withBench(TOKEN_LIFETIME_SECONDS, async ({ emulator, config }) => {
    const admin = new Redis(config.redisUrl);
    const rows: string[] = [];
    try {
      const modes: [Mode, boolean][] = [
        ['channel', true],
        ['channel cut', true],
        ['no local view', false],
      ];
      for (const [mode, view] of modes) {
        progress(`${mode}: starting two instances`);
        const apps = await Promise.all(
          [0, 1].map(async () =>
            startApp({
              ...config,
              port: await freePort(),
              kind: 'reauth-redis',
              platform: 'express',
              ...(view ? {} : { revocationView: false as const }),
            }),
          ),
        );
        const [one, two] = apps;
        try {
          // The subscriptions are proven by their first heartbeat (500 ms by default).
          await pause(1500);
          const cut =
            mode === 'channel cut'
              ? async () => {
                  await admin.client('KILL', 'TYPE', 'pubsub');
                }
              : undefined;
          const trials: Trial[] = [];
          for (let i = 0; i < TRIALS; i++) {
            const token = await emulator.mintAccessToken({
              email: 'alice@example.com',
              authTime: emulator.now(),
              expiresIn: TOKEN_LIFETIME_SECONDS,
            });
            trials.push(await trial(one, two, token, cut));
            // Let a cut channel come back before the next trial.
            if (cut) await pause(1200);
          }
          rows.push(row(mode, trials));
          progress(rows[rows.length - 1]);
        } finally {
          await Promise.all(apps.map((app) => app.stop()));
        }
      }
    } finally {
      admin.disconnect();
    }
    return [
      `Two instances (separate processes) on one redis-server, ${TRIALS} sessions each: the session is ended on the first (\`POST /end-session\`, answered once the end is recorded), then the second is asked for it until it refuses. Milliseconds from the first's answer to the second's refusal; "passed" counts trials in which the second let the session through at least once after the first had answered.`,
      '',
      '| mode | trials | p50 (ms) | p99 (ms) | max (ms) | passed |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n');
  });
  process.stdout.write(report);
}

runMain('bench:revocation', main);
