import { CryptoError } from './errors';

/** A JWT whose payload cannot be read. Its one code is `jwt_malformed`. */
export class JwtPayloadError extends CryptoError {
  readonly code = 'jwt_malformed';
}

/** The registered claims (RFC 7519, section 4.1), typed as JOSE libraries type them. */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;
// Forgiving base64 (WHATWG), as `atob` reads it: ASCII whitespace is skipped.
const ASCII_WHITESPACE = /[\t\n\f\r ]/g;

/**
 * The payload of a JWT in compact serialization, read without verifying anything: only for a
 * token that something else (a seal, a TLS channel) already vouches for. Reads what `jose`'s
 * `decodeJwt` reads and refuses what it refuses: anything but three segments, a payload that is
 * not strict base64url, UTF-8 and JSON, or JSON that is not an object.
 *
 * @throws JwtPayloadError `jwt_malformed`.
 */
export function decodeJwtPayload(jwt: string): JwtPayload {
  if (typeof jwt !== 'string') throw new JwtPayloadError('the JWT is not a string');
  const { 1: payload, length } = jwt.split('.');
  if (length === 5) throw new JwtPayloadError('the JWT is encrypted (compact JWE)');
  if (length !== 3) throw new JwtPayloadError('the JWT is not three segments');
  if (!payload) throw new JwtPayloadError('the JWT has no payload');
  const bytes = decodeBase64url(payload);
  if (bytes === undefined) throw new JwtPayloadError('the JWT payload is not base64url');
  let claims: unknown;
  try {
    claims = JSON.parse(STRICT_UTF8.decode(bytes));
  } catch (error) {
    throw new JwtPayloadError('the JWT payload is not JSON', { cause: error });
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new JwtPayloadError('the JWT payload is not a JSON object');
  }
  return claims as JwtPayload;
}

/**
 * Decodes base64url as `atob` would decode its base64 twin, `undefined` where it would throw: a
 * character outside the alphabet, a length that leaves one lone character, padding not at the end.
 * (`Buffer.from(…, 'base64url')` skips what it does not understand instead.)
 */
function decodeBase64url(encoded: string): Buffer | undefined {
  let text = encoded.replace(ASCII_WHITESPACE, '');
  if (text.length % 4 === 0) text = text.replace(/={1,2}$/, '');
  if (text.length % 4 === 1 || !BASE64URL_ALPHABET.test(text)) return undefined;
  return Buffer.from(text, 'base64url');
}
