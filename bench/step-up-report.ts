// The report's section on confirmation inside the page: (i) and (j) against the cookie row (c),
// and the guard on a session with a ledger (k) against the Bearer (b) and cookie (c) rows.
import {
  count,
  fixed,
  isConfirmationRow,
  ms,
  spread,
  stats,
  table,
  type LoadRow,
  type RatioStats,
} from './report';

/** `pick(top) / pick(bottom)` within each round. */
function within(top: LoadRow, bottom: LoadRow, pick: (row: LoadRow, i: number) => number) {
  return stats(top.rounds.map((_, i) => pick(top, i) / pick(bottom, i)));
}

const rate = (row: LoadRow, i: number) => row.rounds[i].requestsPerSecond;
const p50 = (row: LoadRow, i: number) => row.rounds[i].p50Ms;
const withSpread = (ratio: RatioStats) => `${fixed(ratio.median)} (${spread(ratio)})`;

/** The round with the median rate, as the load table shows it. */
function medianRound(row: LoadRow) {
  const sorted = [...row.rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The section, or nothing when none of (i), (j), (k) ran. */
export function formatStepUp(rows: LoadRow[]): string[] {
  const find = (id: string) => rows.find((row) => row.scenario.id === id);
  const [b, c, k, control] = [find('b'), find('c'), find('k'), find('k′')];
  const confirmations = rows.filter(isConfirmationRow);
  if (confirmations.length === 0 && !k) return [];
  const lines = ['## Confirmation inside the page', ''];
  if (confirmations.length > 0) {
    lines.push(
      'Confirmations/s with 50 connections, each confirming again and again in one session; a ' +
        "confirmation's latency is the server's time summed over its requests (the load " +
        'generator signing the assertion in between is left out). "vs (c)" is confirmations/s ÷ ' +
        "(c) requests/s, and p50 ÷ (c) p50 (autocannon's whole milliseconds), within each " +
        'round: median (lowest-highest round). "alone": the latency with 1 connection, in the ' +
        'median round.',
      '',
      ...table(
        [
          'confirmation',
          'requests',
          'confirmations/s',
          'spread',
          'p50 (ms)',
          'p99 (ms)',
          'vs (c)',
          'p50 vs (c)',
          'alone p50 (ms)',
          'alone p99 (ms)',
        ],
        confirmations.map((row) => {
          const result = medianRound(row);
          const all = stats(row.rounds.map((r) => r.requestsPerSecond));
          return [
            `(${row.scenario.id}) ${row.scenario.label}`,
            String(row.rounds[0].requests ?? 1),
            count(result.requestsPerSecond),
            `${count(all.min)}-${count(all.max)}`,
            ms(result.p50Ms),
            ms(result.p99Ms),
            c ? withSpread(within(row, c, rate)) : '',
            c ? withSpread(within(row, c, p50)) : '',
            result.alone ? ms(result.alone.p50Ms) : '',
            result.alone ? ms(result.alone.p99Ms) : '',
          ];
        }),
      ),
      '',
    );
  }
  if (k && b && c) {
    // The claim: (k) stays within the spread of today's Bearer and cookie rows.
    const today = stats([...b.rounds, ...c.rounds].map((r) => r.requestsPerSecond));
    const ledger = stats(k.rounds.map((r) => r.requestsPerSecond));
    const verdict =
      ledger.median < today.min ? 'below' : ledger.median > today.max ? 'above' : 'within';
    const atLeastLower = k.rounds.filter(
      (r, i) => r.requestsPerSecond >= Math.min(rate(b, i), rate(c, i)),
    ).length;
    lines.push(
      '(k) against the rows of today, within each round: median (lowest-highest round).',
      '',
      ...table(
        ['measure', 'median', 'spread'],
        (
          [
            ['(k)/(c): against a fresh cookie session', within(k, c, rate)],
            ['(k)/(b): against a fresh Bearer token', within(k, b, rate)],
            ...(control
              ? ([
                  [
                    '(k)/(k′): the ledger read alone, same app and cookie',
                    within(k, control, rate),
                  ],
                ] as const)
              : []),
          ] as const
        ).map(([label, ratio]) => [label, fixed(ratio.median), spread(ratio)]),
      ),
      '',
      `(k) median ${count(ledger.median)} requests/s; the rounds of (b) and (c) span ` +
        `${count(today.min)}-${count(today.max)}: **${verdict}** their spread. (k) was at least ` +
        `the lower of (b) and (c) in ${atLeastLower} of ${k.rounds.length} rounds.`,
      '',
    );
  }
  return lines;
}
