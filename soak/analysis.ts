import type { FaultRecord, SoakResult } from './harness';
import {
  FLOW_KINDS,
  type FlowKind,
  type FlowRecord,
  type InvariantId,
  type RequestRecord,
} from './observations';
import { FAULT_KINDS, type FaultKind } from './schedule';
import { countBy, percentile, slope } from './stats';

/** What a check found, and the counts behind it. */
export interface InvariantResult {
  id: InvariantId | 'understood-answers';
  title: string;
  pass: boolean;
  /** The counts the verdict rests on, in words. */
  counts: string;
  /** The first violations, for the report. */
  details: string[];
}

export interface LatencyStat {
  /** Flows that completed: their latency is counted. */
  n: number;
  failed: number;
  p50?: number;
  p99?: number;
  max?: number;
}

export type Phase = 'before' | 'during' | 'after';
export const PHASES: readonly Phase[] = ['before', 'during', 'after'];

export interface FaultLatency {
  fault: FaultRecord;
  phases: Record<Phase, { from: number; to: number; stats: Record<FlowKind, LatencyStat> }>;
}

export interface MemoryVerdict {
  instance: number;
  /** RSS after a full garbage collection, before any user came. */
  startBytes?: number;
  peakBytes?: number;
  /** RSS when the users had stopped. */
  finalBytes?: number;
  ceilingBytes?: number;
  /** Retained heap (after a full collection) before any user came, and at the end. */
  heapStartBytes?: number;
  heapEndBytes?: number;
  /** Growth over the last third of the run of the line fitted to the collected samples. */
  rssGrowthBytes?: number;
  rssGrowthLimitBytes?: number;
  heapGrowthBytes?: number;
  heapGrowthLimitBytes?: number;
  /** Whether the last third held enough collected samples to judge a trend. */
  trendJudged: boolean;
  pass: boolean;
}

export interface Analysis {
  ok: boolean;
  invariants: InvariantResult[];
  latency: { overall: Record<FlowKind, LatencyStat>; byFault: FaultLatency[] };
  coverage: {
    flowsOk: Record<FlowKind, number>;
    faultsInjected: FaultKind[];
  };
  memory: MemoryVerdict[];
  keys: { peak: number; final: number; bound: number };
}

const MB = 1024 * 1024;

/**
 * An instance's RSS may end at most this much above its RSS before any user came (after a full
 * collection): its caches fill up (verified tokens, opened cookies: 10,000 entries each at most)
 * and V8's heap grows into the load.
 */
const RSS_CEILING_FACTOR = 1.5;
const RSS_CEILING_EXTRA_BYTES = 128 * MB;
/**
 * A leak shows as steady growth once the caches are warm: over the last third of the run, the
 * line fitted to the memory measured after full collections (users held at the slot barrier, and
 * once they stopped) may rise at most this much, in RSS and in retained heap.
 */
const RSS_GROWTH_LIMIT_FACTOR = 0.1;
const RSS_GROWTH_LIMIT_MIN_BYTES = 32 * MB;
const HEAP_GROWTH_LIMIT_FACTOR = 0.1;
const HEAP_GROWTH_LIMIT_MIN_BYTES = 8 * MB;
/** A trend needs at least this many collected samples in the last third. */
const TREND_MIN_SAMPLES = 2;

/**
 * What one user can keep in Redis at most: the library lets a user complete 30 sign-ins in
 * 10 minutes, and each leaves a single-use marker for as long as its state could be replayed
 * (10 minutes); add the user's and the address's sign-in counters, a shared refresh (30 s) and a
 * refresh lock (20 s) per refresh, a revocation per sign-out, an action and a grant.
 */
const KEYS_PER_USER = 50;
const KEYS_BASE = 50;

const at = (value: number) => `${(value / 1000).toFixed(1)} s`;

function stats(flows: readonly FlowRecord[]): Record<FlowKind, LatencyStat> {
  const out = {} as Record<FlowKind, LatencyStat>;
  for (const kind of FLOW_KINDS) {
    const ofKind = flows.filter((flow) => flow.kind === kind);
    const times = ofKind.filter((flow) => flow.ok).map((flow) => flow.ms);
    out[kind] = {
      n: times.length,
      failed: ofKind.length - times.length,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times.length ? Math.max(...times) : undefined,
    };
  }
  return out;
}

