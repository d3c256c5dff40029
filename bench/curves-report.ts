import { cpus } from 'node:os';
import { compactNumber, lineChartSvg } from './chart';
import { MEASURED_RUNS, type CurveLoad } from './curves-load';
import type { ProcessMemory, RetainedMemory } from './curves-memory';
import { CONNECTIONS, MEASURE_SECONDS, WARM_UP_SECONDS } from './load';

/** How the guard gets its caller: an `Authorization: Bearer` token, or a sealed session cookie. */
export type CurvePath = 'Bearer' | 'cookie';

export interface CurveRow {
  path: CurvePath;
  users: number;
  /** Whether a pass over every credential preceded the measured runs. */
  fullPass: boolean;
  load: CurveLoad;
  /** Right after the app listened, before any request. */
  atStart: ProcessMemory;
  /** After the measured runs. */
  after: ProcessMemory;
  /** After a forced garbage collection, before any request and after the measured runs. */
  retainedAtStart: RetainedMemory;
  retainedAfter: RetainedMemory;
}

/** What the report says about how the rows were taken. */
export interface CurveSetup {
  /** The capacity of the library's caches (verified tokens, opened cookies). */
  cacheEntries: number;
}

const PATH_LABELS: Record<CurvePath, string> = {
  Bearer: 'Bearer token',
  cookie: 'sealed wos-session cookie',
};
const COLORS: Record<CurvePath, string> = { Bearer: '#1f77b4', cookie: '#e8710a' };

const count = (n: number) => Math.round(n).toLocaleString('en');
const mb = (n: number) => n.toFixed(1);

/** The row of the same path with one user: what each ratio divides by. */
function baseline(rows: CurveRow[], path: CurvePath): CurveRow | undefined {
  return rows.find((row) => row.path === path && row.users === 1);
}

function table(head: string[], rows: string[][]): string[] {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

/** The Markdown section: how it was measured, then one line per (path, distinct users). */
export function formatCurves(rows: CurveRow[], setup: CurveSetup): string {
  const ratio = (row: CurveRow) => {
    const one = baseline(rows, row.path);
    return one ? (row.load.requestsPerSecond / one.load.requestsPerSecond).toFixed(2) : 'n/a';
  };
  return [
    '## Cost curves: distinct users in rotation',
    '',
    `Node ${process.version}, ${cpus().length} CPUs, 127.0.0.1, the \`reauth\` app on Express, a ` +
      `fresh process per row; autocannon in the parent with ${CONNECTIONS} connections, each ` +
      `request carrying the next of N distinct credentials in turn. Warm-up: one pass over every ` +
      `credential when N fits the library's caches (${count(setup.cacheEntries)} entries), then ` +
      `${WARM_UP_SECONDS} s; beyond that a pass would change nothing (cyclic access to more keys ` +
      `than an LRU holds misses every time). Measured: the median of ${MEASURED_RUNS} runs of ` +
      `${MEASURE_SECONDS} s. RSS from \`/proc/<pid>/status\` (\`VmRSS\`) right after the app ` +
      `listened and after the measured runs; heap: V8's heap in use after a forced garbage ` +
      `collection, at the same two moments. Every request got a 200.`,
    '',
    ...table(
      [
        'path',
        'distinct users',
        'requests/s',
        'vs 1 user',
        'warm-up',
        'runs (requests/s)',
        'p99 (ms)',
        'RSS, start → after (MB)',
        'heap after GC, start → after (MB)',
      ],
      rows.map((row) => [
        PATH_LABELS[row.path],
        count(row.users),
        count(row.load.requestsPerSecond),
        ratio(row),
        row.fullPass ? `pass + ${WARM_UP_SECONDS} s` : `${WARM_UP_SECONDS} s`,
        row.load.runs.map(count).join(' / '),
        row.load.p99Ms.toFixed(1),
        `${mb(row.atStart.rssMb)} → ${mb(row.after.rssMb)}`,
        `${mb(row.retainedAtStart.heapUsedMb)} → ${mb(row.retainedAfter.heapUsedMb)}`,
      ]),
    ),
    '',
  ].join('\n');
}

/** The two panels, requests/s and memory against distinct users, one line per path. */
export function curvesSvg(rows: CurveRow[], setup: CurveSetup): string {
  const paths = [...new Set(rows.map((row) => row.path))];
  const series = (value: (row: CurveRow) => number, dashed = false) =>
    paths.map((path) => ({
      label: PATH_LABELS[path],
      color: COLORS[path],
      dashed,
      points: rows
        .filter((row) => row.path === path)
        .map((row) => ({ x: row.users, y: value(row) })),
    }));
  return lineChartSvg({
    title: 'nest-workos-reauth: cost against distinct users in rotation',
    subtitle:
      `RecentAuthGuard on Express, ${CONNECTIONS} connections, median of ${MEASURED_RUNS} × ` +
      `${MEASURE_SECONDS} s, Node ${process.version}, ${cpus().length} CPUs`,
    xLabel: 'distinct users in rotation (log scale)',
    formatX: compactNumber,
    panels: [
      {
        title: 'Throughput',
        yLabel: 'requests/s',
        series: series((row) => row.load.requestsPerSecond),
      },
      {
        title: 'Memory: RSS (solid), heap after GC (dashed)',
        yLabel: 'MB',
        series: [
          ...series((row) => row.after.rssMb),
          ...series((row) => row.retainedAfter.heapUsedMb, true),
        ],
      },
    ],
    markers: [{ x: setup.cacheEntries, label: `cache capacity ${count(setup.cacheEntries)}` }],
  });
}
