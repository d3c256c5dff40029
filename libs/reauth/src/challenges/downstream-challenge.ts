import { isValidAssuranceList } from '../core/assurance';
import { isValidMaxAge } from '../core/freshness';
import { DownstreamChallengeException } from './downstream-challenge.exception';
import {
  parseWwwAuthenticate,
  WwwAuthenticateSyntaxError,
  type AuthChallenge,
} from './www-authenticate';

/**
 * The step-up errors a resource server can answer with: RFC 9470's
 * `insufficient_user_authentication`, Microsoft Entra's claims challenge `insufficient_claims`,
 * and RFC 6750's `insufficient_scope` (as MCP authorization uses it for a scope step-up).
 */
export type DownstreamChallengeKind =
  'insufficient_user_authentication' | 'insufficient_claims' | 'insufficient_scope';

/**
 * An OpenID Connect `claims` request (Core §5.5): for each of `access_token` (Entra),
 * `id_token` and `userinfo`, the claims asked for, each `null` or
 * `{ essential?, value?, values? }`.
 */
export type ClaimsRequest = Readonly<
  Partial<Record<'access_token' | 'id_token' | 'userinfo', Readonly<Record<string, unknown>>>>
>;

/** What a downstream's step-up challenge asks of the user's sign-in, read and checked. */
export interface DownstreamChallenge {
  /** The challenge's `error`. */
  kind: DownstreamChallengeKind;
  /** RFC 9470 `max_age`: the sign-in must be at most this many seconds old. */
  maxAge?: number;
  /** RFC 9470 `acr_values`: the sign-in's `acr` must be one of them. */
  acrValues?: readonly string[];
  /** The decoded `claims` of an `insufficient_claims` challenge, sent to the provider as is. */
  claims?: ClaimsRequest;
  /**
   * The authentication contexts (`access_token.acrs` of `claims`, as Entra asks for them): the new
   * access token's `acrs` must name one of them.
   */
  acrs?: readonly string[];
  /** The scopes of an `insufficient_scope` challenge: the new access token must carry each. */
  scope?: readonly string[];
}

/** The header values `parseDownstreamChallenge` reads: a fetch `Headers`, or a plain record. */
export type DownstreamHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * The longest `claims` parameter read (base64 of 2 KB of JSON): the request goes on the
 * authorization URL, URL-encoded, and the whole URL must stay within what browsers, proxies and
 * providers accept (8 KB is a common limit).
 */
export const MAX_CLAIMS_PARAMETER_LENGTH = 2_732;
const MAX_CLAIMS_BYTES = 2_048;
const MAX_CLAIMS_DEPTH = 5;
const MAX_SCOPES = 20;
const MAX_SCOPE_LENGTH = 200;
// The scopes ride in the sealed state and on the authorization URL.
const MAX_SCOPE_PARAMETER_LENGTH = 1_000;
const STEP_UP_SCHEMES = new Set(['bearer', 'dpop']);
const KINDS = new Set<string>([
  'insufficient_user_authentication',
  'insufficient_claims',
  'insufficient_scope',
]);
const CLAIMS_TARGETS = new Set(['access_token', 'id_token', 'userinfo']);
const CLAIM_REQUEST_MEMBERS = new Set(['essential', 'value', 'values']);
// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DIGITS = /^[0-9]{1,10}$/;

/**
 * Reads the step-up challenge in a downstream API's `WWW-Authenticate` headers: a `Bearer` (or
 * `DPoP`) challenge whose `error` is `insufficient_user_authentication` (with `max_age` and/or
 * `acr_values`), `insufficient_claims` (with `claims`: base64 of a JSON `claims` request) or
 * `insufficient_scope` (with `scope`). `undefined` when there is none (no header, only other
 * schemes or errors, such as `invalid_token`). Throws {@link DownstreamChallengeException}
 * (`malformed`) for a header outside the grammar or a parameter outside its own, and for several
 * step-up challenges that ask different things.
 *
 * @example
 * ```ts
 * const answer = await fetch('https://api.example.com/transfers', { headers });
 * const challenge = parseDownstreamChallenge(answer.headers);
 * // { kind: 'insufficient_user_authentication', maxAge: 300 }
 * ```
 */
export function parseDownstreamChallenge(
  headers: DownstreamHeaders,
): DownstreamChallenge | undefined {
  const lines = headerLines(headers);
  if (lines.length === 0) return undefined;
  let challenges: AuthChallenge[];
  try {
    challenges = parseWwwAuthenticate(lines);
  } catch (error) {
    if (!(error instanceof WwwAuthenticateSyntaxError)) throw error;
    throw malformed(`its WWW-Authenticate is malformed: ${error.message}`, error);
  }
  const found: DownstreamChallenge[] = [];
  for (const challenge of challenges) {
    if (!STEP_UP_SCHEMES.has(challenge.scheme)) continue;
    const error = challenge.params.error;
    if (error === undefined || !KINDS.has(error)) continue;
    found.push(readChallenge(error as DownstreamChallengeKind, challenge.params));
  }
  if (found.length === 0) return undefined;
  const first = JSON.stringify(found[0]);
  if (found.some((challenge) => JSON.stringify(challenge) !== first)) {
    throw malformed('it sent several step-up challenges that ask different things');
  }
  return found[0];
}

function headerLines(headers: DownstreamHeaders): string[] {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): unknown }).get('www-authenticate');
    return value === null || value === undefined ? [] : textLines(value);
  }
  const record = headers as Readonly<Record<string, unknown>>;
  const lines: string[] = [];
  for (const name of Object.keys(record)) {
    if (name.toLowerCase() !== 'www-authenticate') continue;
    const value = record[name];
    if (value !== undefined) lines.push(...textLines(value));
  }
  return lines;
}

