// npm run bench:curves — what the guard costs, and what the server holds in memory, as the
// number of distinct users in rotation grows past what the library's caches hold: requests/s and
// RSS for 1 to 100,000 distinct Bearer tokens, then as many sealed session cookies. Markdown on
// stdout, progress on stderr, the chart in bench/cost-curves.svg. Every phase is bounded in time,
// and every server process is killed however the run ends.
import type { AuthKitEmulator } from 'authkit-emulator';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sdkFor } from '../test/support/emulator';
import { startApp } from './app-process';
import { runMain, withBench } from './harness';
import { MAX_AGE, ROUTE, type AppConfig } from './config';
import { CookieSealer, mintTokens } from './curves-credentials';
import { heapProbeFlags } from './curves-heap-probe';
import { MEASURED_RUNS, RotatingLoad } from './curves-load';
import { memoryOf, retainedMemoryOf } from './curves-memory';
import { curvesSvg, formatCurves, type CurvePath, type CurveRow } from './curves-report';
import { MEASURE_SECONDS } from './load';
import { proveItChecks } from './proof';
import { signInForSessionCookie } from './session-cookie';

type Headers = Record<string, string>;

/** Distinct users per row; `CURVES_USERS=1,1000` runs others (a quick look, or more points). */
const DEFAULT_USERS = [1, 1_000, 10_000, 100_000];
/**
 * What the library's caches hold: verified tokens (VERIFIED_CACHE_ENTRIES of
 * libs/reauth/src/authentication/access-token.verifier.ts) and opened cookies (UNSEALED_CACHE_ENTRIES of
 * session-cookie.service.ts). Up to this many users get a warm-up pass over all of them.
 */
const CACHE_ENTRIES = 10_000;
// Outlives the whole run: no token expires (nor leaves the verified-token cache) while measured.
const TOKEN_LIFETIME_SECONDS = 3600;
const STALE_SECONDS = 1000;
// Not the app's: a cookie sealed with it must be refused.
const OTHER_PASSWORD = 'not-the-bench-cookie-password-but-as-long-as-it!';
// Bounds of the phases outside the load runs (those bound themselves).
const SIGN_IN_TIMEOUT_MS = 60_000;
const CREDENTIALS_TIMEOUT_MS = 180_000;
const SVG_PATH = join(__dirname, 'cost-curves.svg');

const ACCEPT = { accept: 'application/json' };

const progress = (line: string) => process.stderr.write(`bench:curves: ${line}\n`);

/** `"1,1000"` as [1, 1000]; undefined when unset. */
function usersFromEnv(value: string | undefined): number[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const users = value.split(',').map((part) => Number(part.trim()));
  if (users.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new Error(`CURVES_USERS must be positive integers separated by commas, got ${value}`);
  }
  return users;
}

/** Rejects with "`what` did not end within ..." unless `promise` settles within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One row to measure: whose credentials, how many, and what the app must refuse first. */
interface RowPlan {
  path: CurvePath;
  users: number;
  /** The i-th credential's request headers. */
  headersOf: (i: number) => Headers;
  refused: { what: string; headers: Headers }[];
  /** When the credentials' users signed in (emulator seconds): they must stay within MAX_AGE. */
  authTime: number;
}

/**
 * Everything a row needs, made just before it runs (once its app started): `users` distinct tokens signed in now, and
 * for the cookie path a sealed session around each. Fresh per row, so every credential is well
 * within the route's MAX_AGE (300 s) while it is measured.
 */
async function planRow(
  emulator: AuthKitEmulator,
  sealer: CookieSealer,
  staleToken: string,
  path: CurvePath,
  users: number,
): Promise<RowPlan> {
  const authTime = emulator.now();
  const tokens = await within(
    mintTokens(emulator, users, authTime, TOKEN_LIFETIME_SECONDS),
    CREDENTIALS_TIMEOUT_MS,
    `minting ${users} tokens`,
  );
  const none = { what: 'a request without credentials', headers: ACCEPT };
  if (path === 'Bearer') {
    const bearer = (token: string) => ({ ...ACCEPT, authorization: `Bearer ${token}` });
    return {
      path,
      users,
      authTime,
      headersOf: (i) => bearer(tokens[i]),
      refused: [
        none,
        { what: `a token signed in ${STALE_SECONDS} s ago`, headers: bearer(staleToken) },
      ],
    };
  }
  const cookies = await within(
    sealer.cookies(tokens),
    CREDENTIALS_TIMEOUT_MS,
    `sealing ${users} cookies`,
  );
  const foreign = await sealer.cookie(tokens[0], OTHER_PASSWORD);
  return {
    path,
    users,
    authTime,
    headersOf: (i) => ({ ...ACCEPT, cookie: cookies[i] }),
    refused: [
      none,
      { what: 'a cookie sealed with another password', headers: { ...ACCEPT, cookie: foreign } },
    ],
  };
}

/**
 * Fails before the measured runs if the credentials' sign-in could grow older than MAX_AGE
 * during them: every request would still have to get a 200, so the run would fail anyway, but
 * with a less telling message.
 */
