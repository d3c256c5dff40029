import { constantTimeEqual } from '../../crypto/digest';
import { hmacSha256 } from '../../crypto/hmac';

/** Why a `WorkOS-Signature` was refused. */
export type WorkOSSignatureRefusal =
  | 'signature_missing'
  | 'signature_malformed'
  | 'timestamp_stale'
  | 'timestamp_in_future'
  | 'signature_mismatch';

/** What a `WorkOS-Signature` is checked against. */
export interface WorkOSSignatureCheck {
  /** The header as the request carried it (Node gives an array for a repeated header). */
  header: string | readonly string[] | undefined;
  /** The request body exactly as received: the bytes WorkOS signed. */
  body: Uint8Array;
  secret: string;
  /** Now, by the library's clock, in ms. */
  nowMs: number;
  /** How far `t` may be from now, either way, in ms. */
  toleranceMs: number;
}

const MAX_HEADER_LENGTH = 1024;
const TIMESTAMP = /^\d{1,15}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks a webhook's `WorkOS-Signature` (`t=<ms>, v1=<hex>`): `v1` must be the HMAC-SHA256, keyed
 * with the endpoint secret, of `<t>.<body>` over the body's own bytes, and `t` within
 * `toleranceMs` of now in either direction. Returns why it is refused, or `undefined`.
 *
 * It checks what `webhooks.constructEvent` of `@workos-inc/node` checks, and what it leaves open:
 * - a `t` in the future: the SDK refuses only old ones, so a signature made (or a clock set)
 *   ahead would stay valid until that time comes;
 * - a `t` that is not a number: the SDK's `parseInt` gives `NaN`, which no age comparison refuses;
 * - the field names: the SDK takes the first two comma-separated values whatever they are called;
 * - the time: here the library's clock, not `Date.now()`, so tests and apps that move their
 *   clock see one notion of time;
 * - the body: its bytes, never a re-serialisation of parsed JSON. SDKs before the fix that
 *   accepts raw bodies sign `JSON.stringify` of what they are given, which differs from what
 *   WorkOS signed whenever WorkOS escapes or orders characters differently.
 * Several `v1` values are accepted (any one matching passes), and fields of other schemes are
 * ignored, so that a second signature or a new scheme does not break delivery.
 */
export function checkWorkOSSignature(
  check: WorkOSSignatureCheck,
): WorkOSSignatureRefusal | undefined {
  const { header } = check;
  if (header === undefined || header.length === 0) return 'signature_missing';
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) {
    return 'signature_malformed';
  }
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return 'signature_malformed';
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) return 'signature_malformed';
      timestamp = value;
    } else if (name === 'v1') {
      if (!HEX_SHA256.test(value)) return 'signature_malformed';
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return 'signature_malformed';
  const sentAtMs = Number(timestamp);
  if (sentAtMs < check.nowMs - check.toleranceMs) return 'timestamp_stale';
  if (sentAtMs > check.nowMs + check.toleranceMs) return 'timestamp_in_future';
  const expected = hmacSha256(check.secret, `${timestamp}.`, check.body);
  // Every candidate is compared, so the time taken does not tell which one matched.
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqual(signature, expected) || matched;
  return matched ? undefined : 'signature_mismatch';
}
