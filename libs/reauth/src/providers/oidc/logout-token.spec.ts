import { SignJWT } from 'jose';
import {
  segment,
  signCompact,
  TEST_ALGORITHMS,
  testKeyPair,
  withPart,
  flipFirstCharacter,
  type TestKeyPair,
} from '../../crypto/test-keys.spec.helper';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_MAX_AGE_SECONDS,
  LOGOUT_TOKEN_MAX_LIFETIME_SECONDS,
  LOGOUT_TOKEN_REFUSALS,
  LogoutTokenError,
  MAX_LOGOUT_TOKEN_LENGTH,
  verifyLogoutToken,
  type LogoutTokenRefusal,
  type LogoutTokenSettings,
  type SigningKeyLookup,
} from './logout-token';

const ISSUER = 'https://op.example';
const CLIENT = 'client_x';
const NOW = 1_800_000_000;
const TOLERANCE = 30;
const EVENTS = { [BACKCHANNEL_LOGOUT_EVENT]: {} };
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13] as const;

const SETTINGS: LogoutTokenSettings = {
  issuer: ISSUER,
  clientId: CLIENT,
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  clockToleranceSeconds: TOLERANCE,
  nowSeconds: NOW,
};

const KEYS = Object.fromEntries(TEST_ALGORITHMS.map((alg) => [alg, testKeyPair(alg)])) as Record<
  (typeof TEST_ALGORITHMS)[number],
  TestKeyPair
>;
const RS256 = KEYS.RS256;

/** The provider's published keys, by kid; counts the lookups. */
function publishedKeys(keys: readonly TestKeyPair[] = Object.values(KEYS)) {
  const lookups: string[] = [];
  const lookup: SigningKeyLookup = (kid, alg) => {
    lookups.push(kid);
    const pair = keys.find((key) => key.jwk.kid === kid);
    return Promise.resolve(pair && pair.alg === alg ? pair.publicKey : undefined);
  };
  return { lookup, lookups };
}

/** What oidc-provider puts in a Logout Token, at NOW. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    aud: CLIENT,
    iat: NOW,
    exp: NOW + 120,
    jti: 'jti-1',
    sub: 'user_alice',
    sid: 'sid-1',
    events: EVENTS,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** A Logout Token signed by `pair` through jose, with `typ: logout+jwt` unless told otherwise. */
function logoutToken(
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
  pair: TestKeyPair = RS256,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: pair.alg, kid: pair.jwk.kid, typ: 'logout+jwt', ...header })
    .sign(pair.privateKey);
}

function verify(token: unknown, settings: Partial<LogoutTokenSettings> = {}) {
  return verifyLogoutToken(token, { ...SETTINGS, ...settings }, publishedKeys().lookup);
}

async function expectRefused(verification: Promise<unknown>, code: LogoutTokenRefusal) {
  const error = await verification.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LogoutTokenError);
  expect(error).toMatchObject({ name: 'LogoutTokenError', code });
  return error as LogoutTokenError;
}