function assertFreshThrough(emulator: AuthKitEmulator, plan: RowPlan): void {
  const needed = MEASURED_RUNS * MEASURE_SECONDS + 10;
  const age = emulator.now() - plan.authTime;
  if (age + needed > MAX_AGE) {
    throw new Error(
      `${plan.path} × ${plan.users}: the sign-in is ${age} s old; the measured runs would outlast ` +
        `the route's ${MAX_AGE} s`,
    );
  }
}

/**
 * One row in a fresh app process (so that each row's caches and RSS are its own): proves that
 * the app refuses what it must and accepts the first credential, warms up, measures, and reads
 * the process's memory before and after.
 */
async function measureRow(
  config: AppConfig,
  emulator: AuthKitEmulator,
  makePlan: () => Promise<RowPlan>,
): Promise<CurveRow> {
  const app = await startApp(config, { nodeFlags: heapProbeFlags() });
  try {
    // Made once the app runs: the library refuses tokens issued before its store began.
    const plan = await makePlan();
    const url = `${app.url}${ROUTE}`;
    const atStart = await memoryOf(app.pid);
    const retainedAtStart = await retainedMemoryOf(app.pid);
    await proveItChecks(
      url,
      {
        id: `${plan.path} × ${plan.users}`,
        label: `RecentAuthGuard, ${plan.users} distinct ${plan.path} credentials`,
        app: 'reauth',
        credentials: () => plan.headersOf(0),
        expect: { status: 200 },
        refused: plan.refused,
      },
      plan.headersOf(0),
    );
    // The proofs came first: a stale token that verified sits in the verified-token cache, and
    // at exactly CACHE_ENTRIES users it is the entry the pass evicts, not one of the users'.
    const load = new RotatingLoad(url, plan.users, plan.headersOf);
    const fullPass = plan.users <= CACHE_ENTRIES;
    if (fullPass) await load.pass();
    await load.warmUp();
    assertFreshThrough(emulator, plan);
    const result = await load.measure();
    // RSS first, as the run left it; then the heap the process retains after a collection.
    const after = await memoryOf(app.pid);
    const retainedAfter = await retainedMemoryOf(app.pid);
    return {
      path: plan.path,
      users: plan.users,
      fullPass,
      load: result,
      atStart,
      after,
      retainedAtStart,
      retainedAfter,
    };
  } finally {
    await app.stop();
  }
}

/**
 * A real sign-in through the app and the emulator's pages, once: the sealed cookies copy the
 * shape of its session.
 */
async function sealerFromSignIn(
  config: AppConfig,
  emulator: AuthKitEmulator,
): Promise<CookieSealer> {
  const app = await startApp(config);
  try {
    const cookie = await within(
      signInForSessionCookie(app.url, emulator, config.redirectUri),
      SIGN_IN_TIMEOUT_MS,
      'the sign-in',
    );
    return await CookieSealer.fromSignIn(sdkFor(emulator), cookie);
  } finally {
    await app.stop();
  }
}

function describeRow(row: CurveRow): string {
  return (
    `${row.path} × ${row.users.toLocaleString('en')}: ` +
    `${Math.round(row.load.requestsPerSecond).toLocaleString('en')} requests/s ` +
    `(runs ${row.load.runs.map((r) => Math.round(r)).join(', ')}), ` +
    `RSS ${row.atStart.rssMb.toFixed(1)} → ${row.after.rssMb.toFixed(1)} MB, ` +
    `heap after GC ${row.retainedAtStart.heapUsedMb.toFixed(1)} → ` +
    `${row.retainedAfter.heapUsedMb.toFixed(1)} MB`
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const allUsers = usersFromEnv(process.env.CURVES_USERS) ?? DEFAULT_USERS;
  await withBench(TOKEN_LIFETIME_SECONDS, async ({ emulator, config: base }) => {
    const config: AppConfig = { ...base, kind: 'reauth', platform: 'express' };
    progress('signing in once, for the shape of a sealed session');
    const sealer = await sealerFromSignIn(config, emulator);
    const [staleToken] = await mintTokens(
      emulator,
      1,
      emulator.now() - STALE_SECONDS,
      TOKEN_LIFETIME_SECONDS,
    );
    const rows: CurveRow[] = [];
    for (const path of ['Bearer', 'cookie'] as const) {
      for (const users of allUsers) {
        const row = await measureRow(config, emulator, async () => {
          progress(`${path} × ${users.toLocaleString('en')}: making the credentials`);
          const plan = await planRow(emulator, sealer, staleToken, path, users);
          progress(`${path} × ${users.toLocaleString('en')}: measuring`);
          return plan;
        });
        progress(describeRow(row));
        rows.push(row);
      }
    }
    const setup = { cacheEntries: CACHE_ENTRIES };
    await writeFile(SVG_PATH, curvesSvg(rows, setup));
    process.stdout.write(formatCurves(rows, setup));
    progress(`done in ${Math.round((Date.now() - started) / 1000)} s; chart in ${SVG_PATH}`);
  });
}

runMain('bench:curves', main);
