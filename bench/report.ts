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

/**
 * Interleaved rounds of every measurement; each ratio is the median of its rounds' ratios. 5;
 * `BENCH_ROUNDS` changes it for a smoke run of the harness.
 */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** A scenario and its result in each round, in round order. */
export interface LoadRow {
  scenario: Scenario;
  rounds: LoadResult[];
}

/** A row whose measured unit is a confirmation (several requests): reported on its own. */
export const isConfirmationRow = (row: LoadRow) => row.scenario.confirmation !== undefined;

/** A ratio over the rounds: their median, and the lowest and highest round. */
export interface RatioStats {
  median: number;
  min: number;
  max: number;
}

export const count = (n: number) => Math.round(n).toLocaleString('en');
export const fixed = (n: number) => n.toFixed(2);
export const ms = (n: number) => n.toFixed(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median and spread of per-round values. */
export function stats(values: number[]): RatioStats {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export const spread = ({ min, max }: RatioStats) => `${fixed(min)}-${fixed(max)}`;

export function table(head: string[], rows: string[][]): string[] {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

/** A target: a ratio, its goal and direction. */
interface Target {
  label: string;
  ratio: RatioStats;
  goal: number;
  atLeast: boolean;
}

const isMet = ({ ratio, goal, atLeast }: Target) =>
  atLeast ? ratio.median >= goal : ratio.median <= goal;

function targetRow(target: Target): string[] {
  return [
    target.label,
    fixed(target.ratio.median),
    spread(target.ratio),
    `${target.atLeast ? '>=' : '<='} ${target.goal}`,
    isMet(target) ? 'met' : '**NOT met**',
  ];
}

/**
 * The load table alone, with each row's ratios to (a), (a′) and its baseline (its `baseline`, else
 * (b)) when they ran (confirmation rows left to their own section); against the baseline, with
 * the lowest and highest round.
 */
export function formatRows(rows: LoadRow[]): string {
  const find = (id: string) => rows.find((row) => row.scenario.id === id);
  const within = (row: LoadRow, base: LoadRow | undefined) =>
    base
      ? fixed(
          stats(row.rounds.map((r, i) => r.requestsPerSecond / base.rounds[i].requestsPerSecond))
            .median,
        )
      : '';
  const againstBaseline = (row: LoadRow) => {
    const id = row.scenario.baseline ?? 'b';
    const base = find(id);
    if (!base || row === base) return '';
    const ratios = stats(
      row.rounds.map((r, i) => r.requestsPerSecond / base.rounds[i].requestsPerSecond),
    );
    return `(${row.scenario.id})/(${id}) ${fixed(ratios.median)} (${spread(ratios)})`;
  };
  return [
    ...table(
      ['app', 'requests/s (median round)', 'vs (a)', 'vs (a′)', 'vs its baseline'],
      rows
        .filter((row) => !isConfirmationRow(row))
        .map((row) => [
          `(${row.scenario.id}) ${row.scenario.label}`,
          count(stats(row.rounds.map((r) => r.requestsPerSecond)).median),
          within(row, find('a')),
          within(row, find('a′')),
          againstBaseline(row),
        ]),
    ),
    '',
  ].join('\n');
}

/** The whole report, in Markdown. */
export function formatReport(rows: LoadRow[], verification: VerificationResults[]): string {
  const row = (id: string) => {
    const found = rows.find((candidate) => candidate.scenario.id === id);
    if (!found) throw new Error(`no scenario (${id})`);
    return found;
  };
  const rps = (id: string) => row(id).rounds.map((round) => round.requestsPerSecond);
  const has = (id: string) => rows.some((candidate) => candidate.scenario.id === id);
  /** `a / b` within each round. */
  const ratio = (a: string, b: string) => {
    const [top, bottom] = [rps(a), rps(b)];
    return stats(top.map((value, i) => value / bottom[i]));
  };
  /** crypto.verify ops/s ÷ verifier ops/s within each round. */
  const cost = (pick: (round: VerificationResults) => VerificationRates, inFlight: boolean) =>
    stats(
      verification.map((round) => {
        const rates = pick(round);
        return rates.crypto / (inFlight ? rates.inFlight : rates.oneAtATime);
      }),
    );
  const medianRates = (pick: (round: VerificationResults) => VerificationRates) => {
    const of = (key: keyof VerificationRates) => median(verification.map((r) => pick(r)[key]));
    return { crypto: of('crypto'), oneAtATime: of('oneAtATime'), inFlight: of('inFlight') };
  };
  const rateRow = (label: string, pick: (round: VerificationResults) => VerificationRates) => {
    const rates = medianRates(pick);
    return [
      label,
      count(rates.crypto),
      count(rates.oneAtATime),
      `${fixed(cost(pick, false).median)} (${spread(cost(pick, false))})`,
      count(rates.inFlight),
      `${fixed(cost(pick, true).median)} (${spread(cost(pick, true))})`,
    ];
  };
  const sameToken = (round: VerificationResults) => round.sameToken;
  const firstSeen = (round: VerificationResults) => round.firstSeen;

  const targets: Target[] = [
    {
      label: 'Bearer, repeated token: (b)/(a′)',
      ratio: ratio('b', 'a′'),
      goal: 0.95,
      atLeast: true,
    },
    {
      label: 'cookie, repeated session: (c)/(b)',
      ratio: ratio('c', 'b'),
      goal: 0.95,
      atLeast: true,
    },
    {
      label: 'first-seen token, in crypto.verify calls, 1 at a time',
      ratio: cost(firstSeen, false),
      goal: 1.5,
      atLeast: false,
    },
    {
      label: `first-seen token, in crypto.verify calls, ${IN_FLIGHT} in flight`,
      ratio: cost(firstSeen, true),
      goal: 1.5,
      atLeast: false,
    },
    { label: 'stale JSON 401: (f)/(a)', ratio: ratio('f', 'a'), goal: 0.5, atLeast: true },
    {
      label: 'page view redirected to sign in: (f′)/(a)',
      ratio: ratio('f′', 'a'),
      goal: 0.5,
      atLeast: true,
    },
    { label: 'Bearer on Fastify: (h)/(g)', ratio: ratio('h', 'g'), goal: 0.8, atLeast: true },
    ...(has('m') && has('n')
      ? [
          {
            label: 'Bearer, the store on Redis: (m)/(b)',
            ratio: ratio('m', 'b'),
            goal: 0.9,
            atLeast: true,
          },
          {
            label: 'cookie, the store on Redis: (n)/(c)',
            ratio: ratio('n', 'c'),
            goal: 0.9,
            atLeast: true,
          },
        ]
      : []),
  ];
  const context: [string, RatioStats][] = [
    ['(a′)/(a): what any global guard costs', ratio('a′', 'a')],
    ['(b)/(a): Bearer against the bare route', ratio('b', 'a')],
    ['(c)/(a): cookie against the bare route', ratio('c', 'a')],
    ['(a″)/(a): what the cookie request of (c) costs a bare route', ratio('a″', 'a')],
    ['(c)/(a″): the cookie path against a bare route sent the same cookie', ratio('c', 'a″')],
    ['(g′)/(g): what any global guard costs on Fastify', ratio('g′', 'g')],
    ...(has('l') && has('b')
      ? ([
          ['(l)/(b): a level and a cached organization rule, on the Bearer row', ratio('l', 'b')],
        ] as [string, RatioStats][])
      : []),
  ];
  const medianOf = (id: string) => {
    const rounds = row(id).rounds;
    const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const bare = stats(rps('a')).median;

  return [
    '## Guards under load',
    '',
    `Node ${process.version}, ${cpus().length} CPUs, 127.0.0.1, autocannon in the parent with ` +
      `${CONNECTIONS} connections, each app in its own process: ${WARM_UP_SECONDS} s warm-up, ` +
      `then ${MEASURE_SECONDS} s measured, in ${ROUNDS} interleaved rounds. Each row is the ` +
      `round with the median requests/s; "spread" is the lowest and highest round.`,
    '',
    ...table(
      ['app', 'answer', 'requests/s', 'spread', 'p50 (ms)', 'p99 (ms)', 'vs (a)'],
      rows
        .filter((row) => !isConfirmationRow(row))
        .map(({ scenario }) => {
          const result = medianOf(scenario.id);
          const all = stats(rps(scenario.id));
          return [
            `(${scenario.id}) ${scenario.label}`,
            String(scenario.expect.status),
            count(result.requestsPerSecond),
            `${count(all.min)}-${count(all.max)}`,
            ms(result.p50Ms),
            ms(result.p99Ms),
            fixed(result.requestsPerSecond / bare),
          ];
        }),
    ),
    '',
    '## Token verification alone',
    '',
    `RS256. Ops/s of a bare \`crypto.verify\` and of \`AccessTokenVerifier\` (awaited one at a ` +
      `time, and ${IN_FLIGHT} in flight); cost = crypto.verify ops/s ÷ verifier ops/s within a ` +
      `round. One token repeated, then ${count(FIRST_SEEN_TOKENS)} distinct tokens each verified ` +
      `once (new verifiers each round); each loop stops after ${LOOP_MS / 1000} s or when the ` +
      `tokens run out. Medians of ${ROUNDS} rounds, the spread in brackets.`,
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
    `Each ratio is taken within a round; the median of ${ROUNDS} rounds decides.`,
    '',
    ...table(['measure', 'median', 'spread', 'target', ''], targets.map(targetRow)),
    '',
    ...table(
      ['for context', 'median', 'spread'],
      context.map(([label, value]) => [label, fixed(value.median), spread(value)]),
    ),
    '',
  ].join('\n');
}
