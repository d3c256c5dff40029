import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { STATE_TTL_SECONDS } from '../core/reauth-state';
import { sealState, StateError, unsealState } from '../core/state-seal';
import type { ProviderSession } from './identity-provider';
import {
  MAX_RETIRED_REFRESH_TOKENS,
  MAX_SEALED_SESSION_LENGTH,
  openSession as openAt,
  sealSession as sealAt,
  SessionTooLargeError,
} from './session-seal';
import { flipFirstCharacter, withPart } from '../crypto/test-keys.spec.helper';

const NOW = 1_900_000_000;
const LIFETIME = 3600;
// Most tests seal and open at one moment; the lifetime has tests of its own.
const sealSession = (session: ProviderSession, password: string) =>
  sealAt(session, password, { now: NOW, lifetime: LIFETIME });
/** Opens at NOW; the seal's expiry, which every opened session carries, has tests of its own. */
const openSession = (sealed: string, password: string): ProviderSession | undefined => {
  const opened = openAt(sealed, password, NOW);
  if (opened === undefined) return undefined;
  const { sealExpiresAt, ...session } = opened;
  expect(Number.isSafeInteger(sealExpiresAt)).toBe(true);
  return session;
};

const PASSWORD = 'a-cookie-password-of-32-chars!!!';
const OTHER_PASSWORD = 'another-password-of-32-chars!!!!';
const SEALED = /^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/;

const FULL: ProviderSession = {
  accessToken: 'eyJhbGciOiJSUzI1NiJ9.access.sig',
  refreshToken: 'refresh_01',
  idToken: 'eyJhbGciOiJSUzI1NiJ9.id.sig',
  sessionId: 'session_01',
  signIn: { authTime: 1_735_680_000, acr: 'urn:example:loa:2', amr: ['pwd', 'otp'] },
};

// Pinned on purpose, as the state's: changing the derivation would sign every user out.
function sessionKey(password: string, info = 'nest-reauth oidc session v1'): Buffer {
  return Buffer.from(hkdfSync('sha256', password, 'nest-reauth', info, 32));
}

/**
 * Seals any plaintext in the session format, as the library would. A JSON object without `exp`
 * gets one that is still open at `NOW`, so each test checks only what it is about.
 */
