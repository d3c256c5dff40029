import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { ActionInvalidError, ActionTooLargeError } from './action';
import { ReauthInternalError } from './internal-error';
import { STATE_TTL_SECONDS, type ReauthState } from './reauth-state';
import { StateError, sealState, unsealState, type StateErrorCode } from './state-seal';
import { flipFirstCharacter, withPart } from '../crypto/test-keys.spec.helper';

const SECRET = 'a-cookie-password-of-32-chars!!!';
const OTHER_SECRET = 'another-password-of-32-chars!!!!';
const NOW = 1_735_680_000;
const MALFORMED: unknown[] = [-1, null, '1', [], {}, true, 1.5, 1e13, undefined];

const BASE_STATE: ReauthState = {
  v: 1,
  returnTo: '/account/security',
  maxAge: 300,
  nonce: 'n0nce',
  iat: NOW,
  exp: NOW + STATE_TTL_SECONDS,
};

const FULL_STATE: ReauthState = {
  ...BASE_STATE,
  action: { type: 'change-email', email: 'new@example.com', confirm: true, tags: ['a', null] },
  sub: 'user_01EHZNVPK3SFK441A1RGBFSHRT',
  mode: 'popup',
};

// Pinned on purpose: changing the derivation would invalidate every state in flight.
function derivedKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'nest-reauth', 'nest-reauth state v1', 32));
}

function craft(plaintext: string | Uint8Array, secret = SECRET): Promise<string> {
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(bytes)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(derivedKey(secret));
}

