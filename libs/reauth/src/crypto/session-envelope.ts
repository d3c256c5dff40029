import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CodedCryptoError } from './errors';
import { deriveKey, SESSION_KEY } from './key-derivation';
import { randomBytes } from './random';

/**
 * The stable codes of {@link SessionEnvelopeError}.
 *
 * - `envelope_malformed`: not `v1.<iv>.<ciphertext>.<tag>` with a 12-byte IV and 16-byte tag.
 * - `envelope_decryption_failed`: does not decrypt and authenticate under this password.
 */
export type SessionEnvelopeErrorCode = 'envelope_malformed' | 'envelope_decryption_failed';

/** A session envelope that does not open. */
export class SessionEnvelopeError extends CodedCryptoError<SessionEnvelopeErrorCode> {}

const PREFIX = 'v1.';
const ENVELOPE = /^v1\.([\w-]{16})\.([\w-]+)\.([\w-]{22})$/;
// The purpose is authenticated too: an envelope opens for nothing else.
const AAD = Buffer.from(SESSION_KEY.info);

/**
 * Seals `plaintext` as `v1.<iv>.<ciphertext>.<tag>` (base64url): AES-256-GCM under a key
 * derived from `password` with HKDF for sessions only, a random 12-byte IV, the purpose as AAD.
 */
export function sealSessionEnvelope(plaintext: string, password: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(password, SESSION_KEY), iv);
  cipher.setAAD(AAD);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * The plaintext (decoded as UTF-8) of an envelope made by {@link sealSessionEnvelope} with
 * `password`; throws {@link SessionEnvelopeError} for anything else.
 */
export function openSessionEnvelope(sealed: string, password: string): string {
  const match = typeof sealed === 'string' ? ENVELOPE.exec(sealed) : null;
  if (!match) throw new SessionEnvelopeError('envelope_malformed', 'not a session envelope');
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey(password, SESSION_KEY),
      Buffer.from(match[1], 'base64url'),
    );
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(match[3], 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(match[2], 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new SessionEnvelopeError(
      'envelope_decryption_failed',
      'the envelope does not decrypt with this password',
      { cause: error },
    );
  }
}