function craft(
  text: string,
  { key = sessionKey(PASSWORD), aad = 'nest-reauth oidc session v1' } = {},
): string {
  let plaintext = text;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('exp' in value)) {
      plaintext = JSON.stringify({ exp: NOW + LIFETIME, ...value });
    }
  } catch {
    // Not JSON: sealed as it is.
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sealSession and openSession', () => {
  it('tells when the seal stops opening, the last second included', () => {
    const sealed = sealSession(FULL, PASSWORD);
    expect(openAt(sealed, PASSWORD, NOW)!.sealExpiresAt).toBe(NOW + LIFETIME);
    expect(openAt(sealed, PASSWORD, NOW + LIFETIME)).toBeDefined();
    expect(openAt(sealed, PASSWORD, NOW + LIFETIME + 1)).toBeUndefined();
  });

  it.each<[string, ProviderSession]>([
    ['every field', FULL],
    ['an access token alone', { accessToken: 'at' }],
    ['no sign-in facts', { accessToken: 'at', refreshToken: 'rt', sessionId: 'sid' }],
    ['an empty amr', { accessToken: 'at', signIn: { amr: [] } }],
    ['auth_time 0', { accessToken: 'at', signIn: { authTime: 0 } }],
    ['non-ASCII tokens', { accessToken: 'jeton-é-✓', sessionId: 'sess-ü' }],
  ])('round-trip %s', (_label, session) => {
    const sealed = sealSession(session, PASSWORD);
    expect(sealed).toMatch(SEALED);
    const opened = openSession(sealed, PASSWORD)!;
    expect(opened).toEqual(session.signIn ? session : { ...session, signIn: {} });
  });

  it('leaves out what could never open, so the cookie always does', () => {
    const sealed = sealSession(
      {
        accessToken: 'at',
        refreshToken: '',
        idToken: '',
        sessionId: '',
        signIn: { authTime: 1.5, acr: '' },
      },
      PASSWORD,
    );
    expect(openSession(sealed, PASSWORD)).toEqual({ accessToken: 'at', signIn: {} });
    expect(() => sealSession({ accessToken: '' }, PASSWORD)).toThrow(TypeError);
  });

  it('round-trips each field to its own place', () => {
    const opened = openSession(sealSession(FULL, PASSWORD), PASSWORD)!;
    expect(opened.accessToken).toBe(FULL.accessToken);
    expect(opened.refreshToken).toBe(FULL.refreshToken);
    expect(opened.idToken).toBe(FULL.idToken);
    expect(opened.sessionId).toBe(FULL.sessionId);
    expect(opened.signIn).toEqual({
      authTime: 1_735_680_000,
      acr: 'urn:example:loa:2',
      amr: ['pwd', 'otp'],
    });
  });

  it('keeps the refresh tokens a session replaced, the latest few', () => {
    const retired = ['rt_1', 'rt_2', 'rt_3', 'rt_4', 'rt_5'];
    expect(MAX_RETIRED_REFRESH_TOKENS).toBe(4);
    const opened = openSession(
      sealSession({ ...FULL, retiredRefreshTokens: retired }, PASSWORD),
      PASSWORD,
    )!;
    expect(opened.retiredRefreshTokens).toEqual(['rt_2', 'rt_3', 'rt_4', 'rt_5']);
    expect(openSession(sealSession(FULL, PASSWORD), PASSWORD)).not.toHaveProperty(
      'retiredRefreshTokens',
    );
    const none = sealSession({ ...FULL, retiredRefreshTokens: ['', 'x'.repeat(9000)] }, PASSWORD);
    expect(openSession(none, PASSWORD)).not.toHaveProperty('retiredRefreshTokens');
  });

  it('leaves out what the session does not have', () => {
    const opened = openSession(sealSession({ accessToken: 'at' }, PASSWORD), PASSWORD)!;
    expect(opened.refreshToken).toBeUndefined();
    expect(opened.idToken).toBeUndefined();
    expect(opened.sessionId).toBeUndefined();
    expect(opened.signIn).toEqual({ authTime: undefined, acr: undefined, amr: undefined });
  });

  it('does not keep the user profile (it is not in the cookie)', () => {
    const session = { ...FULL, user: { email: 'alice@example.com' } };
    const sealed = sealSession(session, PASSWORD);
    expect(openSession(sealed, PASSWORD)!.user).toBeUndefined();
  });

  it('keeps no reference to the amr it was given', () => {
    const amr = ['pwd'];
    const sealed = sealSession({ accessToken: 'at', signIn: { amr } }, PASSWORD);
    amr.push('otp');
    expect(openSession(sealed, PASSWORD)!.signIn!.amr).toEqual(['pwd']);
  });

  it('gives a different value each time (random IV)', () => {
    const values = new Set([1, 2, 3].map(() => sealSession(FULL, PASSWORD)));
    expect(values.size).toBe(3);
  });

  it('does not reveal the tokens', () => {
    const sealed = sealSession(FULL, PASSWORD);
    const visible = sealed
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('');
    for (const value of ['refresh_01', 'session_01', 'loa:2', 'otp', 'eyJ']) {
      expect(visible).not.toContain(value);
    }
  });

  it('uses the documented key derivation and associated data', () => {
    const sealed = craft(JSON.stringify({ at: 'at', sid: 'sid', t: 5, amr: ['otp'] }));
    expect(openSession(sealed, PASSWORD)).toEqual({
      accessToken: 'at',
      sessionId: 'sid',
      signIn: { authTime: 5, amr: ['otp'] },
    });
  });

  it('works with many passwords in turn', () => {
    const passwords = Array.from({ length: 12 }, (_, i) => `${PASSWORD}-${i}`);
    const sealed = passwords.map((password) => sealSession(FULL, password));
    for (const [i, value] of sealed.entries()) {
      expect(openSession(value, passwords[i])).toEqual(FULL);
      expect(openSession(value, passwords[(i + 1) % passwords.length])).toBeUndefined();
    }
  });
});