async function unsealError(token: unknown, now = NOW, secret = SECRET): Promise<StateError> {
  try {
    await unsealState(token as string, secret, now);
  } catch (error) {
    if (error instanceof StateError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected unsealState to fail');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

// Each invalid field, checked identically when sealing (TypeError) and unsealing (state_invalid).
const INVALID_FIELDS: [label: string, patch: Record<string, unknown>, message: string][] = [
  ['an unknown field', { extra: 1 }, 'state has an unknown field'],
  ...['', 'x'.repeat(42), 'x'.repeat(44), '+'.repeat(43), 1, null].map(
    (bh): [string, Record<string, unknown>, string] => [
      `bh ${JSON.stringify(bh)}`,
      { bh },
      'state.bh must be a base64url SHA-256 hash',
    ],
  ),
  ...['', 'x'.repeat(257), 1, null].map((sid): [string, Record<string, unknown>, string] => [
    `sid ${JSON.stringify(sid)}`,
    { sid },
    'state.sid must be a non-empty string of at most 256 characters',
  ]),
  ...['x'.repeat(15), 'x'.repeat(65), 'has spaces in it ....', 'a/b+c=dddddddddddd', 1, null].map(
    (rid): [string, Record<string, unknown>, string] => [
      `rid ${JSON.stringify(rid)}`,
      { rid },
      'state.rid must be 16 to 64 base64url characters',
    ],
  ),
  ...[2, 0, '1', null, true, undefined].map((v): [string, Record<string, unknown>, string] => [
    `v ${String(v)}`,
    { v },
    'state.v must be 1',
  ]),
  ...['//evil.com', '/\\evil.com', 'https://evil.com', '', '/a/../b', 1, null, undefined].map(
    (returnTo): [string, Record<string, unknown>, string] => [
      `returnTo ${String(returnTo)}`,
      { returnTo },
      'state.returnTo must be a same-origin absolute path',
    ],
  ),
  ...MALFORMED.filter((maxAge) => maxAge !== undefined).map(
    (maxAge): [string, Record<string, unknown>, string] => [
      `maxAge ${JSON.stringify(maxAge)}`,
      { maxAge },
      'state.maxAge must be an integer number of seconds from 0 to 10 years',
    ],
  ),
  ...['//evil.com', 'https://evil.com', '', 1, null].map(
    (cancelTo): [string, Record<string, unknown>, string] => [
      `cancelTo ${String(cancelTo)}`,
      { cancelTo },
      'state.cancelTo must be a same-origin absolute path',
    ],
  ),
  ...[-1, 1.5, '1', null, [], {}].map((authTime): [string, Record<string, unknown>, string] => [
    `authTime ${JSON.stringify(authTime)}`,
    { authTime },
    'state.authTime must be a non-negative integer',
  ]),
  ...['', 'r'.repeat(321), 1, null, [], {}].map(
    (route): [string, Record<string, unknown>, string] => [
      `route ${JSON.stringify(route).slice(0, 20)}`,
      { route },
      'state.route must be a non-empty string of at most 320 characters',
    ],
  ),
  ...['', 'u'.repeat(257), 1, null, [], {}, true].map(
    (sub): [string, Record<string, unknown>, string] => [
      `sub ${JSON.stringify(sub).slice(0, 20)}`,
      { sub },
      'state.sub must be a non-empty string of at most 256 characters',
    ],
  ),
  ...['', 'n'.repeat(129), 1, null, undefined, [], {}, true].map(
    (nonce): [string, Record<string, unknown>, string] => [
      `nonce ${JSON.stringify(nonce)?.slice(0, 20)}`,
      { nonce },
      'state.nonce must be a non-empty string of at most 128 characters',
    ],
  ),
  ...[-1, null, '1', [], {}, true, 1.5, undefined].flatMap(
    (time): [string, Record<string, unknown>, string][] => [
      [
        `iat ${JSON.stringify(time)}`,
        { iat: time },
        'state.iat and state.exp must be non-negative integers',
      ],
      [
        `exp ${JSON.stringify(time)}`,
        { exp: time },
        'state.iat and state.exp must be non-negative integers',
      ],
    ],
  ),
  ['iat 1e13 (after exp)', { iat: 1e13 }, 'state.exp must be within 600 seconds after state.iat'],
  ['exp before iat', { exp: NOW - 1 }, 'state.exp must be within 600 seconds after state.iat'],
  [
    'exp one second too late',
    { exp: NOW + 601 },
    'state.exp must be within 600 seconds after state.iat',
  ],
  ...['modal', '', 'REDIRECT', 1, null].map((mode): [string, Record<string, unknown>, string] => [
    `mode ${String(mode)}`,
    { mode },
    "state.mode must be 'redirect' or 'popup'",
  ]),
];

describe('STATE_TTL_SECONDS', () => {
  it('is ten minutes', () => {
    expect(STATE_TTL_SECONDS).toBe(600);
  });
});

describe('StateError', () => {
  it('is a ReauthInternalError with a stable code', () => {
    const cause = new Error('low level');
    const error = new StateError('state_invalid', 'bad', { cause });
    expect(error).toBeInstanceOf(ReauthInternalError);
    expect(error).toMatchObject({
      name: 'StateError',
      code: 'state_invalid',
      message: 'bad',
      cause,
    });
  });
});

describe('sealState and unsealState', () => {
  it.each([
    ['a minimal state', BASE_STATE],
    ['a state with every field', FULL_STATE],
    ['a null action', { ...BASE_STATE, action: null }],
    ['a redirect-mode state', { ...BASE_STATE, mode: 'redirect' as const }],
    ['maxAge 0', { ...BASE_STATE, maxAge: 0 }],
    ['a sign-in without maxAge', { ...BASE_STATE, maxAge: undefined }],
    ['a cancel target and a route', { ...BASE_STATE, cancelTo: '/account', route: 'A.b' }],
    ["the asking token's auth_time", { ...BASE_STATE, authTime: 1_700_000_000 }],
    [
      'a browser binding, the asking session and the helper’s id',
      { ...BASE_STATE, bh: 'h'.repeat(43), sid: 'session_01', rid: 'AbCdEfGhIjKlMnOp' },
    ],
    ['a zero-length lifetime', { ...BASE_STATE, exp: NOW }],
  ])('round-trips %s', async (_label, state) => {
    const token = await sealState(state, SECRET);
    await expect(unsealState(token, SECRET, NOW)).resolves.toEqual(state);
  });

  it('drops fields that are explicitly undefined', async () => {
    const token = await sealState({ ...BASE_STATE, action: undefined, sub: undefined }, SECRET);
    const state = await unsealState(token, SECRET, NOW);
    expect(state).toEqual(BASE_STATE);
    expect(Object.keys(state).sort()).toEqual(['exp', 'iat', 'maxAge', 'nonce', 'returnTo', 'v']);
  });

  it('produces a URL-safe compact JWE with dir and A256GCM', async () => {
    const token = await sealState(FULL_STATE, SECRET);
    expect(token).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'dir', enc: 'A256GCM' });
  });

  it('does not reveal the state in the token', async () => {
    const token = await sealState(FULL_STATE, SECRET);
    const visible = token
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('');
    for (const secretValue of ['account', 'new@example.com', 'user_01', 'n0nce']) {
      expect(visible).not.toContain(secretValue);
    }
  });

  it('gives a different token each time (random IV)', async () => {
    const tokens = await Promise.all([1, 2, 3].map(() => sealState(BASE_STATE, SECRET)));
    expect(new Set(tokens).size).toBe(3);
  });

  it('uses the documented key derivation', async () => {
    const token = await craft(JSON.stringify(FULL_STATE));
    await expect(unsealState(token, SECRET, NOW)).resolves.toEqual(FULL_STATE);
  });

  it('keeps the largest valid state under the 8192-character limit', async () => {
    const state: ReauthState = {
      ...FULL_STATE,
      returnTo: `/${'r'.repeat(2047)}`,
      action: { s: '\u00e9'.repeat(1020) },
      sub: 'u'.repeat(256),
      nonce: 'n'.repeat(128),
    };
    const token = await sealState(state, SECRET);
    expect(token.length).toBeLessThanOrEqual(8192);
    await expect(unsealState(token, SECRET, NOW)).resolves.toEqual(state);
  });

  it('works with many secrets in turn', async () => {
    const secrets = Array.from({ length: 12 }, (_, index) => `${SECRET}-${index}`);
    const tokens = await Promise.all(secrets.map((secret) => sealState(BASE_STATE, secret)));
    for (const [index, token] of tokens.entries()) {
      await expect(unsealState(token, secrets[index], NOW)).resolves.toEqual(BASE_STATE);
      expect((await unsealError(token, NOW, secrets[(index + 1) % secrets.length])).code).toBe(
        'state_invalid',
      );
    }
  });
});

describe('sealState', () => {
  it.each([...MALFORMED, '', 'x'.repeat(31)])(
    'throws a TypeError for the secret %p',
    async (secret) => {
      await expect(sealState(BASE_STATE, secret as string)).rejects.toThrow(
        new TypeError('secret must be a string of at least 32 characters'),
      );
    },
  );

  it('accepts a secret of exactly 32 characters', async () => {
    await expect(sealState(BASE_STATE, 'x'.repeat(32))).resolves.toEqual(expect.any(String));
  });

  it.each([null, [], 'state', 1])('throws a TypeError for the state %p', async (state) => {
    await expect(sealState(state as unknown as ReauthState, SECRET)).rejects.toThrow(
      new TypeError('state must be an object'),
    );
  });

  it.each(INVALID_FIELDS)('throws a TypeError for %s', async (_label, patch, message) => {
    const state = { ...BASE_STATE, ...patch } as ReauthState;
    await expect(sealState(state, SECRET)).rejects.toThrow(new TypeError(message));
  });

  it('throws ActionTooLargeError for an action over the limit', async () => {
    const state = { ...BASE_STATE, action: { s: 'x'.repeat(2041) } };
    await expect(sealState(state, SECRET)).rejects.toBeInstanceOf(ActionTooLargeError);
  });

  it('throws ActionInvalidError for an action that is not plain JSON', async () => {
    const state = { ...BASE_STATE, action: { when: new Date(0) } };
    await expect(sealState(state, SECRET)).rejects.toBeInstanceOf(ActionInvalidError);
  });
});

describe('unsealState', () => {
  let token: string;

  beforeAll(async () => {
    token = await sealState(FULL_STATE, SECRET);
  });

  describe('expiry', () => {
    it('accepts the state until and including exp', async () => {
      for (const now of [0, NOW - 1, NOW, NOW + STATE_TTL_SECONDS]) {
        await expect(unsealState(token, SECRET, now)).resolves.toEqual(FULL_STATE);
      }
    });

    it.each([1, 60, 1e9])('rejects it %p seconds after exp as state_expired', async (late) => {
      const error = await unsealError(token, NOW + STATE_TTL_SECONDS + late);
      expect(error).toMatchObject({ code: 'state_expired', message: 'state has expired' });
    });
  });

  describe('caller misuse', () => {
    it.each([...MALFORMED, '', 'x'.repeat(31)])(
      'throws a TypeError for the secret %p',
      async (secret) => {
        await expect(unsealState(token, secret as string, NOW)).rejects.toThrow(
          new TypeError('secret must be a string of at least 32 characters'),
        );
      },
    );

    it.each(MALFORMED.filter((value) => value !== 1e13))(
      'throws a TypeError for now %p',
      async (now) => {
        await expect(unsealState(token, SECRET, now as number)).rejects.toThrow(
          new TypeError('now must be a non-negative integer number of Unix seconds'),
        );
      },
    );
  });

  describe('malformed input', () => {
    it.each<[string, unknown]>([
      ...MALFORMED.map((value): [string, unknown] => [`the non-string ${String(value)}`, value]),
      ['an empty string', ''],
      ['plain text', 'hello'],
      ['four parts', 'a..b.c'],
      ['six parts', 'a..b.c.d.e'],
      ['an empty IV', 'a...c.d'],
      ['an empty ciphertext', 'a..b..d'],
      ['an empty tag', 'a..b.c.'],
      ['non-base64url characters', 'a+..b.c.d'],
      ['padding', 'a=..b.c.d'],
      ['whitespace', ' a..b.c.d'],
      ['a JWS', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln'],
      ['an encrypted key (not dir)', `${base64url('{"alg":"A256KW","enc":"A256GCM"}')}.a.b.c.d`],
      [
        'a header that is not JSON',
        `${base64url('not json')}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`,
      ],
      [
        'a header that is an array',
        `${base64url('[]')}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`,
      ],
      [
        'an IV of the wrong length',
        `${base64url('{"alg":"dir","enc":"A256GCM"}')}..AAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`,
      ],
    ])('rejects %s as state_malformed', async (_label, input) => {
      const error = await unsealError(input);
      expect(error).toBeInstanceOf(StateError);
      expect(error).toMatchObject({
        name: 'StateError',
        code: 'state_malformed',
        message: 'state is not a sealed state',
      });
    });

    it('rejects a token over 8192 characters before decrypting it', async () => {
      const long = `${'a'.repeat(4000)}..${'b'.repeat(16)}.${'c'.repeat(4200)}.${'d'.repeat(22)}`;
      expect(long.length).toBeGreaterThan(8192);
      const error = await unsealError(long);
      expect(error.code).toBe('state_malformed');
      expect(error).not.toHaveProperty('cause');
    });
  });

  describe('tampering and forgery', () => {
    it.each([
      ['the IV', 2],
      ['the ciphertext', 3],
      ['the tag', 4],
    ])('rejects a change to %s as state_invalid', async (_label, index) => {
      const error = await unsealError(withPart(token, index, flipFirstCharacter));
      expect(error.code).toBe<StateErrorCode>('state_invalid');
      // node:crypto's own error, which AES-GCM gives for data it cannot authenticate.
      expect((error.cause as Error).message).toMatch(/unable to authenticate data/);
    });

    it('rejects a different but well-formed protected header as state_invalid', async () => {
      const header = base64url('{"alg":"dir","enc":"A256GCM","kid":"x"}');
      expect((await unsealError(withPart(token, 0, () => header))).code).toBe('state_invalid');
    });

    it('rejects a protected header that no longer decodes as state_malformed', async () => {
      const error = await unsealError(withPart(token, 0, flipFirstCharacter));
      expect(error.code).toBe('state_malformed');
      expect((error.cause as Error).name).toBe('SyntaxError');
    });

    it('rejects a token sealed with another secret, keeping the cause', async () => {
      const error = await unsealError(await sealState(FULL_STATE, OTHER_SECRET));
      expect(error).toMatchObject({
        code: 'state_invalid',
        message: 'state does not decrypt with this secret',
      });
      expect((error.cause as Error).message).toMatch(/unable to authenticate data/);
    });

    it('rejects another content-encryption algorithm', async () => {
      const forged = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(FULL_STATE)))
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM' })
        .encrypt(derivedKey(SECRET).slice(0, 16));
      expect(await unsealError(forged)).toMatchObject({ code: 'state_invalid' });
    });

    it('interoperates with JOSE libraries both ways: the same compact JWE format', async () => {
      const fromJose = await craft(JSON.stringify(BASE_STATE));
      expect(await unsealState(fromJose, SECRET, NOW)).toEqual(BASE_STATE);
      const ours = await sealState(BASE_STATE, SECRET);
      const { plaintext, protectedHeader } = await compactDecrypt(ours, derivedKey(SECRET));
      expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM' });
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(BASE_STATE);
    });

    it('rejects a swapped ciphertext from another token', async () => {
      const other = await sealState(BASE_STATE, SECRET);
      const spliced = withPart(token, 3, () => other.split('.')[3]);
      expect((await unsealError(spliced)).code).toBe('state_invalid');
    });
  });

  describe('authentic but invalid content', () => {
    it.each(['not json', '{', 'undefined', '{"v":1,}'])(
      'rejects the plaintext %p as state_invalid',
      async (text) => {
        const error = await unsealError(await craft(text));
        expect(error).toMatchObject({ code: 'state_invalid', message: 'state is not JSON' });
        expect(error.cause).toBeInstanceOf(SyntaxError);
      },
    );

    it('rejects a plaintext that is not UTF-8', async () => {
      const error = await unsealError(await craft(new Uint8Array([0x7b, 0xff, 0x7d])));
      expect(error).toMatchObject({ code: 'state_invalid', message: 'state is not JSON' });
    });

    it.each(['null', '[]', '"state"', '1', 'true'])('rejects the JSON %s', async (json) => {
      expect(await unsealError(await craft(json))).toMatchObject({
        code: 'state_invalid',
        message: 'state must be an object',
      });
    });

    it.each(INVALID_FIELDS)('rejects %s', async (_label, patch, message) => {
      const error = await unsealError(await craft(JSON.stringify({ ...BASE_STATE, ...patch })));
      expect(error).toMatchObject({ code: 'state_invalid', message });
    });

    it('rejects an action over the limit, keeping the cause', async () => {
      const state = { ...BASE_STATE, action: { s: 'x'.repeat(2041) } };
      const error = await unsealError(await craft(JSON.stringify(state)));
      expect(error).toMatchObject({
        code: 'state_invalid',
        message: 'state.action cannot be carried',
      });
      expect(error.cause).toBeInstanceOf(ActionTooLargeError);
    });

    it('checks the content before the expiry', async () => {
      const state = { ...BASE_STATE, v: 2 };
      const error = await unsealError(await craft(JSON.stringify(state)), NOW + 10_000);
      expect(error.code).toBe('state_invalid');
    });
  });
});

