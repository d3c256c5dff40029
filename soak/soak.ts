// `npm run soak`: runs the soak with the options from the environment (soak/README.md), writes
// soak/report.md and soak/latency.svg, prints the verdict of each invariant, and exits with 1 when
// one fails (2 when the soak itself could not run).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { runSoak } from './harness';
import { soakOptionsFromEnv } from './options';
import { renderLatencyChart, renderReport } from './report';

const REPORT = join(__dirname, 'report.md');
const CHART = join(__dirname, 'latency.svg');

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<number> {
  const result = await runSoak(soakOptionsFromEnv(), (line) => say(`soak: ${line}`));
  // Formatted as the repository's own Markdown is, so that the committed report passes the check.
  const markdown = await format(renderReport(result), {
    ...(await resolveConfig(REPORT)),
    filepath: REPORT,
  });
  writeFileSync(REPORT, markdown);
  writeFileSync(CHART, renderLatencyChart(result));
  for (const invariant of result.analysis.invariants) {
    say(`${invariant.pass ? 'pass' : 'FAIL'}  ${invariant.title}`);
    say(`      ${invariant.counts}`);
  }
  say(`report: ${REPORT}\nchart: ${CHART}`);
  return result.analysis.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
