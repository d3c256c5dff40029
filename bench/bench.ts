// npm run bench — what our guard costs under load next to a bare route and the usual recipes,
// and what token verification costs next to a bare crypto.verify. Markdown on stdout, progress on
// stderr. Every phase is bounded in time, and every server process is killed however it ends.
import { startApp } from './app-process';
import { measureConfirmations } from './confirmation';
import { ROUTE } from './config';
import { runMain, withBench } from './harness';
import { measureLoad, type LoadResult } from './load';
import { proveItChecks } from './proof';
import { formatReport, formatRows, ROUNDS } from './report';
import { scenarios, type Scenario } from './scenarios';
import { formatStepUp } from './step-up-report';
import { credentialSource } from './session-cookie';
import { measureVerification } from './verification';

const STALE_SECONDS = 1000;
// BENCH_ONLY=a,a′,b runs those rows alone: a quick look, whose report leaves out the targets.
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
// Outlives the whole run (about ten minutes), so that no token expires while it is measured.
const TOKEN_LIFETIME_SECONDS = 1800;

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const report = await withBench(TOKEN_LIFETIME_SECONDS, async ({ emulator, config }) => {
    // Rounds interleave the apps, and every ratio is taken within a round, then the median of the
    // rounds reported: on a shared two-core machine one app measured alone would take whatever
    // the machine did at that moment. Each app gets credentials made once it runs (so within the
    // routes' 300 s however long the run, and issued since its store began).
    const results = new Map<string, LoadResult[]>();
    let all: Scenario[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`round ${round}/${ROUNDS}: signing in (a wos-session cookie for the bare apps)`);
      const source = await credentialSource(
        config,
        emulator,
        TOKEN_LIFETIME_SECONDS,
        STALE_SECONDS,
      );
      all = scenarios(source).filter((scenario) => !only || only.includes(scenario.id));
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
          const plan = await scenario.confirmation?.(app.url, headers);
          if (plan) await plan.prove();
          results
            .get(scenario.id)!
            .push(
              plan
                ? await measureConfirmations(app.url, headers, plan)
                : await measureLoad(url, headers, scenario.expect.status),
            );
        } finally {
          await app.stop();
        }
      }
    }
    const rows = all.map((scenario) => ({ scenario, rounds: results.get(scenario.id)! }));
    // Confirmation inside the page, (i) to (k), in a section of its own at the end.
    const section = formatStepUp(rows);
    const stepUp = section.length === 0 ? '' : ['', ...section].join('\n');
    if (only) return formatRows(rows) + stepUp;
    progress('token verification');
    const rates = await measureVerification(emulator, config.redirectUri, ROUNDS);
    return formatReport(rows, rates) + stepUp;
  });
  process.stdout.write(report);
}

runMain('bench', main);
