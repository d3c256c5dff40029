import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256 digest of `data` (a string is hashed as UTF-8). */
export function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The SHA-256 digest of `data` (a string is hashed as UTF-8), base64url without padding. */
export function sha256Base64url(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/**
 * Whether `a` and `b` hold the same bytes, in time that depends only on their lengths: a
 * difference of length returns `false` at once (the length is not the secret).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
