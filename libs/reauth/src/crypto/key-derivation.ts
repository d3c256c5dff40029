import { hkdfSync } from 'node:crypto';

/** What a derived key is for: HKDF's salt and info, which no two purposes share. */
export interface KeyPurpose {
  readonly salt: string;
  readonly info: string;
}

// The secret is typically the cookie password, which seals other things too; a purpose-bound
// derived key means a sealed state can never open as a session, nor a session as a state.
/** The key of the OAuth `state`, a compact JWE (`dir`, `A256GCM`). Pinned: states in flight use it. */
export const STATE_KEY: KeyPurpose = Object.freeze({
  salt: 'nest-reauth',
  info: 'nest-reauth state v1',
});

/** The key of the library's own session cookie (see `session-envelope.ts`). Pinned likewise. */
export const SESSION_KEY: KeyPurpose = Object.freeze({
  salt: 'nest-reauth',
  info: 'nest-reauth oidc session v1',
});

/** The key of a step-up ticket (see `factors/step-up-ticket.ts`): short-lived, so not pinned. */
export const STEP_UP_TICKET_KEY: KeyPurpose = Object.freeze({
  salt: 'nest-reauth',
  info: 'nest-reauth step-up ticket v1',
});

/** The key of a WebSocket refusal's re-authentication ticket (see `websockets/`): short-lived. */
export const SOCKET_TICKET_KEY: KeyPurpose = Object.freeze({
  salt: 'nest-reauth',
  info: 'nest-reauth socket ticket v1',
});

const KEY_BYTES = 32;
// A process normally holds one secret per purpose, or two during a rotation; the bound only
// guards against a caller that passes a fresh secret each time.
const KEY_CACHE_LIMIT = 16;
const keys = new Map<string, Buffer>();

/**
 * A 256-bit key derived from `secret` with HKDF-SHA256 for `purpose`, computed once per secret
 * and purpose. Callers must not write to the returned buffer: it is shared.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  const id = `${purpose.salt}\u0000${purpose.info}\u0000${secret}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', secret, purpose.salt, purpose.info, KEY_BYTES));
    if (keys.size >= KEY_CACHE_LIMIT) keys.clear();
    keys.set(id, key);
  }
  return key;
}
