import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CodedCryptoError } from './errors';
import { randomBytesPooled } from './random';

/**
 * The stable codes of {@link JweError}.
 *
 * - `jwe_malformed`: not a compact JWE with `dir` (an empty encrypted key), a protected header
 *   that is not a JSON object, or an IV or tag of the wrong size.
 * - `jwe_unsupported`: another algorithm than `dir` with `A256GCM`.
 * - `jwe_decryption_failed`: does not decrypt and authenticate under the key.
 */
export type JweErrorCode = 'jwe_malformed' | 'jwe_unsupported' | 'jwe_decryption_failed';

/** A compact JWE that does not parse or decrypt. */
export class JweError extends CodedCryptoError<JweErrorCode> {}

const HEADER = { alg: 'dir', enc: 'A256GCM' } as const;
// Compact JWE with `dir`: protected header, an empty encrypted key, IV, ciphertext, tag.
const COMPACT_DIR_JWE = /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// The protected header of every JWE made here, encoded once: it is also the AES-GCM AAD.
const ENCODED_HEADER = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
const HEADER_AAD = Buffer.from(ENCODED_HEADER, 'ascii');

/**
 * Encrypts `plaintext` into a compact JWE with `dir` and `A256GCM` (RFC 7516, RFC 7518) under a
 * 256-bit `key`, with `node:crypto` directly: the format any JOSE library reads.
 */
export function encryptCompactDir(plaintext: Uint8Array, key: Uint8Array): string {
  const iv = randomBytesPooled(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(HEADER_AAD);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${ENCODED_HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * Opens a compact JWE with `dir` and `A256GCM`, made by {@link encryptCompactDir} or any JOSE
 * library; throws {@link JweError} for anything else, keeping the lower-level error as `cause`.
 */
export function decryptCompactDir(token: string, key: Uint8Array): Buffer {
  if (!COMPACT_DIR_JWE.test(token)) {
    throw new JweError('jwe_malformed', 'not a compact JWE with dir');
  }
  const [encodedHeader, , encodedIv, encodedCiphertext, encodedTag] = token.split('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  } catch (error) {
    throw new JweError('jwe_malformed', 'the JWE header is not JSON', { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new JweError('jwe_malformed', 'the JWE header is not a JSON object');
  }
  const iv = Buffer.from(encodedIv, 'base64url');
  const tag = Buffer.from(encodedTag, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new JweError('jwe_malformed', 'the JWE IV or tag has the wrong size');
  }
  const { alg, enc } = header as { alg?: unknown; enc?: unknown };
  if (alg !== HEADER.alg || enc !== HEADER.enc) {
    throw new JweError('jwe_unsupported', 'the JWE is not sealed with dir and A256GCM');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(Buffer.from(encodedCiphertext, 'base64url')),
      decipher.final(),
    ]);
  } catch (error) {
    throw new JweError('jwe_decryption_failed', 'the JWE does not decrypt with this key', {
      cause: error,
    });
  }
}