/** A fault's outage window: when the documented 503 is a correct answer. */
export function outageWindow(fault: FaultRecord): { from: number; to: number } | undefined {
  if (fault.outageUntil === undefined) return undefined;
  return { from: fault.startedAt, to: fault.endedAt + (fault.outageUntil - fault.end) };
}

function serverErrors(result: Omit<SoakResult, 'analysis'>): InvariantResult {
  const { requests } = result.observations;
  const windows = result.faults.flatMap((fault) => outageWindow(fault) ?? []);
  const inOutage = (request: RequestRecord) =>
    windows.some((w) => request.start <= w.to && request.start + request.ms >= w.from);
  const failing = requests.filter((request) => request.status >= 500 || request.status === 0);
  const expected = failing.filter((request) => request.documented503 && inOutage(request));
  const unexpected = failing.filter((request) => !expected.includes(request));
  const noAnswer = failing.filter((request) => request.status === 0).length;
  const inGrace = expected.filter((request) =>
    result.faults.every(
      (fault) => !(request.start <= fault.endedAt && request.start >= fault.startedAt),
    ),
  ).length;
  const appRequests = requests.filter((request) => request.target !== 'emulator').length;
  return {
    id: 'no-unexpected-5xx',
    title: 'no 5xx but the documented 503 during an outage (and its grace)',
    pass: unexpected.length === 0,
    counts:
      `${appRequests} requests to the app and ${requests.length - appRequests} to AuthKit's pages; ` +
      `${failing.length} 5xx or unanswered, of which ${expected.length} documented 503 within an outage window (${inGrace} of them sent after the window, in its grace), ` +
      `${unexpected.length} unexpected (${noAnswer} unanswered)`,
    details: unexpected
      .slice(0, 10)
      .map(
        (r) =>
          `${at(r.start)} ${r.method} ${r.path} on ${r.target}: ${r.status === 0 ? `no answer (${r.error})` : `${r.status} ${r.body ?? ''}`}`,
      ),
  };
}

function actions(result: Omit<SoakResult, 'analysis'>): {
  exactlyOnce: InvariantResult;
  foreign: string[];
} {
  const { attempts, executions, violations } = result.observations;
  const details: string[] = violations
    .filter((v) => v.invariant === 'actions-exactly-once')
    .map((v) => `${at(v.at)} user ${v.user}: ${v.detail}`);
  const foreign: string[] = [];
  const runs = countBy(
    executions.filter((e) => e.value !== undefined),
    (e) => e.value!,
  );
  const byValue = new Map(attempts.map((attempt) => [attempt.value, attempt]));
  for (const execution of executions) {
    if (execution.action === 'delete') continue;
    const attempt = byValue.get(execution.value ?? '');
    if (!attempt)
      details.push(`${execution.action} ${execution.value} ran but nobody asked for it`);
    else if (attempt.userId !== execution.userId) {
      foreign.push(`${execution.action} of user ${attempt.user} ran for ${execution.userId}`);
    }
  }
  let duplicates = 0;
  for (const attempt of attempts) {
    if (attempt.kind === 'delete') continue;
    const n = runs[attempt.value] ?? 0;
    if (n > 1) duplicates += 1;
    const what = `${attempt.kind} ${attempt.value} (user ${attempt.user})`;
    if (attempt.outcome === 'completed' && n !== 1)
      details.push(`${what} completed but ran ${n} times`);
    else if (attempt.outcome !== 'completed' && n > 0) {
      details.push(`${what} ran ${n} time(s) although the user was told: ${attempt.detail}`);
    } else if (attempt.outcome === 'lost') details.push(`${what} was lost: ${attempt.detail}`);
    else if (attempt.outcome === 'pending') details.push(`${what} never ended`);
  }
  const deletions = countBy(
    executions.filter((e) => e.action === 'delete'),
    (e) => e.userId,
  );
  const completedDeletions = countBy(
    attempts.filter((a) => a.kind === 'delete' && a.outcome === 'completed'),
    (a) => a.userId,
  );
  for (const userId of new Set([...Object.keys(deletions), ...Object.keys(completedDeletions)])) {
    if ((deletions[userId] ?? 0) !== (completedDeletions[userId] ?? 0)) {
      details.push(
        `${userId}: ${deletions[userId] ?? 0} deletions ran, ${completedDeletions[userId] ?? 0} completed`,
      );
    }
  }
  const lost = attempts.filter((a) => a.outcome === 'lost').length;
  const summary = (['email', 'delete', 'transfer'] as const)
    .map((kind) => {
      const of = attempts.filter((a) => a.kind === kind);
      const interrupted = of.filter((a) => a.interrupted).length;
      const outcome = countBy(of, (a) => a.outcome);
      return `${kind}: ${of.length} (${interrupted} interrupted by a re-auth) — ${outcome.completed ?? 0} completed, ${outcome.failed ?? 0} failed visibly, ${outcome.lost ?? 0} lost`;
    })
    .join('; ');
  return {
    exactlyOnce: {
      id: 'actions-exactly-once',
      title:
        'every action ran exactly once when the user saw it done, never when told it failed; none lost; a restored draft handed back once',
      pass: details.length === 0,
      counts: `${summary}; ${executions.length} executions reported by the instances, ${duplicates} ran twice, ${lost} lost`,
      details: details.slice(0, 10),
    },
    foreign,
  };
}

