import { ReauthInternalError } from '../core/internal-error';
import { openSessionEnvelope, sealSessionEnvelope } from '../crypto/session-envelope';
import type { ProviderSession, SignInFacts } from './identity-provider';

/**
 * The library's own session cookie, for providers without a cookie format of their own:
 * the session's tokens and sign-in facts, as JSON with short names, in the AES-256-GCM envelope of
 * `crypto/session-envelope.ts` under a key derived from the cookie password for sessions only, so
 * a sealed state can never open as a session nor a session as a state. Synchronous: sealing and
 * opening cost microseconds.
 */

/** Browsers drop a cookie whose name, value and attributes pass 4096 bytes. */
export const MAX_SEALED_SESSION_LENGTH = 3800;

const TOKEN_MAX_LENGTH = 8192;

/**
 * How many replaced refresh tokens a session keeps for sign-out to revoke: each re-authentication
 * in the same provider session adds one, and a cookie has room for a few of an opaque size.
 */
export const MAX_RETIRED_REFRESH_TOKENS = 4;

/** The sealed session would not fit in a cookie. */
export class SessionTooLargeError extends ReauthInternalError {
  readonly code = 'session_too_large';

  constructor(readonly length: number) {
    super(`the sealed session is ${length} characters, over ${MAX_SEALED_SESSION_LENGTH}`);
  }
}

/** The stored form: short names, since every byte rides in a cookie on every request. */
interface Stored {
  /** When the seal stops opening, in Unix seconds: a copy outlives its cookie nowhere. */
  exp: number;
  at: string;
  rt?: string;
  it?: string;
  sid?: string;
  t?: number;
  acr?: string;
  amr?: string[];
  /** Refresh tokens this session replaced, revoked with it at sign-out. */
  rr?: string[];
}

/** When a seal is made and how long it opens, in seconds. */
export interface SealTimes {
  now: number;
  lifetime: number;
}

/** Seals a session; throws {@link SessionTooLargeError} when it would not fit in a cookie. */
export function sealSession(session: ProviderSession, password: string, times: SealTimes): string {
  // Only what opening accepts is stored: a cookie that could never open would sign the user out.
  if (!isToken(session.accessToken)) throw new TypeError('a session needs an access token');
  const stored: Stored = { exp: times.now + times.lifetime, at: session.accessToken };
  if (isToken(session.refreshToken)) stored.rt = session.refreshToken;
  if (isToken(session.idToken)) stored.it = session.idToken;
  if (isToken(session.sessionId)) stored.sid = session.sessionId;
  const signIn = session.signIn;
  if (Number.isSafeInteger(signIn?.authTime)) stored.t = signIn!.authTime;
  if (isToken(signIn?.acr)) stored.acr = signIn.acr;
  if (Array.isArray(signIn?.amr) && signIn.amr.every((method) => typeof method === 'string')) {
    stored.amr = [...signIn.amr];
  }
  const retired = session.retiredRefreshTokens?.filter(isToken);
  if (retired?.length) stored.rr = retired.slice(-MAX_RETIRED_REFRESH_TOKENS);
  const sealed = sealSessionEnvelope(JSON.stringify(stored), password);
  if (sealed.length > MAX_SEALED_SESSION_LENGTH) throw new SessionTooLargeError(sealed.length);
  return sealed;
}

/**
 * Opens a sealed session; `undefined` for anything that is not one sealed with `password`, or one
 * past its lifetime at `now` (Unix seconds).
 */
export function openSession(
  sealed: string,
  password: string,
  now: number,
): ProviderSession | undefined {
  let plaintext: string;
  try {
    plaintext = openSessionEnvelope(sealed, password);
  } catch {
    return undefined;
  }
  let stored: unknown;
  try {
    stored = JSON.parse(plaintext);
  } catch {
    return undefined;
  }
  return fromStored(stored, now);
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= TOKEN_MAX_LENGTH;
}

/** The seal vouches for what is inside; the shape is checked all the same. */
function fromStored(value: unknown, now: number): ProviderSession | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const stored = value as Partial<Record<keyof Stored, unknown>>;
  if (!Number.isSafeInteger(stored.exp) || (stored.exp as number) < now) return undefined;
  if (!isToken(stored.at)) return undefined;
  for (const field of ['rt', 'it', 'sid', 'acr'] as const) {
    if (stored[field] !== undefined && !isToken(stored[field])) return undefined;
  }
  if (stored.t !== undefined && !Number.isSafeInteger(stored.t)) return undefined;
  if (
    stored.amr !== undefined &&
    !(Array.isArray(stored.amr) && stored.amr.every((value) => typeof value === 'string'))
  ) {
    return undefined;
  }
  if (
    stored.rr !== undefined &&
    !(
      Array.isArray(stored.rr) &&
      stored.rr.length <= MAX_RETIRED_REFRESH_TOKENS &&
      stored.rr.every(isToken)
    )
  ) {
    return undefined;
  }
  const signIn: SignInFacts = {
    authTime: stored.t as number | undefined,
    acr: stored.acr as string | undefined,
    amr: stored.amr,
  };
  return {
    accessToken: stored.at,
    refreshToken: stored.rt as string | undefined,
    idToken: stored.it as string | undefined,
    sessionId: stored.sid as string | undefined,
    signIn,
    ...(stored.rr === undefined ? {} : { retiredRefreshTokens: stored.rr }),
    sealExpiresAt: stored.exp as number,
  };
}