describe('acr and amr in the state', () => {
  it.each<[string, Partial<ReauthState>]>([
    ['acr alone', { acr: ['urn:example:loa:2', 'urn:example:loa:3'] }],
    ['amr alone', { amr: ['otp', 'hwk'] }],
    ['both', { acr: ['loa2'], amr: ['mfa'] }],
    [
      'ten values of 200 characters',
      { acr: Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(200, 'x')) },
    ],
  ])('round-trips %s', async (_label, patch) => {
    const state: ReauthState = { ...FULL_STATE, ...patch };
    const token = await sealState(state, SECRET);
    await expect(unsealState(token, SECRET, NOW)).resolves.toEqual(state);
  });

  const INVALID_LISTS: [string, unknown][] = [
    ['an empty list', []],
    ['a string', 'loa2'],
    ['eleven values', Array.from({ length: 11 }, (_, i) => `v${i}`)],
    ['duplicates', ['loa2', 'loa2']],
    ['a value with a space', ['loa 2']],
    ['a value with a quote', ['"loa2"']],
    ['a value with a backslash', ['loa\\2']],
    ['an empty value', ['']],
    ['a value of 201 characters', ['x'.repeat(201)]],
    ['a number', [2]],
    ['null', null],
  ];

  it.each(INVALID_LISTS)('refuses to seal an acr that is %s', async (_label, acr) => {
    const state = { ...BASE_STATE, acr } as ReauthState;
    await expect(sealState(state, SECRET)).rejects.toThrow(
      new TypeError('state.acr must be a list of 1 to 10 acr values'),
    );
  });

  it.each(INVALID_LISTS)('refuses to seal an amr that is %s', async (_label, amr) => {
    const state = { ...BASE_STATE, amr } as ReauthState;
    await expect(sealState(state, SECRET)).rejects.toThrow(
      new TypeError('state.amr must be a list of 1 to 10 amr values'),
    );
  });

  it.each(INVALID_LISTS)(
    'refuses to unseal an authentic state whose acr is %s',
    async (_label, acr) => {
      const error = await unsealError(await craft(JSON.stringify({ ...BASE_STATE, acr })));
      expect(error).toMatchObject({
        code: 'state_invalid',
        message: 'state.acr must be a list of 1 to 10 acr values',
      });
    },
  );

  it('refuses to unseal an authentic state whose amr is invalid', async () => {
    const error = await unsealError(await craft(JSON.stringify({ ...BASE_STATE, amr: ['a b'] })));
    expect(error).toMatchObject({
      code: 'state_invalid',
      message: 'state.amr must be a list of 1 to 10 amr values',
    });
  });
});

