// The pure half of `npm run bench:profile`: where the samples of a V8 `.cpuprofile` went. No I/O:
// the caller reads the profile and says where the repository is and which stretch of time counts.

/** A function as V8 records it; `lineNumber` and `columnNumber` are 0-based, in the code it ran. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

/**
 * What `node --cpu-prof` writes: a call tree, and which node of it each sample hit. Times are in
 * microseconds on the machine's monotonic clock (the clock of `process.hrtime`).
 */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A stretch of the monotonic clock, in microseconds. */
export interface TimeWindow {
  startUs: number;
  endUs: number;
}

/** A function of the library whose inclusive time the summary reports, e.g. the guard's check. */
export interface EntryPoint {
  label: string;
  /** Repository-relative path of its file. */
  file: string;
  functionName: string;
}

export interface SummaryOptions {
  /** Absolute path of the repository, to shorten its files' paths. */
  repoRoot: string;
  /** Only the samples taken in this window count (the whole profile when omitted). */
  window?: TimeWindow;
  /** How many frames the self-time ranking lists, overall and of the library's alone. */
  top: number;
  topLibrary: number;
  entryPoints: readonly EntryPoint[];
  /**
   * The 1-based source line of a position in the code V8 ran, for files compiled on the fly
   * (TypeScript); V8's own line + 1 when it returns undefined or is omitted.
   */
  sourceLine?: (path: string, line: number, column: number) => number | undefined;
}

/** One function of the self-time ranking. */
export interface FrameRow {
  functionName: string;
  /** Package-relative (`express/lib/…`, `node:…`) or repository-relative path; empty if native. */
  file: string;
  /** 1-based; 0 when V8 gives none (native code). */
  line: number;
  selfPercent: number;
}

export interface GroupRow {
  where: string;
  selfPercent: number;
}

export interface EntryRow {
  label: string;
  /** Share of non-idle samples with this function on the stack; 0 if it never ran. */
  inclusivePercent: number;
}

export interface ProfileSummary {
  /** Samples in the window, idle included. */
  samples: number;
  /** Milliseconds the samples in the window cover. */
  sampledMs: number;
  /** Whether the window matched the profile; when not, the whole profile was summarised. */
  windowed: boolean;
  /** Of all samples in the window. */
  idlePercent: number;
  /** The next two are of the non-idle samples, like every other percentage below. */
  gcPercent: number;
  programPercent: number;
  /**
   * Samples with a frame of the library anywhere on the stack: its own code and what it calls
   * (including, after an `await`, a response its filter writes).
   */
  libraryInclusivePercent: number;
  top: FrameRow[];
  /** The library's own functions with the most self time. */
  topLibrary: FrameRow[];
  groups: GroupRow[];
  entries: EntryRow[];
}

const IDLE = '(idle)';
const PROGRAM = '(program)';
const GC = '(garbage collector)';
/** V8's pseudo-frames: they stand for time, not for a function, so the ranking leaves them out. */
const PSEUDO_FRAMES = new Set([IDLE, PROGRAM, GC, '(root)']);

const LIBRARY_DIR = 'libs/reauth/src/';

export const GROUP_LABELS = {
  library: 'the library (libs/reauth/src)',
  nest: 'NestJS (@nestjs/*)',
  express: 'Express & its middleware',
  node: 'Node internals (node:*)',
  native: 'V8/native (GC, (program), builtins, bindings)',
} as const;

/**
 * Express, its router and middleware, and what only they use. `cookie`, `escape-html` and
 * `negotiator` are left out: the library calls them itself, so they keep their own names.
 */
const EXPRESS_PACKAGES = new Set([
  'express',
  'router',
  'body-parser',
  'cors',
  'finalhandler',
  'send',
  'serve-static',
  'accepts',
  'type-is',
  'content-type',
  'content-disposition',
  'cookie-signature',
  'on-finished',
  'ee-first',
  'parseurl',
  'proxy-addr',
  'forwarded',
  'ipaddr.js',
  'qs',
  'side-channel',
  'range-parser',
  'fresh',
  'etag',
  'vary',
  'statuses',
  'http-errors',
  'depd',
  'encodeurl',
  'merge-descriptors',
  'mime-types',
  'mime-db',
  'media-typer',
  'path-to-regexp',
  'is-promise',
  'raw-body',
  'bytes',
  'iconv-lite',
  'unpipe',
  'once',
  'wrappy',
  'setprototypeof',
  'toidentifier',
  'debug',
  'ms',
]);

