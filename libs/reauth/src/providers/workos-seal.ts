import { IronError, openIronSeal } from '../crypto/iron';

/** The seal is not in the one shape {@link openWorkOSSeal} reads: the SDK must read it. */
export const NOT_OPENED: unique symbol = Symbol('not opened');

// What `@workos-inc/node` (8 and later) writes: an iron seal (`Fe26.2`) under password id `1`,
// with no expiry, followed by its own version suffix.
const PASSWORD_ID = '1';
const VERSION_SUFFIX = '~2';

/**
 * Opens a WorkOS session cookie sealed the way `@workos-inc/node` seals it, synchronously with
 * `crypto/iron.ts`: the SDK's `getSessionFromCookie` does the same steps through WebCrypto, about
 * 235 µs a cookie, which every cookie not in the library's cache pays.
 *
 * @returns the sealed JSON value; `undefined` when the seal is in that shape but does not open
 * (tampered, another password, not JSON); {@link NOT_OPENED} for any other shape (another
 * password id, an expiry, no version suffix...), which the caller hands to the SDK.
 */
export function openWorkOSSeal(sealed: string, password: string): unknown {
  if (!sealed.endsWith(VERSION_SUFFIX)) return NOT_OPENED;
  const iron = sealed.slice(0, -VERSION_SUFFIX.length);
  if (iron.includes('~')) return NOT_OPENED;
  try {
    return openIronSeal(iron, { id: PASSWORD_ID, secret: password });
  } catch (error) {
    if (!(error instanceof IronError)) throw error;
    return error.code === 'iron_unsupported' ? NOT_OPENED : undefined;
  }
}
