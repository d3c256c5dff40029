import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function crockford(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CROCKFORD[bytes[i % bytes.length] % 32];
  return out;
}

/** A WorkOS-looking identifier (`prefix_` + 26 Crockford characters), random. */
export function randomId(prefix: string): string {
  return `${prefix}_01${crockford(randomBytes(24), 24)}`;
}

/** A WorkOS-looking identifier derived from a seed, so demo users keep their id across restarts. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}_01${crockford(createHash('sha256').update(seed).digest(), 24)}`;
}

/** An opaque, unguessable token (authorization codes, refresh tokens, browser sessions). */
export function opaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