/** A header's value as lines of text: one string, or a list of them (Node, axios). */
function textLines(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((line) => typeof line === 'string')) return value;
  throw malformed('its WWW-Authenticate header is not text');
}

function readChallenge(
  kind: DownstreamChallengeKind,
  params: Readonly<Record<string, string>>,
): DownstreamChallenge {
  switch (kind) {
    case 'insufficient_user_authentication': {
      const maxAge = params.max_age === undefined ? undefined : readMaxAge(params.max_age);
      const acrValues =
        params.acr_values === undefined ? undefined : readAcrValues(params.acr_values);
      if (maxAge === undefined && acrValues === undefined) {
        throw malformed(
          'its insufficient_user_authentication challenge names neither max_age nor acr_values',
        );
      }
      return { kind, ...(maxAge !== undefined && { maxAge }), ...(acrValues && { acrValues }) };
    }
    case 'insufficient_claims': {
      if (params.claims === undefined) {
        throw malformed('its insufficient_claims challenge has no claims');
      }
      const claims = readClaims(params.claims);
      const acrs = readAcrs(claims);
      return { kind, claims, ...(acrs && { acrs }) };
    }
    case 'insufficient_scope': {
      if (params.scope === undefined) {
        throw malformed('its insufficient_scope challenge names no scope');
      }
      return { kind, scope: readScope(params.scope) };
    }
  }
}

function readMaxAge(value: string): number {
  const maxAge = DIGITS.test(value) ? Number(value) : NaN;
  if (!isValidMaxAge(maxAge)) {
    throw malformed('its max_age is not a number of seconds from 0 to 10 years');
  }
  return maxAge;
}

function readAcrValues(value: string): readonly string[] {
  const values = value.split(' ');
  if (!isValidAssuranceList(values)) {
    throw malformed(
      'its acr_values are not 1 to 10 distinct values of visible ASCII separated by single spaces',
    );
  }
  return values;
}

function readScope(value: string): readonly string[] {
  const scopes = value.split(' ');
  if (
    value.length > MAX_SCOPE_PARAMETER_LENGTH ||
    scopes.length > MAX_SCOPES ||
    scopes.some((scope) => scope.length > MAX_SCOPE_LENGTH || !SCOPE_TOKEN.test(scope))
  ) {
    throw malformed(
      `its scope is not 1 to ${MAX_SCOPES} scope tokens (RFC 6749 §3.3) separated by single spaces, in at most ${MAX_SCOPE_PARAMETER_LENGTH} characters`,
    );
  }
  return [...new Set(scopes)];
}

/** Base64 (either alphabet, padded or not) of a JSON `claims` request, within the limits. */
function readClaims(encoded: string): ClaimsRequest {
  if (encoded.length > MAX_CLAIMS_PARAMETER_LENGTH) {
    throw malformed(`its claims are longer than ${MAX_CLAIMS_PARAMETER_LENGTH} characters`);
  }
  if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
    throw malformed('its claims are not base64');
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length > MAX_CLAIMS_BYTES) {
    throw malformed(`its claims are larger than ${MAX_CLAIMS_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw malformed('its claims are not JSON in UTF-8', error);
  }
  if (depthOf(parsed) > MAX_CLAIMS_DEPTH) {
    throw malformed(`its claims are nested deeper than ${MAX_CLAIMS_DEPTH} levels`);
  }
  if (!isObject(parsed) || Object.keys(parsed).length === 0) {
    throw malformed('its claims are not a JSON object with members');
  }
  for (const [target, requested] of Object.entries(parsed)) {
    if (!CLAIMS_TARGETS.has(target)) {
      throw malformed(
        `its claims ask for "${printable(target)}", not access_token, id_token or userinfo`,
      );
    }
    if (!isObject(requested) || Object.keys(requested).length === 0) {
      throw malformed(`its claims' ${target} is not an object naming claims`);
    }
    for (const [claim, request] of Object.entries(requested)) {
      if (!isClaimRequest(request)) {
        throw malformed(
          `its claims' ${target}.${printable(claim)} is not null nor { essential, value, values }`,
        );
      }
    }
  }
  return parsed;
}

/** Entra's authentication contexts: `access_token.acrs`'s `value` or `values`. */
function readAcrs(claims: ClaimsRequest): readonly string[] | undefined {
  const request = claims.access_token?.acrs;
  if (request === undefined) return undefined;
  const { value, values } = (request ?? {}) as { value?: unknown; values?: unknown };
  const contexts = values ?? (value === undefined ? undefined : [value]);
  if (!isValidAssuranceList(contexts)) {
    throw malformed(
      'its claims ask for acrs without 1 to 10 authentication contexts in value or values',
    );
  }
  return contexts;
}

function isClaimRequest(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value)) return false;
  if (Object.keys(value).some((member) => !CLAIM_REQUEST_MEMBERS.has(member))) return false;
  if (value.essential !== undefined && typeof value.essential !== 'boolean') return false;
  if (value.value !== undefined && !isScalar(value.value)) return false;
  if (value.values !== undefined) {
    if (!Array.isArray(value.values) || value.values.length === 0 || value.values.length > 10) {
      return false;
    }
    if (!value.values.every(isScalar)) return false;
  }
  return true;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);
}

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const member of Object.values(value)) deepest = Math.max(deepest, depthOf(member));
  return deepest + 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A name from the downstream, fit for a log line: short, visible ASCII. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7E]/g, '?').slice(0, 40);
}

function malformed(detail: string, cause?: unknown): DownstreamChallengeException {
  return new DownstreamChallengeException(
    'malformed',
    `The downstream service's challenge: ${detail}`,
    {
      cause,
    },
  );
}
