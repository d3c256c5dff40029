import { constants, verify, type KeyObject } from 'node:crypto';
import { CodedCryptoError } from './errors';

/**
 * The stable codes of {@link JwsError}.
 *
 * - `jws_malformed`: not three base64url segments, or a segment that is not a JSON object in
 *   valid UTF-8.
 * - `jws_unsupported_alg`: an algorithm this verifier does not implement.
 * - `jws_signature_invalid`: the signature does not verify under the key.
 */
export type JwsErrorCode = 'jws_malformed' | 'jws_unsupported_alg' | 'jws_signature_invalid';

/** A compact JWS that does not parse or verify. */
export class JwsError extends CodedCryptoError<JwsErrorCode> {}

/** A decoded JOSE header or JWT payload: a JSON object, not yet trusted. */
export type JsonObject = Record<string, unknown>;

/** The segments of a compact JWS (RFC 7515, section 7.1), still encoded. */
export interface CompactJws {
  /** The encoded protected header. */
  readonly header: string;
  /** The encoded payload. */
  readonly payload: string;
  /** What the signature covers: `header.payload`. */
  readonly signingInput: string;
  /** The encoded signature. */
  readonly signature: string;
}

/** The algorithms {@link verifyCompactJws} implements; never `none` nor HMAC. */
export const JWS_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// Invalid UTF-8 is refused, not replaced: a claim never reads other than the bytes signed.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Splits a compact JWS of three non-empty base64url segments; throws `jws_malformed` otherwise. */
export function splitCompactJws(token: string): CompactJws {
  if (!COMPACT_JWS.test(token)) throw new JwsError('jws_malformed', 'not a compact JWS');
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, last),
    signingInput: token.slice(0, last),
    signature: token.slice(last + 1),
  };
}

/** A base64url segment holding a JSON object in valid UTF-8; throws `jws_malformed` otherwise. */
export function decodeJwsSegment(segment: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')));
  } catch (error) {
    throw new JwsError('jws_malformed', 'a JWS segment is not JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwsError('jws_malformed', 'a JWS segment is not a JSON object');
  }
  return value as JsonObject;
}

/**
 * Verifies the signature of `jws` under `key` for `alg`, then decodes its payload: only the
 * payload of a signature that verified is parsed. The key must already fit the algorithm (type,
 * curve, RSA size: see `jwk.ts`); the header is the caller's to read and check.
 *
 * Synchronous `node:crypto` on the imported key, without a round trip through WebCrypto.
 */
export function verifyCompactJws(jws: CompactJws, alg: string, key: KeyObject): JsonObject {
  if (!(JWS_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new JwsError('jws_unsupported_alg', `the JWS algorithm ${alg} is not supported`);
  }
  if (!signatureVerifies(alg, key, jws)) {
    throw new JwsError('jws_signature_invalid', 'the JWS signature does not verify');
  }
  return decodeJwsSegment(jws.payload);
}

function signatureVerifies(alg: string, key: KeyObject, jws: CompactJws): boolean {
  const data = Buffer.from(jws.signingInput, 'latin1');
  const signature = Buffer.from(jws.signature, 'base64url');
  try {
    switch (alg) {
      case 'RS256':
        return verify('sha256', data, key, signature);
      case 'PS256':
        // RFC 7518, section 3.5: the salt is as long as the hash.
        return verify(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        );
      case 'ES256':
        // JWS carries R || S, 32 bytes each (RFC 7518, section 3.4), not DER.
        return (
          signature.length === 64 &&
          verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'EdDSA':
        return verify(null, data, key, signature);
      default:
        return false;
    }
  } catch {
    // A signature of the wrong size for the key, say: it does not verify.
    return false;
  }
}
