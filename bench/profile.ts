// npm run bench:profile — where the `reauth` app spends its CPU on four of the guard's paths:
// each runs in its own process under `node --cpu-prof` while autocannon loads it, and the profile
// of the loaded seconds is summarised. Markdown on stdout, progress on stderr; the raw profiles
// stay in a temporary directory. Every phase is bounded in time, and every server process is
// stopped however the run ends.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { startApp } from './app-process';
import { runMain, withBench } from './harness';
import { ROUTE, type AppConfig } from './config';
import { cannon, CONNECTIONS, WARM_UP_SECONDS } from './load';
import { formatProfileReport, type ProfiledRun } from './profile-report';
import { typeScriptLines } from './profile-source-lines';
import {
  summariseProfile,
  type CpuProfile,
  type EntryPoint,
  type TimeWindow,
} from './profile-summary';
import { proveItChecks } from './proof';
import { scenarios, type Scenario } from './scenarios';
import { credentialSource } from './session-cookie';

const STALE_SECONDS = 1000;
// Outlives the whole run, so that no token expires while it is profiled.
const TOKEN_LIFETIME_SECONDS = 900;
/** Seconds of load profiled per path; `PROFILE_SECONDS` overrides it for a shorter look. */
const PROFILED_SECONDS = 8;
/** V8's sampling interval (its default is 1,000 µs); `PROFILE_INTERVAL_US` overrides it. */
const INTERVAL_US = 500;
const TOP_FRAMES = 12;
const TOP_LIBRARY_FRAMES = 5;
const REPO_ROOT = resolve(__dirname, '..');

/** The paths profiled: scenarios of bench/scenarios.ts by id, and a file name for each profile. */
const PATHS = [
  { id: 'b', name: 'Bearer', file: 'bearer' },
  { id: 'c', name: 'cookie', file: 'cookie' },
  { id: 'f', name: 'stale refusal', file: 'stale' },
  { id: 'f′', name: 'anonymous page view', file: 'page-view' },
] as const;

/** The library's functions whose inclusive time is reported, where they ran. */
const ENTRY_POINTS: EntryPoint[] = [
  ['RecentAuthGuard.canActivate', 'recent-auth.guard.ts', 'canActivate'],
  ['RequestAuthenticator.authenticate', 'tokens/request-authenticator.ts', 'authenticate'],
  ['AccessTokenVerifier.verify', 'tokens/access-token.verifier.ts', 'verify'],
  ['SessionCookieService.unseal', 'tokens/session-cookie.service.ts', 'unseal'],
  ['ReauthExceptionFilter.catch', 'reauth-exception.filter.ts', 'catch'],
  ['ReauthStarter.start', 'flow/reauth-starter.ts', 'start'],
  ['sealState', 'core/state-seal.ts', 'sealState'],
  [
    'WorkOSIdentityProvider.authorizationUrl',
    'providers/workos/workos.provider.ts',
    'authorizationUrl',
  ],
  ['new ReauthRequiredException', 'reauth-required.exception.ts', 'ReauthRequiredException'],
].map(([label, file, functionName]) => ({ label, file: `libs/reauth/src/${file}`, functionName }));

const progress = (line: string) => process.stderr.write(`profile: ${line}\n`);

/** The monotonic clock in microseconds: the clock the profile's timestamps are on. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** A positive number from the environment, or `fallback` when the variable is unset. */
function positiveNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name}=${process.env[name]}: expected a positive number`);
  return value;
}

/** How long to load each path and how often to sample, from the environment or the defaults. */
interface Timing {
  seconds: number;
  intervalUs: number;
}

/** The paths to profile: all four, or those `PROFILE_PATHS` lists by id or file (`b,stale`). */
function selectedPaths(): (typeof PATHS)[number][] {
  const wanted = process.env.PROFILE_PATHS?.split(',').map((id) => id.trim());
  if (!wanted) return [...PATHS];
  const chosen = PATHS.filter((path) => wanted.includes(path.id) || wanted.includes(path.file));
  if (chosen.length === 0) throw new Error(`PROFILE_PATHS=${wanted.join(',')}: no such path`);
  return chosen;
}

/**
 * Profiles one path: starts the app under `--cpu-prof`, proves it checks, warms up, loads it for
 * the profiled seconds, stops it so that V8 writes the profile, and summarises those seconds.
 */
async function profilePath(
  path: (typeof PATHS)[number],
  scenario: Scenario,
  config: AppConfig,
  dir: string,
  sourceLine: ReturnType<typeof typeScriptLines>,
  timing: Timing,
): Promise<ProfiledRun> {
  const file = join(dir, `${path.file}.cpuprofile`);
  const app = await startApp(config, {
    nodeFlags: [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${path.file}.cpuprofile`,
      `--cpu-prof-interval=${timing.intervalUs}`,
    ],
    graceful: true,
  });
  let result: autocannon.Result;
  let loaded: TimeWindow;
  try {
    const url = `${app.url}${ROUTE}`;
    const headers = await scenario.credentials(app.url);
    await proveItChecks(url, scenario, headers);
    await cannon(url, headers, WARM_UP_SECONDS, scenario.expect.status);
    const startUs = nowUs();
    result = await cannon(url, headers, timing.seconds, scenario.expect.status);
    loaded = { startUs, endUs: nowUs() };
  } finally {
    // Graceful: the server exits on its own, and V8 writes the profile as it does.
    await app.stop();
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return {
    id: path.id,
    name: path.name,
    label: scenario.label,
    status: scenario.expect.status,
    requestsPerSecond: result.requests.average,
    profilePath: file,
    summary: summariseProfile(profile, {
      repoRoot: REPO_ROOT,
      window: loaded,
      top: TOP_FRAMES,
      topLibrary: TOP_LIBRARY_FRAMES,
      entryPoints: ENTRY_POINTS,
      sourceLine,
    }),
  };
}

async function main(): Promise<void> {
  const paths = selectedPaths();
  const timing: Timing = {
    seconds: positiveNumber('PROFILE_SECONDS', PROFILED_SECONDS),
    intervalUs: positiveNumber('PROFILE_INTERVAL_US', INTERVAL_US),
  };
  const dir = mkdtempSync(join(tmpdir(), 'reauth-profiles-'));
  progress(`raw profiles in ${dir}`);
  await withBench(TOKEN_LIFETIME_SECONDS, async ({ emulator, config: base }) => {
    const config: AppConfig = { ...base, kind: 'reauth', platform: 'express' };
    const all = scenarios(
      await credentialSource(config, emulator, TOKEN_LIFETIME_SECONDS, STALE_SECONDS),
    );
    const sourceLine = typeScriptLines(REPO_ROOT);

    const runs: ProfiledRun[] = [];
    for (const path of paths) {
      const scenario = all.find((candidate) => candidate.id === path.id);
      if (!scenario) throw new Error(`bench/scenarios.ts has no scenario (${path.id})`);
      progress(`(${path.id}) ${path.name}: ${scenario.label}`);
      const run = await profilePath(path, scenario, config, dir, sourceLine, timing);
      progress(`(${path.id}) ${Math.round(run.requestsPerSecond)} requests/s`);
      runs.push(run);
    }
    process.stdout.write(
      formatProfileReport(runs, {
        connections: CONNECTIONS,
        warmUpSeconds: WARM_UP_SECONDS,
        profiledSeconds: timing.seconds,
        intervalUs: timing.intervalUs,
        profileDir: dir,
      }),
    );
  });
}

runMain('bench:profile', main);
