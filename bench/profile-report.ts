// The Markdown of `npm run bench:profile`: an overview of the paths, then each path's frames,
// groups and library entry points.
import { cpus } from 'node:os';
import { GROUP_LABELS, type FrameRow, type ProfileSummary } from './profile-summary';

/** One profiled path: what it is, what it measured and where its raw profile is. */
export interface ProfiledRun {
  id: string;
  name: string;
  label: string;
  status: number;
  requestsPerSecond: number;
  profilePath: string;
  summary: ProfileSummary;
}

/** How the runs were made, for the report's preamble. */
export interface ProfileSetup {
  connections: number;
  warmUpSeconds: number;
  profiledSeconds: number;
  intervalUs: number;
  profileDir: string;
}

const count = (n: number) => Math.round(n).toLocaleString('en');
/** A percentage to one decimal; `<0.1` rather than `0.0` for a share that was sampled. */
const pct = (n: number) => (n > 0 && n < 0.05 ? '<0.1' : n.toFixed(1));

function table(head: string[], rows: string[][]): string[] {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

/** The self percentage of one group, 0 when it had no samples. */
function groupPercent(summary: ProfileSummary, where: string): number {
  return summary.groups.find((group) => group.where === where)?.selfPercent ?? 0;
}

const NAMED_GROUPS = [
  GROUP_LABELS.library,
  GROUP_LABELS.nest,
  GROUP_LABELS.express,
  GROUP_LABELS.node,
  GROUP_LABELS.native,
];

/** One row per path: throughput, idle, GC, and self time of the main groups. */
function overview(runs: readonly ProfiledRun[]): string[] {
  return table(
    [
      'path',
      'answer',
      'requests/s',
      'idle %',
      'GC %',
      'under library',
      'library',
      'NestJS',
      'Express',
      'Node',
      'V8/native',
      'other',
    ],
    runs.map(({ id, name, status, requestsPerSecond, summary }) => {
      const named = NAMED_GROUPS.map((where) => groupPercent(summary, where));
      const other = 100 - named.reduce((sum, n) => sum + n, 0);
      return [
        `(${id}) ${name}`,
        String(status),
        count(requestsPerSecond),
        pct(summary.idlePercent),
        pct(summary.gcPercent),
        pct(summary.libraryInclusivePercent),
        ...[...named, Math.max(0, other)].map(pct),
      ];
    }),
  );
}

/** `file:line`, or `(native)` for code V8 gives no script for. */
function location({ file, line }: FrameRow): string {
  if (file === '') return '(native)';
  return line > 0 ? `${file}:${line}` : file;
}

/** Ranked functions: name, where, self %. */
function framesTable(frames: readonly FrameRow[]): string[] {
  return table(
    ['#', 'function', 'file:line', 'self %'],
    frames.map((frame, i) => [
      String(i + 1),
      `\`${frame.functionName}\``,
      location(frame),
      pct(frame.selfPercent),
    ]),
  );
}

/** One path's section: its numbers, top frames, groups and entry points. */
function pathSection(run: ProfiledRun): string[] {
  const { summary } = run;
  const entries = summary.entries.filter((entry) => entry.inclusivePercent > 0);
  const unseen = summary.entries.filter((entry) => entry.inclusivePercent === 0);
  return [
    `### (${run.id}) ${run.name}: ${run.label}`,
    '',
    `${count(run.requestsPerSecond)} requests/s, every answer ${run.status}. ` +
      `${count(summary.samples)} samples over ${(summary.sampledMs / 1000).toFixed(1)} s` +
      `${summary.windowed ? ' (the profiled run only)' : ' (the whole profile: the window did not match)'}; ` +
      `idle ${pct(summary.idlePercent)} %; of the non-idle samples, GC ${pct(summary.gcPercent)} % ` +
      `and \`(program)\` ${pct(summary.programPercent)} %. Profile: \`${run.profilePath}\`.`,
    '',
    `Top ${summary.top.length} functions by self time (% of non-idle samples):`,
    '',
    ...framesTable(summary.top),
    '',
    `The library's top ${summary.topLibrary.length} by self time:`,
    '',
    ...framesTable(summary.topLibrary),
    '',
    'Self time by where the code lives:',
    '',
    ...table(
      ['where', 'self %'],
      summary.groups.map(({ where, selfPercent }) => [where, pct(selfPercent)]),
    ),
    '',
    `Library entry points, inclusive: samples with the function on the stack (${pct(
      summary.libraryInclusivePercent,
    )} % have some library frame on it). An async function counts for its synchronous ` +
      'stretches: up to its first `await`, and each resumption after one.',
    '',
    ...(entries.length === 0
      ? ['None of them was sampled.']
      : table(
          ['entry point', 'inclusive %'],
          entries.map(({ label, inclusivePercent }) => [label, pct(inclusivePercent)]),
        )),
    ...(unseen.length === 0
      ? []
      : ['', `Not sampled: ${unseen.map(({ label }) => label).join(', ')}.`]),
    '',
  ];
}

/** The whole report, in Markdown. */
export function formatProfileReport(runs: readonly ProfiledRun[], setup: ProfileSetup): string {
  return [
    '## CPU profiles',
    '',
    `Node ${process.version}, ${cpus().length} CPUs, 127.0.0.1. The \`reauth\` app on Express in ` +
      `its own process under \`node --cpu-prof\` (a sample every ${setup.intervalUs} µs); ` +
      `autocannon in the parent with ${setup.connections} connections: ${setup.warmUpSeconds} s ` +
      `warm-up, then ${setup.profiledSeconds} s profiled. Only the samples of the profiled ` +
      `seconds count. Percentages are of the non-idle samples, except idle's (of all samples). ` +
      `Raw profiles in \`${setup.profileDir}\` (open them in Chrome DevTools or VS Code).`,
    '',
    ...overview(runs),
    '',
    '"under library": samples with a frame of libs/reauth/src anywhere on the stack (its code ' +
      'and what it calls, including a response its exception filter writes). "library" to ' +
      '"other": self time by where the code lives; V8/native includes GC, `(program)` and ' +
      'the socket writes (`writev`).',
    '',
    ...runs.flatMap(pathSection),
  ].join('\n');
}
