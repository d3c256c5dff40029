// npm run bench:websockets — what the library's check costs a socket.io message: one gateway
// process, `SOCKETS` connections holding a signed-in token (socket.io's `auth.token`), each
// sending messages one after another (with an acknowledgement) for `BENCH_SECONDS` per event, in
// interleaved rounds. The baseline is `open`, a message the gateway guard only lets through; the
// figures are each event's rate against it in the same round. Markdown on stdout, progress on
// stderr.
import { io, type Socket } from 'socket.io-client';
import { startApp } from './app-process';
import { runMain, withBench } from './harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 20);
// Outlives the run, so that no token expires while it is measured.
const TOKEN_LIFETIME_SECONDS = 1800;
const EVENTS = ['open', 'signed-in', 'recent'] as const;
type BenchEvent = (typeof EVENTS)[number];

const progress = (line: string) => process.stderr.write(`bench:websockets: ${line}\n`);

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], auth: { token }, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Messages answered per second over every socket, each sending the next once answered. */
async function rate(sockets: Socket[], event: BenchEvent): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  const counts = await Promise.all(
    sockets.map(async (socket) => {
      let answered = 0;
      while (performance.now() < until) {
        const answer = (await socket.timeout(5000).emitWithAck(event, null)) as { ok?: unknown };
        if (answer?.ok !== true) {
          throw new Error(`${event} was not answered ok: ${JSON.stringify(answer)}`);
        }
        answered += 1;
      }
      return answered;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0) / SECONDS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const report = await withBench(TOKEN_LIFETIME_SECONDS, async ({ emulator, config }) => {
    const app = await startApp({ ...config, kind: 'websockets', platform: 'express' });
    const token = await emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: emulator.now(),
      expiresIn: TOKEN_LIFETIME_SECONDS,
    });
    const sockets = await Promise.all(
      Array.from({ length: SOCKETS }, () => connect(app.url, token)),
    );
    const rates = new Map<BenchEvent, number[]>(EVENTS.map((event) => [event, []]));
    const ratios = new Map<BenchEvent, number[]>(EVENTS.map((event) => [event, []]));
    try {
      // A first pass warms every path up (the token's verification is cached after it).
      for (const event of EVENTS) await rate(sockets.slice(0, 1), event);
      for (let round = 1; round <= ROUNDS; round++) {
        // Each round in another order, so that no event always runs first or last.
        const order = round % 2 ? EVENTS : [...EVENTS].reverse();
        const measured = new Map<BenchEvent, number>();
        for (const event of order) measured.set(event, await rate(sockets, event));
        const baseline = measured.get('open')!;
        for (const event of EVENTS) {
          rates.get(event)!.push(measured.get(event)!);
          ratios.get(event)!.push(measured.get(event)! / baseline);
        }
        progress(
          `round ${round}: ${EVENTS.map((event) => `${event} ${measured.get(event)!.toFixed(0)}/s`).join(', ')}`,
        );
      }
    } finally {
      for (const socket of sockets) socket.disconnect();
      await app.stop();
    }
    const fixed = (value: number, digits: number) => value.toFixed(digits);
    return [
      `One socket.io gateway process (Express), ${SOCKETS} connections authenticated with a token in \`auth.token\`, each sending the next message once the last is acknowledged; ${ROUNDS} interleaved rounds of ${SECONDS} s per event. Median messages per second, and the median of each round's ratio to \`open\` (lowest–highest).`,
      '',
      '| message | handler | messages/s | vs `open` |',
      '| --- | --- | --- | --- |',
      ...EVENTS.map((event) => {
        const eventRatios = ratios.get(event)!;
        const handler =
          event === 'open'
            ? 'no requirement (the gateway guard only)'
            : event === 'signed-in'
              ? '`@RequireSignIn()`'
              : '`@RequireRecentAuth(300)`';
        return `| \`${event}\` | ${handler} | ${fixed(median(rates.get(event)!), 0)} | ${fixed(median(eventRatios), 2)} (${fixed(Math.min(...eventRatios), 2)}–${fixed(Math.max(...eventRatios), 2)}) |`;
      }),
      '',
    ].join('\n');
  });
  process.stdout.write(report);
}

runMain('bench:websockets', main);