function identity(
  result: Omit<SoakResult, 'analysis'>,
  foreign: readonly string[],
): InvariantResult {
  const { observations } = result;
  const details = [
    ...observations.violations
      .filter((v) => v.invariant === 'own-identity')
      .map((v) => `${at(v.at)} user ${v.user}: ${v.detail}`),
    ...foreign,
  ];
  return {
    id: 'own-identity',
    title: "no user ever saw another user's identity, data or session",
    pass: details.length === 0,
    counts: `${observations.identityChecks} identities checked (pages, /api/me, prefilled sign-in pages, restored drafts); ${result.observations.executions.length} executions matched to their user; ${details.length} violations`,
    details: details.slice(0, 10),
  };
}

function maxAgeZero(result: Omit<SoakResult, 'analysis'>): InvariantResult {
  const { observations } = result;
  const details = observations.violations
    .filter((v) => v.invariant === 'max-age-0')
    .map((v) => `${at(v.at)} user ${v.user}: ${v.detail}`);
  const flows = observations.flows.filter((flow) => flow.kind === 'max-age-0');
  return {
    id: 'max-age-0',
    title: 'every max_age=0 deletion asked for a new sign-in, and never twice in a row',
    pass: details.length === 0,
    counts: `${flows.length} deletions started, ${flows.filter((f) => f.ok).length} completed`,
    details,
  };
}

function sessions(result: Omit<SoakResult, 'analysis'>): InvariantResult {
  const { pairs, lost } = result.refreshRaces;
  const details = [
    ...(lost > 0
      ? [`${lost} pairs of concurrent calls had one answered 401 (the session cookie cleared)`]
      : []),
    ...(result.lostSessions > 0
      ? [`${result.lostSessions} sessions ended without their user signing out`]
      : []),
  ];
  return {
    id: 'sessions-survive',
    title:
      'no session ended without its user signing out, not even when one expired cookie was refreshed on both instances at once',
    pass: details.length === 0,
    counts: `${pairs} pairs of concurrent calls with one expired cookie, one to each instance; ${lost} with a call refused; ${result.lostSessions} sessions lost`,
    details,
  };
}

/** The growth of the line fitted to `points` over their span. */
function growth(points: readonly { x: number; y: number }[]): number {
  return points.length < 2 ? 0 : slope(points) * (points[points.length - 1].x - points[0].x);
}