describe('openSession', () => {
  let sealed: string;

  beforeAll(() => {
    sealed = sealSession(FULL, PASSWORD);
  });

  it('opens nothing sealed with another password', () => {
    expect(openSession(sealed, OTHER_PASSWORD)).toBeUndefined();
    expect(openSession(sealSession(FULL, OTHER_PASSWORD), PASSWORD)).toBeUndefined();
  });

  it.each([
    ['the iv', 1],
    ['the ciphertext', 2],
    ['the tag', 3],
  ])('opens nothing whose %s was changed', (_label, index) => {
    expect(openSession(withPart(sealed, index, flipFirstCharacter), PASSWORD)).toBeUndefined();
  });

  it('opens nothing with a ciphertext spliced from another session', () => {
    const other = sealSession(
      { ...FULL, accessToken: 'eyJhbGciOiJSUzI1NiJ9.access.sih' },
      PASSWORD,
    );
    const spliced = withPart(sealed, 2, () => other.split('.')[2]);
    expect(openSession(spliced, PASSWORD)).toBeUndefined();
  });

  it('opens nothing with a truncated ciphertext', () => {
    expect(
      openSession(
        withPart(sealed, 2, (part) => part.slice(0, -4)),
        PASSWORD,
      ),
    ).toBeUndefined();
  });

  it('opens nothing sealed under another purpose (the key or the associated data)', () => {
    const plaintext = JSON.stringify({ at: 'at' });
    expect(openSession(craft(plaintext), PASSWORD)).toEqual({ accessToken: 'at', signIn: {} });
    const stateKey = sessionKey(PASSWORD, 'nest-reauth state v1');
    expect(openSession(craft(plaintext, { key: stateKey }), PASSWORD)).toBeUndefined();
    expect(
      openSession(craft(plaintext, { aad: 'nest-reauth state v1' }), PASSWORD),
    ).toBeUndefined();
  });

  it.each([
    ['another version', (value: string) => `v2${value.slice(2)}`],
    ['no version', (value: string) => value.slice(3)],
    ['an upper-case version', (value: string) => `V1${value.slice(2)}`],
    ['a short iv', (value: string) => withPart(value, 1, (part) => part.slice(1))],
    ['a long iv', (value: string) => withPart(value, 1, (part) => `${part}A`)],
    ['a short tag', (value: string) => withPart(value, 3, (part) => part.slice(1))],
    ['an empty ciphertext', (value: string) => withPart(value, 2, () => '')],
    ['base64 padding', (value: string) => `${value}==`],
    ['standard base64', (value: string) => withPart(value, 2, (part) => `+/${part}`)],
    ['an extra part', (value: string) => `${value}.AAAA`],
    ['a leading space', (value: string) => ` ${value}`],
    ['a trailing newline', (value: string) => `${value}\n`],
  ])('opens nothing with %s', (_label, change) => {
    expect(openSession(change(sealed), PASSWORD)).toBeUndefined();
  });

  it.each([undefined, null, 1, {}, [], '', 'v1.', 'v1...', 'wos-session'])(
    'opens nothing for %p',
    (value) => {
      expect(openSession(value as string, PASSWORD)).toBeUndefined();
    },
  );

  it('never throws for random strings, shaped like a seal or not', () => {
    const random = prng(20_250_101);
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/= \u00e9\u0000';
    const text = (length: number, chars = alphabet) =>
      Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');
    const base64url = alphabet.slice(0, 64);
    for (let i = 0; i < 500; i++) {
      const shaped = `v1.${text(16, base64url)}.${text(1 + Math.floor(random() * 200), base64url)}.${text(22, base64url)}`;
      for (const value of [text(Math.floor(random() * 300)), shaped]) {
        expect(() => openSession(value, PASSWORD)).not.toThrow();
        expect(openSession(value, PASSWORD)).toBeUndefined();
      }
    }
  });

  describe('checks the shape of what it decrypts', () => {
    it.each<[string, string]>([
      ['not JSON', 'at=x'],
      ['JSON null', 'null'],
      ['a JSON string', '"at"'],
      ['a JSON array', '[{"at":"x"}]'],
      ['no access token', '{}'],
      ['an empty access token', '{"at":""}'],
      ['a numeric access token', '{"at":1}'],
      ['an access token over 8192 characters', JSON.stringify({ at: 'a'.repeat(8193) })],
      ['an empty refresh token', '{"at":"x","rt":""}'],
      ['a numeric refresh token', '{"at":"x","rt":1}'],
      ['an ID token that is an object', '{"at":"x","it":{}}'],
      ['an empty session id', '{"at":"x","sid":""}'],
      ['a null session id', '{"at":"x","sid":null}'],
      ['an empty acr', '{"at":"x","acr":""}'],
      ['an acr list', '{"at":"x","acr":["loa2"]}'],
      ['a fractional auth_time', '{"at":"x","t":1.5}'],
      ['a string auth_time', '{"at":"x","t":"1"}'],
      ['an unsafe auth_time', '{"at":"x","t":1e300}'],
      ['an amr string', '{"at":"x","amr":"otp"}'],
      ['an amr with a number', '{"at":"x","amr":["otp",1]}'],
      ['an amr object', '{"at":"x","amr":{"0":"otp"}}'],
      ['replaced refresh tokens that are a string', '{"at":"x","rr":"rt"}'],
      ['an empty replaced refresh token', '{"at":"x","rr":["rt",""]}'],
      ['too many replaced refresh tokens', '{"at":"x","rr":["1","2","3","4","5"]}'],
    ])('refuses %s', (_label, plaintext) => {
      expect(openSession(craft(plaintext), PASSWORD)).toBeUndefined();
    });

    it('accepts an access token of exactly 8192 characters', () => {
      const at = 'a'.repeat(8192);
      expect(openSession(craft(JSON.stringify({ at })), PASSWORD)?.accessToken).toBe(at);
    });

    it('ignores fields it does not know', () => {
      const opened = openSession(craft('{"at":"x","user":{"admin":true},"extra":1}'), PASSWORD);
      expect(opened).toEqual({ accessToken: 'x', signIn: {} });
    });
  });
});