/** Where a script lives: its group, and its path shortened for reading. */
export interface Place {
  group: string;
  file: string;
}

/** The package a `node_modules` path belongs to, and the path inside it. */
function packageOf(path: string): { name: string; file: string } | undefined {
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const file = path.slice(at + '/node_modules/'.length);
  const parts = file.split('/');
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  return { name, file };
}

/** The group of a package: Nest, Express or its own name (`side-channel-map` is side-channel). */
function packageGroup(name: string): string {
  if (name.startsWith('@nestjs/')) return GROUP_LABELS.nest;
  if (EXPRESS_PACKAGES.has(name) || name.startsWith('side-channel-')) return GROUP_LABELS.express;
  return `package ${name}`;
}

/** The file path of a script's URL (a path already, or a `file://` URL). */
function pathOf(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
}

/** Classifies a script by its URL (a path, a `file://` URL, `node:…`, or empty for native code). */
export function placeOf(url: string, repoRoot: string): Place {
  if (url === '') return { group: GROUP_LABELS.native, file: '' };
  if (url.startsWith('node:')) return { group: GROUP_LABELS.node, file: url };
  const path = pathOf(url);
  const pkg = packageOf(path);
  if (pkg) return { group: packageGroup(pkg.name), file: pkg.file };
  const root = repoRoot.endsWith('/') ? repoRoot : `${repoRoot}/`;
  if (!path.startsWith(root)) return { group: 'elsewhere', file: path };
  const file = path.slice(root.length);
  if (file.startsWith(LIBRARY_DIR)) return { group: GROUP_LABELS.library, file };
  return { group: `this repo: ${file.split('/')[0]}/`, file };
}

/** One key per function (a function shows up in one node per distinct stack). */
function functionKey({ functionName, url, lineNumber, columnNumber }: CallFrame): string {
  return `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber ?? -1}`;
}

/** Samples per node id, counting only those taken inside the window. */
function samplesPerNode(profile: CpuProfile, window: TimeWindow | undefined): Map<number, number> {
  const counts = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.startUs || at >= window.endUs)) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}

/** The microseconds the samples in the window cover: each sample's delta to the one before. */
function sampledMicros(profile: CpuProfile, window: TimeWindow | undefined): number {
  let at = profile.startTime;
  let total = 0;
  for (const delta of profile.timeDeltas) {
    at += delta;
    if (!window || (at >= window.startUs && at < window.endUs)) total += delta;
  }
  return total;
}

/** Each node's parent, by the child's id. */
function parents(nodes: readonly ProfileNode[]): Map<number, ProfileNode> {
  const parentOf = new Map<number, ProfileNode>();
  for (const node of nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node);
  }
  return parentOf;
}

/** The frames of a node's stack, itself first, up to (not including) the root. */
function stackOf(node: ProfileNode, parentOf: Map<number, ProfileNode>): CallFrame[] {
  const frames: CallFrame[] = [];
  for (let at: ProfileNode | undefined = node; at; at = parentOf.get(at.id)) {
    frames.push(at.callFrame);
  }
  return frames;
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);

/** Adds `amount` to a key of a map of totals. */
function add<K>(totals: Map<K, number>, key: K, amount: number): void {
  totals.set(key, (totals.get(key) ?? 0) + amount);
}

/** Sample counts of a profile: overall, per function, per group and per entry point. */
interface Tally {
  samples: number;
  idle: number;
  gc: number;
  program: number;
  underLibrary: number;
  selfByFunction: Map<string, number>;
  frameByKey: Map<string, CallFrame>;
  selfByGroup: Map<string, number>;
  inclusiveByEntry: Map<EntryPoint, number>;
}