describe('authentication contexts and scopes of a relayed challenge in the state', () => {
  it('round-trips acrs and scope', async () => {
    const state: ReauthState = { ...FULL_STATE, acrs: ['c1', 'c2'], scope: ['files:write', 'a'] };
    await expect(unsealState(await sealState(state, SECRET), SECRET, NOW)).resolves.toEqual(state);
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['a value with a space', ['c 1']],
    ['eleven values', Array.from({ length: 11 }, (_, i) => `c${i}`)],
  ])('refuses to seal acrs that are %s', async (_label, acrs) => {
    await expect(sealState({ ...BASE_STATE, acrs } as ReauthState, SECRET)).rejects.toThrow(
      new TypeError('state.acrs must be a list of 1 to 10 authentication contexts'),
    );
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['an empty scope', ['']],
    ['a scope with a quote', ['a"b']],
    ['a scope of 201 characters', ['x'.repeat(201)]],
    ['21 scopes', Array.from({ length: 21 }, (_, i) => `s${i}`)],
    ['a string', 'files:write'],
  ])('refuses to seal a scope that is %s', async (_label, scope) => {
    await expect(sealState({ ...BASE_STATE, scope } as ReauthState, SECRET)).rejects.toThrow(
      new TypeError('state.scope must be a list of 1 to 20 scope tokens'),
    );
  });

  it('refuses to unseal an authentic state whose scope is invalid', async () => {
    const error = await unsealError(await craft(JSON.stringify({ ...BASE_STATE, scope: ['a b'] })));
    expect(error).toMatchObject({
      code: 'state_invalid',
      message: 'state.scope must be a list of 1 to 20 scope tokens',
    });
  });
});
