import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvariantResult } from '../../soak/analysis';
import { runSoak, type SoakResult } from '../../soak/harness';
import { FLOW_KINDS } from '../../soak/observations';
import { renderLatencyChart, renderReport } from '../../soak/report';
import { FAULT_KINDS } from '../../soak/schedule';

// A few users for a few seconds of their lives, every fault once; the hanging faults alone hold
// users for 10 s (the SDK's timeout), so the whole run takes about 40 s.
jest.setTimeout(180_000);

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** The soak restarts its own `redis-server`: in CI one must be installed. */
function redisServerAvailable(): boolean {
  const found = spawnSync(REDIS_SERVER, ['--version']).status === 0;
  if (!found && process.env.CI) {
    throw new Error('The soak needs redis-server in CI: install it (bash .ci/run does)');
  }
  if (!found) process.stderr.write('Soak skipped: no redis-server on this machine\n');
  return found;
}

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

describeWithRedis('A short soak: 8 users, two instances, one Redis, every fault once', () => {
  let result: SoakResult;

  beforeAll(async () => {
    result = await runSoak({ users: 8, seconds: 12, seed: 7, redisServer: REDIS_SERVER });
    // For whoever reads a failure: the whole report, as `npm run soak` writes it (git ignores it).
    const artifacts = join(__dirname, '../../artifacts/soak');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'report.md'), renderReport(result));
    writeFileSync(join(artifacts, 'latency.svg'), renderLatencyChart(result));
  });

  it('injects every kind of fault, each for a window of its own', () => {
    expect(result.analysis.coverage.faultsInjected).toEqual([...FAULT_KINDS]);
    for (const fault of result.faults) expect(fault.endedAt).toBeGreaterThan(fault.startedAt);
  });

  it.each([...FLOW_KINDS])('goes through %s, and it works', (kind) => {
    expect(result.analysis.coverage.flowsOk[kind]).toBeGreaterThan(0);
  });

  it('moves every clock, and interrupts actions that come back', () => {
    expect(result.advances.length).toBeGreaterThanOrEqual(FAULT_KINDS.length * 2);
    const interrupted = result.observations.attempts.filter(
      (attempt) => attempt.interrupted && attempt.outcome === 'completed',
    );
    expect(new Set(interrupted.map((attempt) => attempt.kind))).toEqual(
      new Set(['email', 'delete', 'transfer']),
    );
  });

  const invariants = (): InvariantResult[] => result.analysis.invariants;
  it.each([
    'no-unexpected-5xx',
    'actions-exactly-once',
    'own-identity',
    'max-age-0',
    'sessions-survive',
    'bounded-memory',
    'bounded-keys',
    'instances-healthy',
    'understood-answers',
  ])('holds the invariant %s', (id) => {
    const invariant = invariants().find((candidate) => candidate.id === id);
    // A failure shows the counts and the first violations (and artifacts/soak/report.md all).
    expect({ id, pass: invariant?.pass, details: invariant?.details }).toEqual({
      id,
      pass: true,
      details: [],
    });
  });

  it('writes a report and a chart', () => {
    const report = renderReport(result);
    expect(report).toContain('**PASS**');
    for (const kind of FAULT_KINDS) expect(report).toContain(kind);
    expect(renderLatencyChart(result)).toMatch(/^<svg [^>]+>[\s\S]*<\/svg>\n$/);
  });
});
