import { StepUpFailedError, type StepUpFailureReason } from './errors.js';
import { isRecord } from './values.js';

// The JSON requests of a confirmation, sent as the refused request was: same credentials mode,
// same app headers (a Bearer token, a CSRF token), so the server sees the same session.

/** How a confirmation reaches the server: the wrapped `fetch`, and the request it confirms for. */
export interface StepUpTransport {
  fetch: (request: Request) => Promise<Response>;
  /** The refused request: its credentials mode and app headers go with every confirmation. */
  original: Request;
}

/** Headers of the refused request that a confirmation carries too. */
function carriedHeaders(original: Request): Headers {
  const headers = new Headers();
  original.headers.forEach((value, name) => {
    if (name === 'authorization' || (name.startsWith('x-') && !name.startsWith('x-reauth-'))) {
      headers.set(name, value);
    }
  });
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/json');
  return headers;
}

/** POSTs `body` as JSON to `url` the way the refused request was sent. */
export function postJson(transport: StepUpTransport, url: string, body: object): Promise<Response> {
  return transport.fetch(
    new Request(url, {
      method: 'POST',
      credentials: transport.original.credentials,
      headers: carriedHeaders(transport.original),
      body: JSON.stringify(body),
    }),
  );
}

/** The answer's JSON, or `undefined` when it has none. */
export async function jsonOf(response: Response): Promise<unknown> {
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** `Retry-After` in seconds (delay-seconds or an HTTP date), when it is readable. */
export function retryAfterSeconds(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The 400 codes of the protocol, passed on as the failure's reason. */
const BAD_REQUEST_REASONS: readonly StepUpFailureReason[] = [
  'invalid_request',
  'invalid_credentials',
  'invalid_code',
  'challenge_expired',
  'passkey_not_verified',
];

const REASON_BY_STATUS: Partial<Record<number, StepUpFailureReason>> = {
  401: 'session_ended',
  403: 'forbidden',
  429: 'too_many_attempts',
  503: 'unavailable',
};

/** What an answer other than 200 means, as a typed error. */
export async function failureOf(response: Response): Promise<StepUpFailedError> {
  const { status } = response;
  const json = await jsonOf(response);
  const code = isRecord(json) ? json.error : undefined;
  const details = { status, retryAfter: retryAfterSeconds(response) };
  const reason =
    status === 400
      ? (BAD_REQUEST_REASONS.find((known) => known === code) ?? 'invalid_request')
      : (REASON_BY_STATUS[status] ?? 'unexpected_response');
  return new StepUpFailedError(reason, details);
}
