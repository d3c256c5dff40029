import { randomBytes as systemRandomBytes, randomFillSync } from 'node:crypto';

// One call into the CSPRNG serves about forty refusals (a nonce, a PKCE verifier and an IV each),
// instead of three calls per refusal.
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let offset = 0;

/** A size that cannot move the pool's offset backwards, nor make it NaN. */
function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`random bytes: size must be a non-negative integer, got ${size}`);
  }
}

/**
 * `size` bytes of the pool, a view that is never handed out again: a spent pool is replaced by a
 * new buffer, never refilled in place. The view shares the pool's memory; callers copy it or
 * encode it at once.
 */
function take(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}

/**
 * `size` bytes from the operating system's CSPRNG, as `crypto.randomBytes` gives them, drawn from
 * a pool filled a few kilobytes at a time. Every byte is handed out once, in a buffer of its own
 * (through which no other caller's bytes can be read).
 */
export function randomBytesPooled(size: number): Buffer {
  checkSize(size);
  if (size > POOL_BYTES) return systemRandomBytes(size);
  // Not from Node's shared buffer pool either: its memory holds these bytes alone.
  const bytes = Buffer.allocUnsafeSlow(size);
  take(size).copy(bytes);
  return bytes;
}

/** `size` random bytes (see {@link randomBytesPooled}) as base64url. */
export function randomToken(size: number): string {
  checkSize(size);
  if (size > POOL_BYTES) return systemRandomBytes(size).toString('base64url');
  return take(size).toString('base64url');
}

/** `size` bytes straight from the operating system's CSPRNG (`crypto.randomBytes`), unpooled. */
export function randomBytes(size: number): Buffer {
  return systemRandomBytes(size);
}