/** Counts the samples of each node: as self time of its function, and up its stack. */
function tally(
  nodes: readonly ProfileNode[],
  counts: Map<number, number>,
  options: SummaryOptions,
): Tally {
  const parentOf = parents(nodes);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const t: Tally = {
    samples: 0,
    idle: 0,
    gc: 0,
    program: 0,
    underLibrary: 0,
    selfByFunction: new Map(),
    frameByKey: new Map(),
    selfByGroup: new Map(),
    inclusiveByEntry: new Map(),
  };
  for (const [id, hits] of counts) {
    const node = byId.get(id);
    if (!node) continue;
    t.samples += hits;
    const frame = node.callFrame;
    if (frame.functionName === IDLE) {
      t.idle += hits;
      continue;
    }
    if (frame.functionName === GC) t.gc += hits;
    if (frame.functionName === PROGRAM) t.program += hits;
    const key = functionKey(frame);
    add(t.selfByFunction, key, hits);
    t.frameByKey.set(key, frame);
    add(t.selfByGroup, placeOf(frame.url, options.repoRoot).group, hits);
    // Inclusive: once per sample, however often a function recurs on its stack.
    const stack = stackOf(node, parentOf);
    const places = stack.map((f) => placeOf(f.url, options.repoRoot));
    if (places.some((place) => place.group === GROUP_LABELS.library)) t.underLibrary += hits;
    for (const entry of options.entryPoints) {
      const onStack = stack.some(
        (f, i) => f.functionName === entry.functionName && places[i].file === entry.file,
      );
      if (onStack) add(t.inclusiveByEntry, entry, hits);
    }
  }
  return t;
}

/**
 * Where the samples went: the functions with the most self time, self time per group (the
 * library, Nest, Express, Node, native, other packages by name), and the inclusive time of the
 * entry points: the samples with the function anywhere on their stack, each sample counted once
 * however often the function recurs in it. Percentages are of the non-idle samples, except idle's.
 *
 * V8 samples the synchronous stack: an async function's inclusive time is the time of its
 * synchronous stretches (up to its first `await`, and each resumption after one), not of the
 * awaits it spends waiting.
 */
export function summariseProfile(profile: CpuProfile, options: SummaryOptions): ProfileSummary {
  // A window that matches no sample (another clock?) falls back to the whole profile.
  let window = options.window;
  let counts = samplesPerNode(profile, window);
  const windowed = window !== undefined && counts.size > 0;
  if (!windowed) {
    window = undefined;
    counts = samplesPerNode(profile, undefined);
  }
  const t = tally(profile.nodes, counts, options);
  const busy = t.samples - t.idle;
  const ranked = [...t.selfByFunction]
    .map(([key, hits]) => ({ frame: t.frameByKey.get(key)!, hits }))
    .filter(({ frame }) => !PSEUDO_FRAMES.has(frame.functionName))
    .sort((a, b) => b.hits - a.hits);
  const rows = (list: typeof ranked, count: number) =>
    list.slice(0, count).map(({ frame, hits }) => frameRow(frame, hits, busy, options));
  const inLibrary = ranked.filter(
    ({ frame }) => placeOf(frame.url, options.repoRoot).group === GROUP_LABELS.library,
  );
  const groups = [...t.selfByGroup]
    .sort(([, a], [, b]) => b - a)
    .map(([where, hits]) => ({ where, selfPercent: percent(hits, busy) }));
  const entries = options.entryPoints.map((entry) => ({
    label: entry.label,
    inclusivePercent: percent(t.inclusiveByEntry.get(entry) ?? 0, busy),
  }));
  return {
    samples: t.samples,
    sampledMs: sampledMicros(profile, window) / 1000,
    windowed,
    idlePercent: percent(t.idle, t.samples),
    gcPercent: percent(t.gc, busy),
    programPercent: percent(t.program, busy),
    libraryInclusivePercent: percent(t.underLibrary, busy),
    top: rows(ranked, options.top),
    topLibrary: rows(inLibrary, options.topLibrary),
    groups,
    entries,
  };
}

/** A ranked frame: its name, shortened file and source line. */
function frameRow(frame: CallFrame, hits: number, busy: number, options: SummaryOptions): FrameRow {
  const { file } = placeOf(frame.url, options.repoRoot);
  const column = frame.columnNumber ?? 0;
  const line =
    file === '' || frame.lineNumber < 0
      ? 0
      : (options.sourceLine?.(pathOf(frame.url), frame.lineNumber, column) ?? frame.lineNumber + 1);
  return {
    functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
    file,
    line,
    selfPercent: percent(hits, busy),
  };
}
