import type { IncomingHttpHeaders } from 'node:http';
import { checkWorkOSSignature, type WorkOSSignatureRefusal } from './workos-signature';

/**
 * How far a webhook's signature time may be from now, either way: the tolerance of
 * `webhooks.constructEvent` in `@workos-inc/node`.
 */
export const WORKOS_EVENT_TOLERANCE_SECONDS = 180;

/**
 * How long an event's id is remembered. A signed copy is accepted while its `t` is within the
 * tolerance of now, so an id remembered for twice the tolerance (and a minute of slack) outlives
 * every copy that could be replayed. WorkOS's own retries are signed anew and may come days later:
 * acting on one of those again ends sessions that are already ended, which changes nothing.
 */
export const WORKOS_EVENT_ID_TTL_SECONDS = 2 * WORKOS_EVENT_TOLERANCE_SECONDS + 60;

/** The largest event body read; WorkOS's session and user events are a few kilobytes. */
export const MAX_WORKOS_EVENT_BYTES = 64 * 1024;

/** Why a delivery to the WorkOS events route was refused. */
export type WorkOSEventRefusal =
  | WorkOSSignatureRefusal
  | 'unsupported_media_type'
  | 'raw_body_missing'
  | 'payload_too_large'
  | 'not_json'
  | 'malformed_event'
  | 'too_many_requests';

/** The status and the text of each refusal; the `error` of the JSON answer is the key. */
export const WORKOS_EVENT_REFUSALS: Readonly<
  Record<WorkOSEventRefusal, { status: number; message: string }>
> = Object.freeze({
  signature_missing: { status: 400, message: 'The WorkOS-Signature header is missing.' },
  signature_malformed: {
    status: 400,
    message: 'The WorkOS-Signature header is not of the form t=<ms>, v1=<hex>.',
  },
  timestamp_stale: { status: 400, message: 'The signature is too old.' },
  timestamp_in_future: { status: 400, message: 'The signature is dated in the future.' },
  signature_mismatch: {
    status: 400,
    message: 'The signature does not match the body and the endpoint secret.',
  },
  unsupported_media_type: { status: 415, message: 'Events are accepted as application/json.' },
  raw_body_missing: {
    status: 400,
    message:
      'The raw request body is not available to verify the signature: the app must be created with rawBody: true.',
  },
  payload_too_large: {
    status: 413,
    message: `Events are accepted up to ${MAX_WORKOS_EVENT_BYTES} bytes.`,
  },
  not_json: { status: 400, message: 'The body is not JSON.' },
  malformed_event: { status: 400, message: 'The body is not a WorkOS event.' },
  too_many_requests: { status: 429, message: 'Too many events from this address; try later.' },
});

/**
 * The sessions an event ends: AuthKit sessions by id (the `sid` of their access tokens), or every
 * session of a user signed in (a token's `iat`) at or before `before`, in seconds.
 */
export interface WorkOSEndedSessions {
  sessionIds?: readonly string[];
  user?: { id: string; before: number };
}

/** A verified WorkOS event, and the sessions it ends, if it ends any. */
export interface WorkOSEvent {
  /** The event's id (`event_...`): what makes it single-use. */
  id: string;
  /** The event's name, such as `session.revoked`. */
  name: string;
  /** What to end: absent for an event that ends no session. */
  ended?: WorkOSEndedSessions;
}

/** A request to the events route, as the HTTP adapter gives it. */
export interface WorkOSEventDelivery {
  headers: IncomingHttpHeaders;
  /** `request.rawBody`, which Nest sets when the app is created with `rawBody: true`. */
  rawBody: unknown;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const EVENT_NAME = /^[a-z0-9_.]{1,128}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a delivery: the media type, the raw body, its size, the `WorkOS-Signature` over it, then
 * the event it holds. Returns the event, or why the delivery is refused.
 *
 * Only the raw body is ever verified. The JSON that the app's body parser made of it cannot be
 * turned back into the bytes WorkOS signed: `JSON.stringify` of it may order, space or escape
 * differently (`\u003c` becomes `<`, `1.0` becomes `1`), so a genuine event would fail, and
 * accepting a re-serialisation would verify something other than what was received.
 */
export function readWorkOSEvent(
  delivery: WorkOSEventDelivery,
  settings: { secret: string; nowMs: number },
): WorkOSEvent | WorkOSEventRefusal {
  const { headers } = delivery;
  if (!isJson(headers['content-type'])) return 'unsupported_media_type';
  const body = bytesOf(delivery.rawBody);
  if (body === undefined) return hasBody(headers) ? 'raw_body_missing' : 'not_json';
  if (body.length > MAX_WORKOS_EVENT_BYTES) return 'payload_too_large';
  const refusal = checkWorkOSSignature({
    header: headers['workos-signature'],
    body,
    secret: settings.secret,
    nowMs: settings.nowMs,
    toleranceMs: WORKOS_EVENT_TOLERANCE_SECONDS * 1000,
  });
  if (refusal !== undefined) return refusal;
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(body));
  } catch {
    return 'not_json';
  }
  return eventOf(parsed, Math.floor(settings.nowMs / 1000));
}

/**
 * The event in a verified body: `session.revoked` ends its session (`data.id`, the `sid` of the
 * session's access tokens); `user.deleted` ends every session of its user (`data.id`) signed in
 * at or before the event was created (never later than now); any other event ends nothing.
 */
export function eventOf(parsed: unknown, nowSeconds: number): WorkOSEvent | 'malformed_event' {
  if (!isObject(parsed)) return 'malformed_event';
  const { id, event: name, created_at: createdAt, data } = parsed;
  if (typeof id !== 'string' || !ID.test(id)) return 'malformed_event';
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) return 'malformed_event';
  const createdAtMs = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
  if (!Number.isFinite(createdAtMs) || !isObject(data)) return 'malformed_event';
  if (name !== 'session.revoked' && name !== 'user.deleted') return { id, name };
  if (typeof data.id !== 'string' || !ID.test(data.id)) return 'malformed_event';
  const ended: WorkOSEndedSessions =
    name === 'session.revoked'
      ? { sessionIds: [data.id] }
      : { user: { id: data.id, before: Math.min(Math.floor(createdAtMs / 1000), nowSeconds) } };
  return { id, name, ended };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type?.endsWith('+json') ?? false);
}

function bytesOf(rawBody: unknown): Uint8Array | undefined {
  if (rawBody instanceof Uint8Array) return rawBody.length > 0 ? rawBody : undefined;
  if (typeof rawBody === 'string' && rawBody !== '') return Buffer.from(rawBody, 'utf8');
  return undefined;
}

/** Whether the request said it has a body (a parser that ran would then have kept its bytes). */
function hasBody(headers: IncomingHttpHeaders): boolean {
  return (
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}
