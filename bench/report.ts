import { cpus } from 'node:os';
import { CONNECTIONS, MEASURE_SECONDS, WARM_UP_SECONDS, type LoadResult } from './load';
import type { Scenario } from './scenarios';
import {
  FIRST_SEEN_TOKENS,
  IN_FLIGHT,
  LOOP_MS,
  type VerificationRates,
  type VerificationResults,
} from './verification';

export interface LoadRow {
  scenario: Scenario;
  result: LoadResult;
}

const count = (n: number) => Math.round(n).toLocaleString('en');
const ratio = (n: number) => n.toFixed(2);
const ms = (n: number) => n.toFixed(1);

function table(head: string[], rows: string[][]): string[] {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

// A cost in crypto.verify calls: how many bare signature checks one verification is worth.
const cost = (rates: VerificationRates, ops: number) => ratio(rates.crypto / ops);

function rateRow(label: string, rates: VerificationRates): string[] {
  return [
    label,
    count(rates.crypto),
    count(rates.oneAtATime),
    cost(rates, rates.oneAtATime),
    count(rates.inFlight),
    cost(rates, rates.inFlight),
  ];
}

function atLeast(label: string, value: number, goal: number): string {
  return `- ${label}: ${ratio(value)} (target >= ${goal}): ${value >= goal ? 'met' : 'NOT met'}`;
}

function atMost(label: string, value: number, goal: number): string {
  return `- ${label}: ${ratio(value)} (target <= ${goal}): ${value <= goal ? 'met' : 'NOT met'}`;
}

/** The whole report, in Markdown. */
export function formatReport(
  rows: LoadRow[],
  { sameToken, firstSeen }: VerificationResults,
): string {
  const rps = (id: string) => rows.find((row) => row.scenario.id === id)!.result.requestsPerSecond;
  const bare = rps('a');
  return [
    '## Guards under load',
    '',
    `Node ${process.version}, ${cpus().length} CPUs, 127.0.0.1, autocannon in the parent with ` +
      `${CONNECTIONS} connections, each app in its own process: ${WARM_UP_SECONDS} s warm-up, ` +
      `then ${MEASURE_SECONDS} s measured; the median of 3 interleaved rounds.`,
    '',
    ...table(
      ['app', 'answer', 'requests/s', 'p50 (ms)', 'p99 (ms)', 'vs (a)'],
      rows.map(({ scenario, result }) => [
        `(${scenario.id}) ${scenario.label}`,
        String(scenario.expect.status),
        count(result.requestsPerSecond),
        ms(result.p50Ms),
        ms(result.p99Ms),
        ratio(result.requestsPerSecond / bare),
      ]),
    ),
    '',
    '## Token verification alone',
    '',
    `RS256. Ops/s of a bare \`crypto.verify\` and of \`AccessTokenVerifier\` (awaited one at a ` +
      `time, and ${IN_FLIGHT} in flight); cost = crypto.verify ops/s ÷ verifier ops/s. One token ` +
      `repeated, then ${count(FIRST_SEEN_TOKENS)} distinct tokens each verified once (a new ` +
      `verifier per run); each loop stops after ${LOOP_MS / 1000} s or when the tokens run out.`,
    '',
    ...table(
      [
        'tokens',
        'crypto.verify',
        'verifier, 1 at a time',
        'cost',
        `verifier, ${IN_FLIGHT} in flight`,
        'cost',
      ],
      [rateRow('same token', sameToken), rateRow('first-seen tokens', firstSeen)],
    ),
    '',
    '## Targets',
    '',
    `- (a′)/(a) requests/s: ${(rps('a′') / bare).toFixed(2)}: what any global guard costs; (b)/(a′) = ${(rps('b') / rps('a′')).toFixed(2)}, (c)/(a′) = ${(rps('c') / rps('a′')).toFixed(2)}`,
    atLeast('(b)/(a) requests/s', rps('b') / bare, 0.95),
    atLeast('(c)/(a) requests/s', rps('c') / bare, 0.95),
    atMost(
      'first-seen token cost in crypto.verify calls, 1 at a time',
      firstSeen.crypto / firstSeen.oneAtATime,
      1.5,
    ),
    atMost(
      `first-seen token cost in crypto.verify calls, ${IN_FLIGHT} in flight`,
      firstSeen.crypto / firstSeen.inFlight,
      1.5,
    ),
    atLeast('(f)/(a) requests/s', rps('f') / bare, 0.5),
    `- (g′)/(g) requests/s: ${(rps('g′') / rps('g')).toFixed(2)}: what any global guard costs on Fastify; (h)/(g′) = ${(rps('h') / rps('g′')).toFixed(2)}`,
    atLeast('(Bearer on Fastify)/(bare Fastify) requests/s, (h)/(g)', rps('h') / rps('g'), 0.8),
    '',
  ].join('\n');
}
