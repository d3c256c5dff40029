import type { EmulatorFaults } from 'authkit-emulator';

/**
 * How far a "go stale" advance moves every clock: past the demo's 300 s window for sensitive
 * actions and past the access tokens' 300 s lifetime plus the library's 5 s clock tolerance, so
 * that after it every user is stale and every session cookie needs a refresh.
 */
export const STALE_ADVANCE_SECONDS = 310;

/** How far the clock-jump fault moves every clock at once, mid-flow. */
export const CLOCK_JUMP_SECONDS = 1800;

/** Injected latency of the latency faults: well below every timeout, so nothing should fail. */
export const FAULT_LATENCY_MS = 1500;

/**
 * The faults of a run, in the order they come. The hangs come last: every user who needs a
 * refresh or a code exchange while AuthKit hangs is stuck until the SDK gives up (10 s), and the
 * next slot waits for them.
 */
export const FAULT_KINDS = [
  'authenticate-latency',
  'authenticate-5xx',
  'redis-restart',
  'key-rotation',
  'jwks-latency',
  'jwks-5xx',
  'clock-jump',
  'jwks-hang',
  'authenticate-hang',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

interface FaultDefinition {
  description: string;
  /** Injected at the emulator for the window; cleared at its end. */
  emulator?: EmulatorFaults;
  /** The emulator signs with a new key from the window's start (new tokens force a JWKS fetch). */
  rotateKeys?: boolean;
  /** The fault makes the documented 503 a correct answer: the library cannot decide. */
  outage: boolean;
  /** How long after the window a 503 may still come, in ms (given the window's length). */
  graceMs(windowMs: number): number;
}

const SHORT_GRACE_MS = 2000;
// The JWKS backoff doubles with each failed fetch in a row, so the first fetch after the window
// comes at most about one window length after its end; a hanging fetch adds its 5 s timeout.
const jwksGrace = (windowMs: number) => windowMs + 6000;

export const FAULTS: Readonly<Record<FaultKind, FaultDefinition>> = {
  'authenticate-latency': {
    description: `AuthKit's token endpoint (code exchange and refresh) answers ${FAULT_LATENCY_MS} ms late`,
    emulator: { authenticate: { latencyMs: FAULT_LATENCY_MS } },
    outage: false,
    graceMs: () => 0,
  },
  'authenticate-5xx': {
    description: "AuthKit's token endpoint answers 502",
    emulator: { authenticate: { status: 502 } },
    outage: true,
    graceMs: () => SHORT_GRACE_MS,
  },
  'authenticate-hang': {
    description: "AuthKit's token endpoint never answers (the SDK gives up after 10 s)",
    emulator: { authenticate: { hang: true } },
    outage: true,
    graceMs: () => SHORT_GRACE_MS,
  },
  'redis-restart': {
    description: 'redis-server is killed (SIGKILL) and started again on the same port',
    outage: true,
    // ioredis reconnects with a backoff of at most 2 s; a command then times out after 1 s.
    graceMs: () => 5000,
  },
  'key-rotation': {
    description: 'AuthKit signs with a new key (the old one stays published)',
    rotateKeys: true,
    outage: false,
    graceMs: () => 0,
  },
  'jwks-latency': {
    description: `a key rotation while the JWKS answers ${FAULT_LATENCY_MS} ms late`,
    emulator: { jwks: { latencyMs: FAULT_LATENCY_MS } },
    rotateKeys: true,
    outage: false,
    graceMs: () => 0,
  },
  'jwks-5xx': {
    description: 'a key rotation while the JWKS answers 503',
    emulator: { jwks: { status: 503 } },
    rotateKeys: true,
    outage: true,
    graceMs: jwksGrace,
  },
  'jwks-hang': {
    description: 'a key rotation while the JWKS never answers (the library gives up after 5 s)',
    emulator: { jwks: { hang: true } },
    rotateKeys: true,
    outage: true,
    graceMs: jwksGrace,
  },
  'clock-jump': {
    description: `every clock jumps ${CLOCK_JUMP_SECONDS} s forward at once, in the middle of flows`,
    outage: false,
    graceMs: () => 0,
  },
};

/** One fault of the run, with its phases (milliseconds from the start of the run). */
export interface PlannedFault {
  kind: FaultKind;
  /** The phase before: it starts with a "go stale" advance, as the window does. */
  beforeStart: number;
  start: number;
  end: number;
  /** The end of the phase after. */
  afterEnd: number;
  /** A 503 is expected from requests in flight between `start` and this. */
  outageUntil?: number;
}

/** A "go stale" advance of every clock, with users held between steps while it happens. */
export interface PlannedAdvance {
  at: number;
}

export interface Schedule {
  /** Users sign in for the first time during this first part of the run (ms). */
  warmUpMs: number;
  advances: PlannedAdvance[];
  faults: PlannedFault[];
  durationMs: number;
}

/** A run longer than this goes through the faults again, once per this much time. */
export const CYCLE_MS = 120_000;

/** Share of a fault's slot for the phase before, the window, and (the rest) the phase after. */
const BEFORE_SHARE = 0.3;
const WINDOW_SHARE = 0.3;

/**
 * The run's timeline: a warm-up in which every user signs in, then one slot per fault kind (all
 * of them again every {@link CYCLE_MS} of a long run). A slot starts with a "go stale" advance (the phase before), then a second advance and the fault
 * together (the window: every session needs a refresh, every sensitive action a re-auth, so the
 * faulty dependency is used at once), then the fault is cleared (the phase after). The clock
 * jump replaces the second advance.
 */
export function buildSchedule(durationMs: number): Schedule {
  const warmUpMs = Math.max(1500, Math.round(durationMs * 0.08));
  const cycles = Math.max(1, Math.round(durationMs / CYCLE_MS));
  const kinds = Array.from({ length: cycles }, () => FAULT_KINDS).flat();
  const slotMs = (durationMs - warmUpMs) / kinds.length;
  const advances: PlannedAdvance[] = [];
  const faults = kinds.map((kind, i): PlannedFault => {
    const beforeStart = Math.round(warmUpMs + i * slotMs);
    const start = Math.round(beforeStart + slotMs * BEFORE_SHARE);
    const end = Math.round(start + slotMs * WINDOW_SHARE);
    const afterEnd = Math.round(warmUpMs + (i + 1) * slotMs);
    advances.push({ at: beforeStart });
    const definition = FAULTS[kind];
    return {
      kind,
      beforeStart,
      start,
      end,
      afterEnd,
      outageUntil: definition.outage ? end + definition.graceMs(end - start) : undefined,
    };
  });
  return { warmUpMs, advances, faults, durationMs };
}
