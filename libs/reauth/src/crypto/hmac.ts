import { createHmac } from 'node:crypto';

/**
 * The HMAC-SHA256 of the concatenation of `parts` (a string counts as its UTF-8 bytes), keyed
 * with `key` as UTF-8: what webhook signatures such as WorkOS's are made of.
 */
export function hmacSha256(key: string, ...parts: readonly (string | Uint8Array)[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}
