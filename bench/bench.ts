// npm run bench — what our guard costs under load next to a bare route and the usual recipes,
// and what token verification costs next to a bare crypto.verify. Markdown on stdout, progress on
// stderr. Every phase is bounded in time, and every server process is killed however it ends.
import { startAuthKitEmulator } from 'authkit-emulator';
import { freePort } from '../test/support/ports';
import { startApp, stopAllApps } from './app-process';
import { ROUTE, type AppConfig } from './config';
import { measureLoad, type LoadResult } from './load';
import { proveItChecks } from './proof';
import { formatReport, formatRows, ROUNDS } from './report';
import { scenarios, type Scenario } from './scenarios';
import { ALICE, signInOnce } from './session-cookie';
import { measureVerification } from './verification';

const STALE_SECONDS = 1000;
// BENCH_ONLY=a,a′,b runs those rows alone: a quick look, whose report leaves out the targets.
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
// Outlives the whole run (about ten minutes), so that no token expires while it is measured.
const TOKEN_LIFETIME_SECONDS = 1800;

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  // Every app listens on this one port in turn: the emulator must know the redirect URI upfront.
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
  const emulator = await startAuthKitEmulator({
    port: 0,
    testControls: true,
    redirectUris: [redirectUri],
    // The signed-in cookie's access token outlives the run too, so it is never refreshed.
    accessTokenTtlSeconds: TOKEN_LIFETIME_SECONDS,
  });
  try {
    const mint = (authTime: number) =>
      emulator.mintAccessToken({
        email: ALICE.email,
        authTime,
        expiresIn: TOKEN_LIFETIME_SECONDS,
      });
    const stale = await mint(emulator.now() - STALE_SECONDS);
    const config: Omit<AppConfig, 'kind' | 'platform'> = {
      port,
      emulatorUrl: emulator.url,
      emulatorPort: emulator.port,
      clientId: emulator.clientId,
      apiKey: emulator.apiKey,
      redirectUri,
    };
    // Rounds interleave the apps, and every ratio is taken within a round, then the median of the
    // rounds reported: on a shared two-core machine one app measured alone would take whatever
    // the machine did at that moment. Each round signs in anew: the run outlasts the routes'
    // 300 s, and a sign-in from its start would be refused as stale by its end.
    const results = new Map<string, LoadResult[]>();
    let all: Scenario[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`round ${round}/${ROUNDS}: signing in (a fresh token and a wos-session cookie)`);
      const fresh = await mint(emulator.now());
      all = scenarios({ fresh, stale }, await signInOnce(config, emulator)).filter(
        (scenario) => !only || only.includes(scenario.id),
      );
      for (const scenario of all) {
        if (!results.has(scenario.id)) results.set(scenario.id, []);
        progress(`round ${round}/${ROUNDS}: (${scenario.id}) ${scenario.label}`);
        const app = await startApp({
          ...config,
          kind: scenario.app,
          platform: scenario.platform ?? 'express',
        });
        try {
          const url = `${app.url}${ROUTE}`;
          const headers = await scenario.credentials(app.url);
          await proveItChecks(url, scenario, headers);
          results.get(scenario.id)!.push(await measureLoad(url, headers, scenario.expect.status));
        } finally {
          await app.stop();
        }
      }
    }
    const rows = all.map((scenario) => ({ scenario, rounds: results.get(scenario.id)! }));
    if (only) {
      process.stdout.write(formatRows(rows));
      return;
    }
    progress('token verification');
    const rates = await measureVerification(emulator, redirectUri, ROUNDS);
    process.stdout.write(formatReport(rows, rates));
  } finally {
    await stopAllApps();
    await emulator.close();
  }
}

// The library's own errors say little on their own ("temporarily unavailable"): show the causes.
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message} (${describe(error.cause)})`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${describe(error)}\n`);
  process.exitCode = 1;
});