describe('sealSession size', () => {
  it('is at most MAX_SEALED_SESSION_LENGTH (3800)', () => {
    expect(MAX_SEALED_SESSION_LENGTH).toBe(3800);
  });

  // {"at":"…"} is 9 + n bytes; the seal adds 43 characters to its base64url.
  it('seals the largest session that fits, and throws one byte more', () => {
    // The largest access token alone that fits: about 2,780 characters (base64url grows by 4/3).
    const fitting = (length: number) => {
      try {
        sealSession({ accessToken: 'a'.repeat(length) }, PASSWORD);
        return true;
      } catch {
        return false;
      }
    };
    let largest = 2700;
    while (fitting(largest + 1)) largest += 1;
    expect(largest).toBeGreaterThan(2750);
    expect(largest).toBeLessThan(2800);
    const fits = sealSession({ accessToken: 'a'.repeat(largest) }, PASSWORD);
    expect(fits.length).toBeLessThanOrEqual(MAX_SEALED_SESSION_LENGTH);
    expect(fits.length).toBeGreaterThan(MAX_SEALED_SESSION_LENGTH - 4);
    expect(openSession(fits, PASSWORD)?.accessToken).toBe('a'.repeat(largest));

    const error = (() => {
      try {
        sealSession({ accessToken: 'a'.repeat(largest + 1) }, PASSWORD);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({ name: 'SessionTooLargeError', code: 'session_too_large' });
    expect((error as SessionTooLargeError).length).toBeGreaterThan(MAX_SEALED_SESSION_LENGTH);
    expect((error as SessionTooLargeError).message).toBe(
      `the sealed session is ${(error as SessionTooLargeError).length} characters, over 3800`,
    );
  });

  it('counts every field, not only the access token', () => {
    const half = 'x'.repeat(1500);
    expect(() => sealSession({ accessToken: half }, PASSWORD)).not.toThrow();
    expect(() =>
      sealSession({ accessToken: half, refreshToken: half, idToken: half }, PASSWORD),
    ).toThrow(SessionTooLargeError);
  });
});

describe('session and state seals', () => {
  const NOW = 1_735_680_000;

  it('never open one as the other, under the same password', async () => {
    const state = await sealState(
      { v: 1, returnTo: '/a', nonce: 'n0nce', iat: NOW, exp: NOW + STATE_TTL_SECONDS },
      PASSWORD,
    );
    expect(openSession(state, PASSWORD)).toBeUndefined();

    const session = sealSession(FULL, PASSWORD);
    const error = await unsealState(session, PASSWORD, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
  });

  it('never open a state reshaped into the session format', async () => {
    const state = await sealState(
      { v: 1, returnTo: '/a', nonce: 'n0nce', iat: NOW, exp: NOW + STATE_TTL_SECONDS },
      PASSWORD,
    );
    // JWE: header..iv.ciphertext.tag; the IV and the tag have the session's sizes.
    const [, , iv, ciphertext, tag] = state.split('.');
    const reshaped = `v1.${iv}.${ciphertext}.${tag}`;
    expect(reshaped).toMatch(SEALED);
    expect(openSession(reshaped, PASSWORD)).toBeUndefined();
  });
});

describe('the lifetime of a seal', () => {
  it('opens until its lifetime ends, and never after, whatever the cookie says', () => {
    const sealed = sealAt({ accessToken: 'at' }, PASSWORD, { now: NOW, lifetime: LIFETIME });
    expect(openAt(sealed, PASSWORD, NOW + LIFETIME)).toMatchObject({ accessToken: 'at' });
    expect(openAt(sealed, PASSWORD, NOW + LIFETIME + 1)).toBeUndefined();
  });
});