describe('verifyLogoutToken', () => {
  describe('accepts', () => {
    it.each(TEST_ALGORITHMS)(
      'a Logout Token as oidc-provider issues it, signed %s',
      async (alg) => {
        const token = await logoutToken(claims(), {}, KEYS[alg]);
        await expect(verify(token)).resolves.toEqual({
          iss: ISSUER,
          sid: 'sid-1',
          sub: 'user_alice',
          iat: NOW,
          jti: 'jti-1',
          acceptedUntil: NOW + 120 + TOLERANCE,
        });
      },
    );

    it.each([undefined, 'JWT', 'jwt', 'application/jwt', 'application/logout+jwt', 'Logout+JWT'])(
      'a header type %p (untyped and generic tokens predate §2.4)',
      async (typ) => {
        const token = await logoutToken(claims(), { typ });
        await expect(verify(token)).resolves.toMatchObject({ sid: 'sid-1' });
      },
    );

    it('a token naming only the session, or only the user', async () => {
      await expect(verify(await logoutToken(claims({ sub: undefined })))).resolves.toEqual(
        expect.not.objectContaining({ sub: expect.anything() as unknown }),
      );
      const userOnly = await verify(await logoutToken(claims({ sid: undefined })));
      expect(userOnly).toEqual({
        iss: ISSUER,
        sub: 'user_alice',
        iat: NOW,
        jti: 'jti-1',
        acceptedUntil: NOW + 120 + TOLERANCE,
      });
    });

    it('an audience list that contains this client, and azp naming it', async () => {
      const token = await logoutToken(claims({ aud: ['other', CLIENT], azp: CLIENT }));
      await expect(verify(token)).resolves.toMatchObject({ jti: 'jti-1' });
    });

    it('an event object with members, and other events beside it', async () => {
      const events = { [BACKCHANNEL_LOGOUT_EVENT]: { reason: 'x' }, 'urn:other': {} };
      await expect(verify(await logoutToken(claims({ events })))).resolves.toBeDefined();
    });

    it('times at the edges of the tolerance', async () => {
      const atEdges = claims({ iat: NOW + TOLERANCE, exp: NOW - TOLERANCE, nbf: NOW + TOLERANCE });
      await expect(verify(await logoutToken(atEdges))).resolves.toMatchObject({
        acceptedUntil: NOW,
      });
    });

    it(`a token without exp for ${LOGOUT_TOKEN_MAX_AGE_SECONDS} s after its iat (and the tolerance)`, async () => {
      const iat = NOW - LOGOUT_TOKEN_MAX_AGE_SECONDS - TOLERANCE;
      const token = await logoutToken(claims({ exp: undefined, iat }));
      await expect(verify(token)).resolves.toMatchObject({ acceptedUntil: NOW });
      await expectRefused(verify(token, { nowSeconds: NOW + 1 }), 'expired');
    });
  });

  describe('refuses, before any key is looked up,', () => {
    it.each(MALFORMED)('a token that is not a string (%p)', async (token) => {
      await expectRefused(verify(token), 'not_a_jwt');
    });

    it.each(['', 'abc', 'a.b', 'a.b.', '.b.c', 'a.b.c.d', 'a b.c.d', `${segment('x')}.e30.c2ln`])(
      'a string that is not a compact JWS (%p)',
      async (token) => {
        await expectRefused(verify(token), 'not_a_jwt');
      },
    );

    it('an encrypted token (compact JWE)', async () => {
      const jwe = [segment({ alg: 'RSA-OAEP', enc: 'A256GCM' }), 'a', 'b', 'c', 'd'].join('.');
      await expectRefused(verify(jwe), 'encrypted');
      await expectRefused(
        verify([segment({ alg: 'dir' }), '', 'b', 'c', 'd'].join('.')),
        'encrypted',
      );
    });

    it(`a token over ${MAX_LOGOUT_TOKEN_LENGTH} characters`, async () => {
      const padded = await logoutToken(claims({ pad: 'x'.repeat(MAX_LOGOUT_TOKEN_LENGTH) }));
      await expectRefused(verify(padded), 'too_large');
    });

    it.each([
      ['none', 'none'],
      ['HMAC', 'HS256'],
      ['an unknown one', 'RS512'],
      ['a missing one', undefined],
      ['a non-string one', 256],
    ])('an algorithm that is %s', async (_what, alg) => {
      const { lookup, lookups } = publishedKeys();
      const token = signCompact({ alg, kid: RS256.jwk.kid }, claims(), RS256.privateKey, 'RS256');
      await expectRefused(verifyLogoutToken(token, SETTINGS, lookup), 'unsupported_alg');
      expect(lookups).toEqual([]);
    });

    it('an algorithm the provider’s options leave out', async () => {
      const token = await logoutToken(claims(), {}, KEYS.ES256);
      await expectRefused(verify(token, { algorithms: ['RS256'] }), 'unsupported_alg');
    });

    it('a header that marks an extension critical', async () => {
      const token = signCompact(
        { alg: 'RS256', kid: RS256.jwk.kid, crit: ['exp'], exp: NOW },
        claims(),
        RS256.privateKey,
        'RS256',
      );
      await expectRefused(verify(token), 'critical_header');
    });

    it.each(['at+jwt', 'secevent+jwt', 'JWS', 'application/at+jwt', '', 5, null])(
      'a header type of another kind of token (%p)',
      async (typ) => {
        const token = signCompact(
          { alg: 'RS256', kid: RS256.jwk.kid, typ },
          claims(),
          RS256.privateKey,
          'RS256',
        );
        await expectRefused(verify(token), 'wrong_type');
      },
    );
  });

  describe('refuses keys and signatures:', () => {
    it.each([undefined, '', 7])('a header kid %p', async (kid) => {
      const token = signCompact({ alg: 'RS256', kid }, claims(), RS256.privateKey, 'RS256');
      await expectRefused(verify(token), 'unknown_key');
    });

    it('a kid the provider does not publish', async () => {
      const stranger = testKeyPair('RS256', 'stranger');
      await expectRefused(verify(await logoutToken(claims(), {}, stranger)), 'unknown_key');
    });

    it('a published key used with another algorithm', async () => {
      const token = signCompact(
        { alg: 'PS256', kid: RS256.jwk.kid },
        claims(),
        RS256.privateKey,
        'PS256',
      );
      await expectRefused(verify(token), 'unknown_key');
    });

    it('a signature by another key under a published kid', async () => {
      const forger = testKeyPair('RS256', RS256.jwk.kid);
      await expectRefused(verify(await logoutToken(claims(), {}, forger)), 'bad_signature');
    });

    it('a payload changed after signing', async () => {
      const token = await logoutToken();
      const changed = withPart(token, 1, () => segment(claims({ sid: 'sid-2' })));
      await expectRefused(verify(changed), 'bad_signature');
      await expectRefused(verify(withPart(token, 2, flipFirstCharacter)), 'bad_signature');
    });

    it('a signed payload that is not a JSON object', async () => {
      for (const payload of ['[1]', 'null', 'not json']) {
        const token = signCompact(
          { alg: 'RS256', kid: RS256.jwk.kid },
          payload,
          RS256.privateKey,
          'RS256',
        );
        await expectRefused(verify(token), 'not_a_jwt');
      }
    });

    it('passes on a key lookup that cannot reach the keys', async () => {
      const unavailable = new ReauthUnavailableException('jwks');
      await expect(
        verifyLogoutToken(await logoutToken(), SETTINGS, () => Promise.reject(unavailable)),
      ).rejects.toBe(unavailable);
    });
  });

  describe('refuses claims:', () => {
    it.each([
      ['another issuer', { iss: 'https://other.example' }],
      ['the issuer with a trailing slash', { iss: `${ISSUER}/` }],
      ['no issuer', { iss: undefined }],
      ['an issuer that is not a string', { iss: ['https://op.example'] }],
    ])('iss: %s', async (_what, overrides) => {
      await expectRefused(verify(await logoutToken(claims(overrides))), 'wrong_issuer');
    });

    it.each<[string, Record<string, unknown>]>([
      ['another client', { aud: 'other' }],
      ['a list without this client', { aud: ['other', 'more'] }],
      ['no audience', { aud: undefined }],
      ['azp naming another client', { aud: [CLIENT, 'other'], azp: 'other' }],
      ...MALFORMED.map((aud): [string, Record<string, unknown>] => [
        `aud ${JSON.stringify(aud)}`,
        { aud },
      ]),
    ])('aud: %s', async (_what, overrides) => {
      await expectRefused(verify(await logoutToken(claims(overrides))), 'wrong_audience');
    });

    it('iat: absent', async () => {
      await expectRefused(verify(await logoutToken(claims({ iat: undefined }))), 'no_iat');
    });

    it.each(['iat', 'exp', 'nbf'])('%s: not a number', async (claim) => {
      for (const value of ['1', null, [], {}, true]) {
        await expectRefused(verify(await logoutToken(claims({ [claim]: value }))), 'invalid_time');
      }
    });

    it('iat or nbf: later than now and the tolerance', async () => {
      const future = NOW + TOLERANCE + 1;
      await expectRefused(verify(await logoutToken(claims({ iat: future }))), 'not_yet_valid');
      await expectRefused(verify(await logoutToken(claims({ nbf: future }))), 'not_yet_valid');
    });

    it('exp: past, beyond the tolerance', async () => {
      const token = await logoutToken(claims({ exp: NOW - TOLERANCE - 1 }));
      await expectRefused(verify(token), 'expired');
    });

    it(`exp: honoured for at most ${LOGOUT_TOKEN_MAX_LIFETIME_SECONDS} s after iat`, async () => {
      const iat = NOW - LOGOUT_TOKEN_MAX_LIFETIME_SECONDS - TOLERANCE;
      const token = await logoutToken(claims({ iat, exp: NOW + 3600 }));
      await expect(verify(token)).resolves.toMatchObject({ acceptedUntil: NOW });
      await expectRefused(verify(token, { nowSeconds: NOW + 1 }), 'expired');
    });

    it.each([undefined, '', 5, null, ['jti']])('jti: %p', async (jti) => {
      await expectRefused(verify(await logoutToken(claims({ jti: jti ?? undefined }))), 'no_jti');
    });

    it.each([
      ['no events', undefined],
      ['events that are not an object', [BACKCHANNEL_LOGOUT_EVENT]],
      ['events null', null],
      ['no back-channel logout event', { 'urn:other': {} }],
      ['the event with a value that is not an object', { [BACKCHANNEL_LOGOUT_EVENT]: true }],
      ['the event with a list', { [BACKCHANNEL_LOGOUT_EVENT]: [] }],
      ['the event with null', { [BACKCHANNEL_LOGOUT_EVENT]: null }],
    ])('events: %s', async (_what, events) => {
      await expectRefused(verify(await logoutToken(claims({ events }))), 'no_events');
    });

    it.each(['n-0S6_WzA2Mj', '', null])('nonce: present (%p)', async (nonce) => {
      await expectRefused(verify(await logoutToken(claims({ nonce }))), 'nonce_present');
    });

    it('an ID token sent as a Logout Token', async () => {
      const idToken = claims({ events: undefined, nonce: 'n', auth_time: NOW });
      await expectRefused(verify(await logoutToken(idToken, { typ: 'JWT' })), 'no_events');
    });

    it.each<[string, Record<string, unknown>]>([
      ['neither sid nor sub', { sid: undefined, sub: undefined }],
      ['an empty sid', { sid: '' }],
      ['an empty sub beside a sid', { sub: '' }],
      ...MALFORMED.filter((value) => value !== '1').flatMap(
        (value): [string, Record<string, unknown>][] => [
          [`sid ${JSON.stringify(value)}`, { sid: value }],
          [`sub ${JSON.stringify(value)}`, { sub: value }],
        ],
      ),
    ])('sid and sub: %s', async (_what, overrides) => {
      await expectRefused(verify(await logoutToken(claims(overrides))), 'no_session');
    });
  });

  it('never puts the token, or a claim of it, in the error', async () => {
    const token = await logoutToken(claims({ aud: 'other-client-secretive' }));
    const error = await expectRefused(verify(token), 'wrong_audience');
    expect(`${error.message} ${error.stack}`).not.toContain(token);
    expect(error.message).not.toContain('secretive');
  });

  it('has a sentence for every refusal', () => {
    for (const sentence of Object.values(LOGOUT_TOKEN_REFUSALS)) {
      // Fit for an OAuth error_description (RFC 6749 §5.2): printable ASCII without " or \.
      expect(sentence).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    }
  });
});
