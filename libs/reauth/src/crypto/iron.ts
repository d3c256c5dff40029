import { createDecipheriv, createHmac, pbkdf2Sync } from 'node:crypto';
import { constantTimeEqual } from './digest';
import { CodedCryptoError } from './errors';

/**
 * The stable codes of {@link IronError}.
 *
 * - `iron_unsupported`: not an iron seal in the one shape read here (another prefix or password
 *   id, an expiry, a password shorter than iron allows): another reader may open it.
 * - `iron_invalid`: in that shape, but it does not open (tampered, another password, not JSON).
 */
export type IronErrorCode = 'iron_unsupported' | 'iron_invalid';

/** An iron seal that this opener does not read, or that does not open. */
export class IronError extends CodedCryptoError<IronErrorCode> {}

/** The password an iron seal names by id. */
export interface IronPassword {
  id: string;
  secret: string;
}

const PREFIX = 'Fe26.2';
// iron's defaults: PBKDF2-SHA1 over one iteration for 32-byte keys.
const KEY_BYTES = 32;
const PBKDF2_ITERATIONS = 1;
const AES_CBC_IV_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// iron's minimum: a shorter password is refused by iron itself.
const MIN_PASSWORD_LENGTH = 32;

/**
 * Opens an iron seal (`Fe26.2*<id>*<encryption salt>*<iv>*<body>*<expiry>*<mac salt>*<mac>`)
 * made with iron's defaults, under a named password and without an expiry, with `node:crypto`
 * directly and synchronously.
 *
 * The HMAC-SHA256 of the seal's first six parts, under a key derived with PBKDF2-SHA1 from the
 * password and the seal's HMAC salt, must equal the seal's (compared in constant time); only then
 * is the body decrypted with AES-256-CBC, under a key derived from the encryption salt, and
 * parsed as JSON.
 *
 * @returns the sealed JSON value.
 * @throws IronError `iron_unsupported` or `iron_invalid`.
 */
export function openIronSeal(seal: string, password: IronPassword): unknown {
  const unsupported = () => new IronError('iron_unsupported', 'not an iron seal read here');
  if (password.secret.length < MIN_PASSWORD_LENGTH) throw unsupported();
  const parts = seal.split('*');
  if (parts.length !== 8) throw unsupported();
  const [prefix, passwordId, encryptionSalt, iv, body, expiration, macSalt, mac] = parts;
  if (prefix !== PREFIX || passwordId !== password.id || expiration !== '') throw unsupported();
  if (![encryptionSalt, iv, body, macSalt, mac].every((part) => BASE64URL.test(part))) {
    throw unsupported();
  }

  const macBase = seal.slice(0, seal.length - macSalt.length - mac.length - 2);
  const expected = createHmac('sha256', deriveKey(password.secret, macSalt))
    .update(macBase)
    .digest();
  if (!constantTimeEqual(Buffer.from(mac, 'base64url'), expected)) {
    throw new IronError('iron_invalid', 'the iron seal is not authentic');
  }

  const ivBytes = Buffer.from(iv, 'base64url');
  if (ivBytes.length !== AES_CBC_IV_BYTES) {
    throw new IronError('iron_invalid', 'the iron seal has an IV of the wrong size');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-cbc',
      deriveKey(password.secret, encryptionSalt),
      ivBytes,
    );
    const json = Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new IronError('iron_invalid', 'the iron seal does not open', { cause: error });
  }
}

function deriveKey(password: string, salt: string): Buffer {
  return pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, KEY_BYTES, 'sha1');
}