function memory(result: Omit<SoakResult, 'analysis'>): MemoryVerdict[] {
  const end = result.durationMs;
  const [first] = result.quietSamples;
  return (first?.instances ?? []).map((start, instance) => {
    const rss = result.samples
      .map((sample) => sample.rss[instance])
      .filter((bytes): bytes is number => bytes !== undefined);
    const collected = result.quietSamples.flatMap((sample) => {
      const measured = sample.instances[instance];
      return measured ? [{ at: sample.at, ...measured }] : [];
    });
    const finalBytes = rss.at(-1);
    if (start === undefined || finalBytes === undefined) {
      return { instance, trendJudged: false, pass: false };
    }
    const lastThird = collected.filter((sample) => sample.at >= (end * 2) / 3);
    const trendJudged = lastThird.length >= TREND_MIN_SAMPLES;
    const rssGrowthBytes = growth(lastThird.map((s) => ({ x: s.at, y: s.rss })));
    const heapGrowthBytes = growth(lastThird.map((s) => ({ x: s.at, y: s.heapUsed })));
    const verdict = {
      instance,
      startBytes: start.rss,
      peakBytes: Math.max(...rss),
      finalBytes,
      ceilingBytes: start.rss * RSS_CEILING_FACTOR + RSS_CEILING_EXTRA_BYTES,
      heapStartBytes: start.heapUsed,
      heapEndBytes: collected.at(-1)?.heapUsed,
      rssGrowthBytes,
      rssGrowthLimitBytes: Math.max(
        RSS_GROWTH_LIMIT_MIN_BYTES,
        start.rss * RSS_GROWTH_LIMIT_FACTOR,
      ),
      heapGrowthBytes,
      heapGrowthLimitBytes: Math.max(
        HEAP_GROWTH_LIMIT_MIN_BYTES,
        start.heapUsed * HEAP_GROWTH_LIMIT_FACTOR,
      ),
      trendJudged,
    };
    return {
      ...verdict,
      pass:
        finalBytes <= verdict.ceilingBytes &&
        trendJudged &&
        rssGrowthBytes <= verdict.rssGrowthLimitBytes &&
        heapGrowthBytes <= verdict.heapGrowthLimitBytes,
    };
  });
}

function memoryInvariant(verdicts: readonly MemoryVerdict[]): InvariantResult {
  const mb = (bytes?: number) => (bytes === undefined ? '?' : `${(bytes / MB).toFixed(1)} MB`);
  const signed = (bytes?: number) => `${(bytes ?? 0) >= 0 ? '+' : ''}${mb(bytes)}`;
  return {
    id: 'bounded-memory',
    title: `each instance's RSS ends below ${RSS_CEILING_FACTOR}× its RSS before the users + ${RSS_CEILING_EXTRA_BYTES / MB} MB, and its memory after full collections does not keep growing over the last third`,
    pass: verdicts.length > 0 && verdicts.every((v) => v.pass),
    counts: verdicts
      .map(
        (v) =>
          `instance ${v.instance}: RSS ${mb(v.startBytes)} → peak ${mb(v.peakBytes)}, final ${mb(v.finalBytes)} (ceiling ${mb(v.ceilingBytes)}); retained heap ${mb(v.heapStartBytes)} → ${mb(v.heapEndBytes)}; last third ${v.trendJudged ? `RSS ${signed(v.rssGrowthBytes)} (limit +${mb(v.rssGrowthLimitBytes)}), heap ${signed(v.heapGrowthBytes)} (limit +${mb(v.heapGrowthLimitBytes)})` : 'not enough collected samples'}`,
      )
      .join('; '),
    details: verdicts.filter((v) => !v.pass).map((v) => `instance ${v.instance} out of bounds`),
  };
}

