import { randomBytes, randomFillSync } from 'node:crypto';

// One call into the CSPRNG serves about forty refusals (a nonce, a PKCE verifier and an IV each),
// instead of three calls per refusal.
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `size` bytes from the operating system's CSPRNG, as `crypto.randomBytes` gives them, drawn from
 * a pool filled a few kilobytes at a time. Every byte is handed out once: a spent pool is replaced
 * by a new buffer, never refilled in place, so the bytes a caller holds never change.
 */
export function randomBytesPooled(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}

/** `size` random bytes (see {@link randomBytesPooled}) as base64url. */
export function randomToken(size: number): string {
  return randomBytesPooled(size).toString('base64url');
}
