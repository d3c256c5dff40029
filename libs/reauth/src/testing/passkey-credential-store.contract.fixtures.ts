import type { PasskeyCredential } from '../stores/passkey-credential.store';

/** 2023-11-14, in Unix seconds: the credentials' creation time unless a test says otherwise. */
export const CREATED_AT = 1_700_000_000;

/** A credential the suite stores: every field set, `lastUsedAt` absent. */
export function credentialFixture(overrides: Partial<PasskeyCredential> = {}): PasskeyCredential {
  return {
    id: 'Y3JlZGVudGlhbC1h',
    userId: 'user_01HZX5Q0R6V1',
    publicKey: 'pQECAyYgASFYIBbAg1hRU8ZbfpsVh6Yj2x5m7HkNwWk8m2M3ZGYUuQ5bIlggVjEyM0tLTE1OT1A',
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    name: 'MacBook Touch ID',
    createdAt: CREATED_AT,
    ...overrides,
  };
}

/**
 * Names a user may give a passkey: non-Latin scripts, emoji (outside the BMP), combining marks,
 * right-to-left text, quotes and backslashes, and 64 code points that take 128 UTF-16 units.
 */
export const UNICODE_NAMES = [
  'Clé de Zoë',
  '鍵 🔑 ключ',
  'e\u0301 composed',
  'مفتاح الأمان',
  `it's "mine" \\ 100%; --`,
  '🔐'.repeat(64),
];

/**
 * Credential ids of the forms WebAuthn allows: base64url of 16 to 1023 bytes, so up to 1364
 * characters, case-sensitive (ids differing only in case are different credentials).
 */
export const CREDENTIAL_IDS = ['AAAAAAAAAAAAAAAAAAAAAA', 'aBc-_09', 'ABC-_09', 'x'.repeat(1364)];

/** The largest signature counter WebAuthn allows (unsigned 32 bits). */
export const MAX_COUNTER = 4_294_967_295;

/** 2100-01-01, in Unix seconds: past 2038, so beyond a signed 32-bit column. */
export const FAR_FUTURE = 4_102_444_800;