function keys(result: Omit<SoakResult, 'analysis'>): {
  invariant: InvariantResult;
  summary: Analysis['keys'];
} {
  const counts = result.samples.flatMap((sample) =>
    sample.keys === undefined ? [] : [sample.keys],
  );
  const peak = Math.max(0, ...counts, result.census.total);
  const bound = KEYS_PER_USER * result.options.users + KEYS_BASE;
  const kinds = Object.entries(result.census.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const details = [
    ...(peak > bound ? [`${peak} keys at the peak, over the bound of ${bound}`] : []),
    ...(result.census.withoutExpiry.length
      ? [
          `keys without an expiry: ${Object.entries(countBy(result.census.withoutExpiry, (k) => k))
            .map(([k, n]) => `${k} ×${n}`)
            .join(', ')}`,
        ]
      : []),
  ];
  return {
    invariant: {
      id: 'bounded-keys',
      title: `Redis keys stay at most ${KEYS_PER_USER} per user (+${KEYS_BASE}), and every key expires`,
      pass: details.length === 0,
      counts: `peak ${peak}, final ${result.census.total} (bound ${bound}); at the end: ${kinds || 'none'}; ${result.census.withoutExpiry.length} without expiry`,
      details,
    },
    summary: { peak, final: result.census.total, bound },
  };
}

function health(result: Omit<SoakResult, 'analysis'>): InvariantResult {
  const errors = result.observations.logs.filter((log) => log.level !== 'warn');
  return {
    id: 'instances-healthy',
    title: 'no instance exited or logged an error (warnings are expected during faults)',
    pass: result.crashes.length === 0 && errors.length === 0,
    counts: `${result.crashes.length} exits, ${errors.length} errors logged, ${result.observations.logs.length - errors.length} warnings`,
    details: [
      ...result.crashes,
      ...errors
        .slice(0, 10)
        .map(
          (log) =>
            `${at(log.at)} instance ${log.instance} ${log.level}: ${log.message.split('\n')[0]}`,
        ),
    ],
  };
}

function understood(result: Omit<SoakResult, 'analysis'>): InvariantResult {
  const { surprises } = result.observations;
  return {
    id: 'understood-answers',
    title: 'every answer was one the demo documents (redirects, challenges, pages, forms)',
    pass: surprises.length === 0,
    counts: `${surprises.length} surprises`,
    details: surprises.slice(0, 10).map((s) => `${at(s.at)} user ${s.user}: ${s.detail}`),
  };
}

function latencyByFault(result: Omit<SoakResult, 'analysis'>): FaultLatency[] {
  const { flows } = result.observations;
  return result.faults.map((fault) => {
    const beforeMs = fault.start - fault.beforeStart;
    const afterMs = fault.afterEnd - fault.end;
    const ranges: Record<Phase, { from: number; to: number }> = {
      before: { from: fault.startedAt - beforeMs, to: fault.startedAt },
      during: { from: fault.startedAt, to: fault.endedAt },
      after: { from: fault.endedAt, to: fault.endedAt + afterMs },
    };
    const phases = {} as FaultLatency['phases'];
    for (const phase of PHASES) {
      const { from, to } = ranges[phase];
      phases[phase] = {
        from,
        to,
        stats: stats(flows.filter((flow) => flow.start >= from && flow.start < to)),
      };
    }
    return { fault, phases };
  });
}

/** Checks every invariant and summarises latency, memory and keys. */
export function analyse(result: Omit<SoakResult, 'analysis'>): Analysis {
  const memoryVerdicts = memory(result);
  const { exactlyOnce, foreign } = actions(result);
  const keyCheck = keys(result);
  const invariants = [
    serverErrors(result),
    exactlyOnce,
    identity(result, foreign),
    maxAgeZero(result),
    sessions(result),
    memoryInvariant(memoryVerdicts),
    keyCheck.invariant,
    health(result),
    understood(result),
  ];
  const flowsOk = {} as Record<FlowKind, number>;
  for (const kind of FLOW_KINDS) {
    flowsOk[kind] = result.observations.flows.filter((f) => f.kind === kind && f.ok).length;
  }
  return {
    ok: invariants.every((invariant) => invariant.pass),
    invariants,
    latency: { overall: stats(result.observations.flows), byFault: latencyByFault(result) },
    coverage: {
      flowsOk,
      faultsInjected: FAULT_KINDS.filter((kind) =>
        result.faults.some((f) => f.kind === kind && f.endedAt > f.startedAt),
      ),
    },
    memory: memoryVerdicts,
    keys: keyCheck.summary,
  };
}
