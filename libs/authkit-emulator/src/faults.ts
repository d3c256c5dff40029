import type { RequestHandler } from 'express';
import { EmulatorHttpError, sendError } from './errors';

/** The API calls an app makes, where faults can be injected. */
export const FAULT_TARGETS = ['authenticate', 'jwks', 'users', 'revoke', 'challenge'] as const;
/**
 * One of {@link FAULT_TARGETS}: `authenticate` (POST `/user_management/authenticate`, every
 * grant), `jwks` (GET `/sso/jwks/:clientId`), `users` (GET `/user_management/users/:id`),
 * `revoke` (POST `/user_management/sessions/revoke`) or `challenge` (POST
 * `/auth/factors/:id/challenge`).
 */
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** Server errors a fault may answer with. */
const FAULT_STATUSES: readonly FaultStatus[] = [500, 502, 503, 504];
const MAX_LATENCY_MS = 60_000;
const MAX_TIMES = 1_000_000;

/** A server error a fault answers with. */
export type FaultStatus = 500 | 502 | 503 | 504;

/** What goes wrong with the requests to one target. */
export interface FaultSpec {
  /** Waits this long (0 to 60,000 ms) before answering, or before failing as below. */
  latencyMs?: number;
  /** Answers with this server error (500, 502, 503 or 504) instead of doing the call. */
  status?: FaultStatus;
  /** Never answers: the request hangs until the client gives up or the emulator closes. */
  hang?: boolean;
  /** Only the next `times` requests to the target; default every one until cleared. */
  times?: number;
}

/** Faults by target; a target left out works normally. */
export type EmulatorFaults = Partial<Record<FaultTarget, FaultSpec>>;

/** The target a request is for, or `undefined` for anything faults never touch. */
function targetOf(method: string, path: string): FaultTarget | undefined {
  if (method === 'POST' && path === '/user_management/authenticate') return 'authenticate';
  if (method === 'GET' && path.startsWith('/sso/jwks/')) return 'jwks';
  if (method === 'GET' && path.startsWith('/user_management/users/')) return 'users';
  if (method === 'POST' && path === '/user_management/sessions/revoke') return 'revoke';
  if (method === 'POST' && /^\/auth\/factors\/[^/]+\/challenge$/.test(path)) return 'challenge';
  return undefined;
}

function field(target: string, name: string, message: string): EmulatorHttpError {
  return EmulatorHttpError.invalidParameters(`${target}.${name}`, `${target}.${name} ${message}`);
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Checks faults from a test or the HTTP control; 422 for anything but the shape above. */
export function parseFaults(input: unknown): EmulatorFaults {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw EmulatorHttpError.api(400, 'invalid_request', 'The faults must be a JSON object.');
  }
  const faults: EmulatorFaults = {};
  for (const [target, raw] of Object.entries(input)) {
    if (!(FAULT_TARGETS as readonly string[]).includes(target)) {
      throw EmulatorHttpError.invalidParameters(
        target,
        `${target} is not a fault target (${FAULT_TARGETS.join(', ')})`,
      );
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw EmulatorHttpError.invalidParameters(target, `${target} must be an object`);
    }
    const { latencyMs, status, hang, times, ...rest } = raw as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw field(target, unknown, 'is not a fault setting');
    if (latencyMs !== undefined && !integerIn(latencyMs, 0, MAX_LATENCY_MS)) {
      throw field(target, 'latencyMs', `must be an integer from 0 to ${MAX_LATENCY_MS}`);
    }
    if (status !== undefined && !(FAULT_STATUSES as readonly unknown[]).includes(status)) {
      throw field(target, 'status', `must be one of ${FAULT_STATUSES.join(', ')}`);
    }
    if (hang !== undefined && typeof hang !== 'boolean') {
      throw field(target, 'hang', 'must be a boolean');
    }
    if (hang === true && status !== undefined) {
      throw field(target, 'hang', 'cannot go with a status: a hanging request answers nothing');
    }
    if (times !== undefined && !integerIn(times, 1, MAX_TIMES)) {
      throw field(target, 'times', `must be an integer from 1 to ${MAX_TIMES}`);
    }
    faults[target as FaultTarget] = {
      latencyMs,
      status: status as FaultSpec['status'],
      hang,
      times,
    };
  }
  return faults;
}

/**
 * The faults in force, and the middleware that applies them before the API routes. A fault with
 * `times` is spent by the requests it hits, and cleared once spent.
 */
export class FaultInjector {
  private faults: EmulatorFaults = {};

  /** Replaces every fault (an empty object clears them). */
  set(faults: EmulatorFaults): void {
    this.faults = parseFaults(faults);
  }

  /** The faults in force, with what is left of each `times`. */
  current(): EmulatorFaults {
    return structuredClone(this.faults);
  }

  /** Takes one request's share of the fault on `target`, if any. */
  private take(target: FaultTarget): FaultSpec | undefined {
    const fault = this.faults[target];
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) delete this.faults[target];
    }
    return fault;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const target = targetOf(req.method, req.path);
      const fault = target && this.take(target);
      if (!fault) {
        next();
        return;
      }
      const fail = () => {
        // A hanging request holds its socket until the client gives up or the emulator closes.
        if (fault.hang) return;
        if (fault.status !== undefined) {
          sendError(
            res,
            EmulatorHttpError.api(fault.status, 'server_error', 'Injected fault: try again later.'),
          );
          return;
        }
        next();
      };
      if (!fault.latencyMs) {
        fail();
        return;
      }
      // Unreferenced: a delayed answer never keeps a closed emulator's process alive.
      setTimeout(fail, fault.latencyMs).unref();
    };
  }
}
