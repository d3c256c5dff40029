import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/** The seal is not in the one shape {@link openWorkOSSeal} reads: the SDK must read it. */
export const NOT_OPENED: unique symbol = Symbol('not opened');

// What `@workos-inc/node` (8 and later) writes: an iron seal (`Fe26.2`) under password id `1`,
// with no expiry, followed by its own version suffix.
const PREFIX = 'Fe26.2';
const PASSWORD_ID = '1';
const VERSION_SUFFIX = '~2';
// iron's defaults, which the SDK seals with: PBKDF2-SHA1 over one iteration for 32-byte keys.
const KEY_BYTES = 32;
const PBKDF2_ITERATIONS = 1;
const AES_CBC_IV_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// iron's minimum, which the SDK enforces: a shorter password is the SDK's to refuse.
const MIN_PASSWORD_LENGTH = 32;

/**
 * Opens a WorkOS session cookie sealed the way `@workos-inc/node` seals it, with `node:crypto`
 * directly and synchronously: the SDK's `getSessionFromCookie` does the same steps through
 * WebCrypto, about 235 µs a cookie, which every cookie not in the library's cache pays.
 *
 * The steps are iron's: the HMAC-SHA256 of the seal's first six parts, under a key derived with
 * PBKDF2-SHA1 from the password and the seal's HMAC salt, must equal the seal's (compared in
 * constant time); only then is the body decrypted with AES-256-CBC, under a key derived from the
 * encryption salt, and parsed as JSON.
 *
 * @returns the sealed JSON value; `undefined` when the seal is in that shape but does not open
 * (tampered, another password, not JSON); {@link NOT_OPENED} for any other shape (another
 * password id, an expiry, no version suffix...), which the caller hands to the SDK.
 */
export function openWorkOSSeal(sealed: string, password: string): unknown {
  if (password.length < MIN_PASSWORD_LENGTH || !sealed.endsWith(VERSION_SUFFIX)) return NOT_OPENED;
  const iron = sealed.slice(0, -VERSION_SUFFIX.length);
  if (iron.includes('~')) return NOT_OPENED;
  const parts = iron.split('*');
  if (parts.length !== 8) return NOT_OPENED;
  const [prefix, passwordId, encryptionSalt, iv, body, expiration, macSalt, mac] = parts;
  if (prefix !== PREFIX || passwordId !== PASSWORD_ID || expiration !== '') return NOT_OPENED;
  if (![encryptionSalt, iv, body, macSalt, mac].every((part) => BASE64URL.test(part))) {
    return NOT_OPENED;
  }

  const macBase = iron.slice(0, iron.length - macSalt.length - mac.length - 2);
  const expected = createHmac('sha256', deriveKey(password, macSalt)).update(macBase).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;

  const ivBytes = Buffer.from(iv, 'base64url');
  if (ivBytes.length !== AES_CBC_IV_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-cbc', deriveKey(password, encryptionSalt), ivBytes);
    const json = Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

function deriveKey(password: string, salt: string): Buffer {
  return pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, KEY_BYTES, 'sha1');
}
