import type { ActionReport, LogReport } from './protocol';

/** Where a request went. */
export type Target = `instance ${number}` | 'emulator';

/** The kinds of user-visible work whose latency the report gives. */
export const FLOW_KINDS = [
  'sign-in',
  'guarded-page',
  'json-api',
  'reauth-redirect',
  'reauth-json',
  'restored-action',
  'max-age-0',
  'sign-out',
] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

export const FLOW_LABELS: Readonly<Record<FlowKind, string>> = {
  'sign-in': 'sign-in',
  'guarded-page': 'guarded page',
  'json-api': 'JSON API',
  'reauth-redirect': 're-auth by redirect',
  'reauth-json': 're-auth by JSON 401',
  'restored-action': 'restored action (email)',
  'max-age-0': 'max_age=0 (delete)',
  'sign-out': 'sign-out',
};

/** One HTTP request of a virtual user (times in ms since the start of the run). */
export interface RequestRecord {
  user: number;
  start: number;
  ms: number;
  method: string;
  path: string;
  target: Target;
  /** 0 when no answer came (the connection failed or timed out). */
  status: number;
  error?: string;
  /** For a 5xx: whether it is the documented 503 (`reauth_unavailable`, with `Retry-After`). */
  documented503?: boolean;
  /** For a 5xx: the start of its body, for the report. */
  body?: string;
}

/** One piece of user-visible work: a sign-in, a page, a re-authentication... */
export interface FlowRecord {
  kind: FlowKind;
  user: number;
  start: number;
  ms: number;
  ok: boolean;
  /** Why it failed, as the user saw it: an error code of the app, or a status. */
  failure?: string;
  /** How many times the user retried after a 503. */
  retries: number;
}

/** An action that a re-authentication interrupted, or a transfer: what became of it. */
export interface Attempt {
  kind: 'email' | 'delete' | 'transfer';
  user: number;
  userId: string;
  /** The unique value the action carries (email, recipient); the flow's number for a deletion. */
  value: string;
  /** The user was sent to re-authenticate in the middle of it. */
  interrupted: boolean;
  outcome: 'pending' | 'completed' | 'failed' | 'lost';
  /** What the user saw when it failed, or what went missing when it was lost. */
  detail?: string;
  start: number;
}

export type InvariantId =
  | 'no-unexpected-5xx'
  | 'actions-exactly-once'
  | 'own-identity'
  | 'max-age-0'
  | 'sessions-survive'
  | 'bounded-memory'
  | 'bounded-keys'
  | 'instances-healthy';

/** A failed check, as it happened. */
export interface Violation {
  invariant: InvariantId;
  at: number;
  user?: number;
  detail: string;
}

/** A change the back office made, as an instance reported it. */
export interface Execution extends ActionReport {
  instance: number;
  at: number;
}

export interface InstanceLog extends LogReport {
  instance: number;
  at: number;
}

/** Something the soak did to the system, for the report and the chart. */
export interface TimelineEntry {
  at: number;
  what: string;
}

/** Everything a run records, appended to as it happens. */
export class Observations {
  readonly requests: RequestRecord[] = [];
  readonly flows: FlowRecord[] = [];
  readonly attempts: Attempt[] = [];
  readonly violations: Violation[] = [];
  readonly executions: Execution[] = [];
  readonly logs: InstanceLog[] = [];
  readonly timeline: TimelineEntry[] = [];
  /** How many identities shown to users (pages, `/api/me`) were checked against their own. */
  identityChecks = 0;
  /** Answers the soak did not expect and could not read: a changed page, or a bug of its own. */
  readonly surprises: { at: number; user: number; detail: string }[] = [];

  private startedAt = performance.now();

  /** Milliseconds since the start of the run. */
  now(): number {
    return performance.now() - this.startedAt;
  }

  /** The run starts now (everything is measured from here). */
  restart(): void {
    this.startedAt = performance.now();
  }

  request(
    record: Omit<RequestRecord, 'documented503' | 'body'> & {
      response?: { status: number; headers: Headers; text: string };
    },
  ): void {
    const { response, ...rest } = record;
    const entry: RequestRecord = rest;
    if (response && response.status >= 500) {
      entry.body = response.text.slice(0, 200);
      entry.documented503 = isDocumented503(response);
    }
    this.requests.push(entry);
  }

  flow(record: FlowRecord): void {
    this.flows.push(record);
  }

  attempt(attempt: Omit<Attempt, 'outcome' | 'start'>): Attempt {
    const entry: Attempt = { ...attempt, outcome: 'pending', start: this.now() };
    this.attempts.push(entry);
    return entry;
  }

  violation(invariant: InvariantId, detail: string, user?: number): void {
    this.violations.push({ invariant, at: this.now(), user, detail });
  }

  surprise(user: number, detail: string): void {
    this.surprises.push({ at: this.now(), user, detail });
  }

  execution(report: ActionReport, instance: number): void {
    this.executions.push({ ...report, instance, at: this.now() });
  }

  log(report: LogReport, instance: number): void {
    this.logs.push({ ...report, instance, at: this.now() });
  }

  mark(what: string): void {
    this.timeline.push({ at: this.now(), what });
  }
}

/** `503 {"error":"reauth_unavailable",...}` with `Retry-After`: the library's documented outage. */
export function isDocumented503(response: {
  status: number;
  headers: Headers;
  text: string;
}): boolean {
  if (response.status !== 503 || !response.headers.get('retry-after')) return false;
  try {
    return (JSON.parse(response.text) as { error?: unknown }).error === 'reauth_unavailable';
  } catch {
    return false;
  }
}
