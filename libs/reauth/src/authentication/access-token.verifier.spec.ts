import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { SignJWT } from 'jose';
import { sign as signBytes, type KeyObject } from 'node:crypto';
import {
  signCompact,
  TEST_ALGORITHMS,
  testKeyPair,
  type TestAlgorithm,
} from '../crypto/test-keys.spec.helper';
import type { IdentityProvider, TokenVerificationSettings } from '../providers/identity-provider';
import { FunctionReauthClock } from '../core/clock';
import {
  AccessTokenVerifier,
  InvalidAccessTokenError,
  TokenClaimError,
} from './access-token.verifier';
import { JwksServer } from './jwks-server.spec.helper';

const ALICE = 'alice@example.com';
const TOLERANCE = 5;

/** A verifier of the provider settings given, at the time `nowMs` reads. */
function verifierOf(verification: TokenVerificationSettings, nowMs: () => number) {
  const provider = { verification: () => Promise.resolve(verification) };
  const options = { jwksTimeoutMs: 5000, clockToleranceSeconds: TOLERANCE };
  return new AccessTokenVerifier(
    options,
    provider as IdentityProvider,
    new FunctionReauthClock(nowMs),
  );
}

/** Rejects with a bad-token (not an expired-token) error, which it returns. */
async function expectInvalid(verification: Promise<unknown>): Promise<Error> {
  const error = await verification.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidAccessTokenError);
  expect(error).toMatchObject({ code: 'invalid_token', expired: false });
  return error as Error;
}

/** Rejects with a bad-token error whose cause names `claim` (and `reason`, when given). */
async function expectRefused(
  verification: Promise<unknown>,
  claim: string,
  reason?: TokenClaimError['reason'],
): Promise<void> {
  const { cause } = await expectInvalid(verification);
  expect(cause).toBeInstanceOf(TokenClaimError);
  expect(cause).toMatchObject({ name: 'TokenClaimError', code: 'token_claim_refused', claim });
  if (reason !== undefined) expect(cause).toMatchObject({ reason });
}

describe('AccessTokenVerifier (against the emulator’s key set)', () => {
  let emulator: AuthKitEmulator;

  beforeEach(async () => {
    const frozen = Date.now();
    emulator = await startAuthKitEmulator({ port: 0, testControls: true, now: () => frozen });
  });
  afterEach(() => emulator.close());

  const verifierWith = (settings: Partial<TokenVerificationSettings> = {}) =>
    verifierOf(
      {
        jwksUrl: `${emulator.url}/sso/jwks/${emulator.clientId}`,
        issuers: [`${emulator.url}/user_management/${emulator.clientId}`],
        algorithms: ['RS256'],
        requireSid: true,
        ...settings,
      },
      () => emulator.now() * 1000,
    );
  const mint = (claims: Record<string, unknown> = {}) =>
    emulator.mintAccessToken({ email: ALICE, authTime: emulator.now(), claims });

  describe('claims', () => {
    it('are frozen, nested arrays and objects too, for every verification of the token', async () => {
      const verifier = verifierWith();
      const token = await mint({ act: { sub: 'user_support' } });
      for (const claims of [await verifier.verify(token), await verifier.verify(token)]) {
        expect(Object.isFrozen(claims)).toBe(true);
        expect(Object.isFrozen(claims.permissions)).toBe(true);
        expect(Object.isFrozen(claims.act)).toBe(true);
      }
    });

    it('cannot be changed by one holder for the next', async () => {
      const verifier = verifierWith();
      const token = await mint();
      const first = await verifier.verify(token);
      const { role, permissions } = first;
      expect(() => {
        first.role = 'admin';
      }).toThrow(TypeError);
      expect(() => (first.permissions as string[]).push('everything')).toThrow(TypeError);
      const next = await verifier.verify(token);
      expect(next.role).toBe(role);
      expect(next.permissions).toEqual(permissions);
    });
  });

  describe('sub and sid', () => {
    it.each<[string, unknown]>([
      ['sub', null],
      ['sid', null],
      ...['sub', 'sid'].flatMap((claim) =>
        ['', 1, [], {}, true, ['user_1']].map((value): [string, unknown] => [claim, value]),
      ),
    ])('refuses a token whose %s is %p', async (claim, value) => {
      const error = await verifierWith()
        .verify(await mint({ [claim]: value }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAccessTokenError);
      expect(error).toMatchObject({ code: 'invalid_token', expired: false });
    });
  });

  describe('iat', () => {
    it.each([
      ['by one second more than the tolerance', TOLERANCE + 1],
      ['by a minute', 60],
      ['by a year', 365 * 24 * 3600],
    ])('refuses a token issued in the future %s', async (_label, ahead) => {
      const token = await mint({ iat: emulator.now() + ahead });
      await expectRefused(verifierWith().verify(token), 'iat');
    });

    it.each([1e13, Number.MAX_SAFE_INTEGER])('refuses iat %p', async (iat) => {
      await expectRefused(verifierWith().verify(await mint({ iat })), 'iat');
    });

    it.each([0, 1, TOLERANCE])(
      'accepts a token issued %i s ahead (within the tolerance)',
      async (ahead) => {
        const claims = await verifierWith().verify(await mint({ iat: emulator.now() + ahead }));
        expect(claims.iat).toBe(emulator.now() + ahead);
      },
    );

    it('refuses a token from the provider issued in the future', async () => {
      const verifier = verifierWith();
      await verifier.verify(await mint());
      await emulator.rotateKeys();
      const token = await mint({ iat: emulator.now() + 60 });
      await expectRefused(verifier.verify(token, { fromProvider: true }), 'iat');
    });
  });

  describe('aud, with an audience configured', () => {
    const audience = ['https://api.example', 'urn:payments'];

    it.each([
      ['an accepted string', 'urn:payments'],
      ['an array with an accepted value', ['https://other.example', 'https://api.example']],
    ])('accepts %s', async (_label, aud) => {
      const claims = await verifierWith({ audience }).verify(await mint({ aud }));
      expect(claims.aud).toEqual(aud);
    });

    it.each([
      ['missing', null],
      ['another audience', 'https://other.example'],
      ['an empty string', ''],
      ['an empty array', []],
      ['an array of others', ['https://other.example', 'urn:other']],
      ['a prefix of an accepted value', 'urn:pay'],
    ])('refuses an aud that is %s', async (_label, aud) => {
      await expectRefused(verifierWith({ audience }).verify(await mint({ aud })), 'aud');
    });

    it.each([-1, 1, 1.5, true, {}, [1], [null]])('refuses aud %p', async (aud) => {
      const error = await verifierWith({ audience })
        .verify(await mint({ aud }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAccessTokenError);
      expect(error).toMatchObject({ code: 'invalid_token', expired: false });
    });

    it('accepts any aud when no audience is configured', async () => {
      const claims = await verifierWith().verify(await mint({ aud: 'https://other.example' }));
      expect(claims.aud).toBe('https://other.example');
    });
  });

  describe('tokens from the provider (fromProvider)', () => {
    it('are verified under a key published within the refetch cooldown', async () => {
      const verifier = verifierWith();
      await verifier.verify(await mint());
      await emulator.rotateKeys();
      const rotated = await mint();
      await expect(verifier.verify(rotated)).rejects.toBeInstanceOf(InvalidAccessTokenError);
      const claims = await verifier.verify(rotated, { fromProvider: true });
      expect(claims.sub).toMatch(/^user_/);
      // Once fetched, the key serves every token, whoever sent it.
      await expect(verifier.verify(await mint())).resolves.toBeDefined();
    });
  });
});

describe('AccessTokenVerifier (against a key set of every OpenID Connect algorithm)', () => {
  const ISSUER = 'https://idp.example/';
  const CLIENT = 'client_x';
  const NOW_SECONDS = 1_735_680_000;
  const ALGORITHMS = TEST_ALGORITHMS;
  type Algorithm = TestAlgorithm;
  const KIDS: Record<Algorithm, string> = { RS256: 'rsa', PS256: 'pss', ES256: 'ec', EdDSA: 'ed' };
  const pairs = ALGORITHMS.map((alg) => testKeyPair(alg, KIDS[alg]));
  const privateKeys = Object.fromEntries(
    pairs.map((pair) => [pair.alg, pair.privateKey]),
  ) as Record<Algorithm, KeyObject>;
  const rsaPublic = pairs[0].jwk;

  let jwks: JwksServer;

  beforeAll(async () => {
    jwks = await JwksServer.start();
    jwks.keys = pairs.map((pair) => pair.jwk);
  });
  afterAll(() => jwks.close());

  const API = 'https://api.example';
  const verifierWith = (settings: Partial<TokenVerificationSettings> = {}) =>
    verifierOf(
      {
        jwksUrl: jwks.url,
        issuers: [ISSUER],
        algorithms: [...ALGORITHMS],
        clientId: CLIENT,
        requireSid: false,
        ...settings,
      },
      () => NOW_SECONDS * 1000,
    );

  /** A token of the issuer for this client, signed with `alg`'s key unless told otherwise. */
  const sign = (
    claims: Record<string, unknown> = {},
    { alg = 'RS256', kid, key }: { alg?: Algorithm; kid?: string; key?: KeyObject } = {},
  ) =>
    new SignJWT({ sub: 'user_1', iss: ISSUER, aud: API, client_id: CLIENT, ...claims })
      .setProtectedHeader({ alg, kid: kid ?? KIDS[alg], typ: 'at+jwt' })
      .setIssuedAt(NOW_SECONDS)
      .setExpirationTime(NOW_SECONDS + 300)
      .sign(key ?? privateKeys[alg]);

  /** A compact JWS with the header and payload given, and a signature of `signature`. */
  const forge = (header: object, payload: object, signature = 'AAAA') =>
    [header, payload]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .concat(signature)
      .join('.');

  const claimsOf = (payload: Record<string, unknown> = {}) => ({
    sub: 'user_1',
    iss: ISSUER,
    aud: API,
    client_id: CLIENT,
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 300,
    ...payload,
  });

  describe('algorithms', () => {
    it.each(ALGORITHMS)('verifies a %s token', async (alg) => {
      const claims = await verifierWith().verify(await sign({}, { alg }));
      expect(claims).toMatchObject({ sub: 'user_1', iss: ISSUER, aud: API, client_id: CLIENT });
    });

    it.each(ALGORITHMS)(
      'refuses a %s token when the settings accept only the others',
      async (alg) => {
        const algorithms = ALGORITHMS.filter((other) => other !== alg);
        const verifier = verifierWith({ algorithms });
        await expectInvalid(verifier.verify(await sign({}, { alg })));
        // The same verifier takes the others.
        await expect(
          verifier.verify(await sign({}, { alg: algorithms[0] })),
        ).resolves.toBeDefined();
      },
    );

    it.each([
      ['a random secret', () => new Uint8Array(32).fill(7)],
      // The classic confusion: the RSA public key as an HMAC secret.
      ['the RSA public key as a secret', () => new TextEncoder().encode(JSON.stringify(rsaPublic))],
      ['the RSA modulus as a secret', () => Buffer.from(rsaPublic.n as string, 'base64url')],
    ])('refuses an HS256 token signed with %s', async (_label, secret) => {
      const token = await new SignJWT(claimsOf())
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa' })
        .sign(secret());
      await expectInvalid(verifierWith().verify(token));
      // Even if the settings listed it, no published key is used for HMAC.
      await expectInvalid(verifierWith({ algorithms: ['HS256', ...ALGORITHMS] }).verify(token));
    });

    it.each([
      ['an empty signature', ''],
      ['a signature', 'AAAA'],
    ])('refuses an unsigned (alg none) token with %s', async (_label, signature) => {
      for (const header of [{ alg: 'none' }, { alg: 'none', kid: 'rsa' }]) {
        const token = forge(header, claimsOf(), signature);
        await expectInvalid(verifierWith().verify(token));
        await expectInvalid(verifierWith({ algorithms: ['none', ...ALGORITHMS] }).verify(token));
      }
    });

    it.each<[Algorithm, string]>([
      ['ES256', 'rsa'],
      ['EdDSA', 'rsa'],
      ['RS256', 'ec'],
      ['PS256', 'ed'],
      ['ES256', 'ed'],
    ])('refuses a %s token whose kid names a key of another type (%s)', async (alg, kid) => {
      await expectInvalid(verifierWith().verify(await sign({}, { alg, kid })));
    });

    it('refuses a token signed by another key than its kid names', async () => {
      const { privateKey } = testKeyPair('ES256');
      await expectInvalid(verifierWith().verify(await sign({}, { alg: 'ES256', key: privateKey })));
    });

    it('refuses a token whose kid is not published', async () => {
      await expectInvalid(verifierWith().verify(await sign({}, { alg: 'ES256', kid: 'unknown' })));
    });
  });

  describe('the compact JWS, parsed and verified with node:crypto', () => {
    /**
     * A compact JWS of the segments given (header and payload as JSON, or raw text), signed with
     * `alg`'s private key through node:crypto, in the signature format `format` names.
     */
    const signRaw = (
      header: object | string,
      payload: object | string,
      { alg = 'RS256', format }: { alg?: Algorithm; format?: 'der' | 'pss-salt-0' } = {},
    ) => signCompact(header, payload, privateKeys[alg], alg, format);
    const headerOf = (alg: Algorithm, extra: object = {}) => ({
      alg,
      kid: KIDS[alg],
      typ: 'at+jwt',
      ...extra,
    });

    it.each(ALGORITHMS)('accepts a %s token signed outside jose', async (alg) => {
      const claims = await verifierWith().verify(signRaw(headerOf(alg), claimsOf(), { alg }));
      expect(claims).toMatchObject({ sub: 'user_1', client_id: CLIENT });
    });

    it('refuses a header that marks any extension critical', async () => {
      const token = signRaw(headerOf('RS256', { crit: ['exp'] }), claimsOf({ exp: 1 }));
      const error = await verifierWith()
        .verify(token)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAccessTokenError);
      expect((error as Error).cause).toMatchObject({ claim: 'crit' });
    });

    it.each([
      ['a JSON array', '[1,2]'],
      ['a JSON string', '"claims"'],
      ['null', 'null'],
      ['text that is not JSON', 'not json'],
    ])('refuses a signed payload that is %s', async (_label, payload) => {
      await expectInvalid(verifierWith().verify(signRaw(headerOf('RS256'), payload)));
    });

    it.each([
      ['a JSON array', '["RS256"]'],
      ['text that is not JSON', '{"alg":"RS256"'],
    ])('refuses a header that is %s', async (_label, header) => {
      await expectInvalid(verifierWith().verify(signRaw(header, claimsOf())));
    });

    it('refuses an ES256 signature in DER rather than R || S', async () => {
      const token = signRaw(headerOf('ES256'), claimsOf(), { alg: 'ES256', format: 'der' });
      await expectInvalid(verifierWith().verify(token));
    });

    it('refuses a PS256 signature whose salt is not the hash length', async () => {
      const token = signRaw(headerOf('PS256'), claimsOf(), { alg: 'PS256', format: 'pss-salt-0' });
      await expectInvalid(verifierWith().verify(token));
    });

    it('refuses an RS256 signature presented as PS256 under the same RSA key, and the reverse', async () => {
      const rs = signRaw({ alg: 'PS256', kid: 'rsa', typ: 'at+jwt' }, claimsOf());
      await expectInvalid(verifierWith().verify(rs));
      const ps = signRaw({ alg: 'RS256', kid: 'pss', typ: 'at+jwt' }, claimsOf(), { alg: 'PS256' });
      await expectInvalid(verifierWith().verify(ps));
    });

    it('refuses a payload swapped under a valid signature', async () => {
      const [header, , signature] = (await sign()).split('.');
      const other = Buffer.from(JSON.stringify(claimsOf({ sub: 'user_2' }))).toString('base64url');
      await expectInvalid(verifierWith().verify(`${header}.${other}.${signature}`));
    });

    it('refuses a signature with bits appended', async () => {
      await expectInvalid(verifierWith().verify(`${await sign()}AA`));
    });

    it.each([
      ['exp', { exp: String(NOW_SECONDS + 300) }],
      ['iat', { iat: String(NOW_SECONDS) }],
      ['nbf', { nbf: 'now' }],
    ])('refuses %s that is not a number', async (claim, payload) => {
      const error = await verifierWith()
        .verify(signRaw(headerOf('RS256'), claimsOf(payload)))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ expired: false, cause: { claim, reason: 'invalid' } });
    });

    it('reads a token both not yet valid and expired as bad, not as expired', async () => {
      const token = signRaw(
        headerOf('RS256'),
        claimsOf({ nbf: NOW_SECONDS + 3600, exp: NOW_SECONDS - 3600 }),
      );
      const error = await verifierWith()
        .verify(token)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ expired: false, cause: { claim: 'nbf' } });
    });

    it('refuses a signed payload that is not valid UTF-8', async () => {
      const json = Buffer.from(JSON.stringify(claimsOf({ name: 'XX' })));
      // The two X bytes become a lone continuation byte and a truncated sequence.
      const at = json.indexOf('XX');
      json[at] = 0x80;
      json[at + 1] = 0xc3;
      const header = Buffer.from(JSON.stringify(headerOf('RS256'))).toString('base64url');
      const input = `${header}.${json.toString('base64url')}`;
      const signature = signBytes('sha256', Buffer.from(input), privateKeys.RS256);
      await expectInvalid(verifierWith().verify(`${input}.${signature.toString('base64url')}`));
    });

    it('takes a required claim only from the token itself, never from a polluted prototype', async () => {
      const prototype = Object.prototype as Record<string, unknown>;
      prototype.sid = 'session_from_prototype';
      try {
        const verification = verifierWith({ requireSid: true }).verify(
          signRaw(headerOf('RS256'), claimsOf()),
        );
        await expectInvalid(verification);
      } finally {
        delete prototype.sid;
      }
    });

    it('refuses a token not valid before a time beyond the tolerance, and accepts one within it', async () => {
      const verifier = verifierWith();
      const later = signRaw(headerOf('RS256'), claimsOf({ nbf: NOW_SECONDS + TOLERANCE + 1 }));
      const error = await verifier.verify(later).catch((e: unknown) => e);
      expect(error).toMatchObject({ expired: false, cause: { claim: 'nbf' } });
      const within = signRaw(headerOf('RS256'), claimsOf({ nbf: NOW_SECONDS + TOLERANCE }));
      await expect(verifier.verify(within)).resolves.toBeDefined();
    });

    it('tells an expired token from a bad one, at the edge of the tolerance', async () => {
      const verifier = verifierWith();
      const expired = signRaw(headerOf('RS256'), claimsOf({ exp: NOW_SECONDS - TOLERANCE }));
      await expect(verifier.verify(expired)).rejects.toMatchObject({ expired: true });
      const within = signRaw(headerOf('RS256'), claimsOf({ exp: NOW_SECONDS - TOLERANCE + 1 }));
      await expect(verifier.verify(within)).resolves.toBeDefined();
    });

    it.each([
      ['a string', API, true],
      ['an array naming it', ['other', API], true],
      ['an array without it', ['other'], false],
      ['an array of non-strings', [1, null], false],
      ['a number', 7, false],
    ])('with an audience, checks aud as %s', async (_label, aud, accepted) => {
      const verification = verifierWith({ audience: [API] }).verify(
        signRaw(headerOf('RS256'), claimsOf({ aud })),
      );
      if (accepted) await expect(verification).resolves.toBeDefined();
      else await expectInvalid(verification);
    });
  });

  describe('sid', () => {
    it('is optional when requireSid is false', async () => {
      const claims = await verifierWith({ requireSid: false }).verify(await sign());
      expect(claims.sid).toBeUndefined();
    });

    it('is kept when present and requireSid is false', async () => {
      const claims = await verifierWith({ requireSid: false }).verify(
        await sign({ sid: 'session_1' }),
      );
      expect(claims.sid).toBe('session_1');
    });

    it.each(['', 1, null, ['session_1']])(
      'refuses sid %p even when requireSid is false',
      async (sid) => {
        await expectInvalid(verifierWith({ requireSid: false }).verify(await sign({ sid })));
      },
    );

    it('is required when requireSid is true', async () => {
      const verifier = verifierWith({ requireSid: true });
      await expectInvalid(verifier.verify(await sign()));
      await expectInvalid(verifier.verify(await sign({ sid: '' })));
      await expect(verifier.verify(await sign({ sid: 'session_1' }))).resolves.toBeDefined();
    });
  });

  describe('client binding, without an audience', () => {
    it.each<[string, Record<string, unknown>]>([
      ['client_id naming the client', { aud: 'https://api.example', client_id: CLIENT }],
      ['azp naming the client', { aud: ['https://api.example'], azp: CLIENT }],
      ['client_id without aud', { aud: undefined, client_id: CLIENT }],
    ])('accepts a token with %s', async (_label, claims) => {
      await expect(verifierWith().verify(await sign(claims))).resolves.toMatchObject({
        sub: 'user_1',
      });
    });

    it.each<[string, Record<string, unknown>]>([
      [
        'for the client itself, naming no client (an ID token)',
        { aud: CLIENT, client_id: undefined },
      ],
      [
        'listing the client among its audiences, naming no client',
        { aud: ['https://api.example', CLIENT], client_id: undefined },
      ],
      ['for another client', { aud: 'client_other', azp: 'client_other', client_id: undefined }],
      [
        'for another client, through client_id',
        { aud: 'https://api.example', client_id: 'client_other' },
      ],
      ['for an API, with no client named', { aud: 'https://api.example', client_id: undefined }],
      ['naming no one', { aud: undefined, client_id: undefined }],
      [
        'with the client as a prefix',
        { aud: `${CLIENT}_2`, azp: `${CLIENT}_2`, client_id: undefined },
      ],
      ['with azp as a list', { aud: 'https://api.example', azp: [CLIENT], client_id: undefined }],
      ['with client_id as a list', { aud: 'https://api.example', client_id: [CLIENT] }],
    ])('refuses a token %s', async (_label, claims) => {
      await expectInvalid(verifierWith().verify(await sign(claims)));
    });

    it('is not checked without a clientId', async () => {
      const claims = await verifierWith({ clientId: undefined }).verify(
        await sign({ aud: 'client_other', client_id: undefined }),
      );
      expect(claims.aud).toBe('client_other');
    });
  });

  describe('ID tokens', () => {
    // With an audience that is the client id itself (as some providers have it), only the shape
    // of the token tells an ID token from an access token.
    const verifier = () => verifierWith({ audience: [CLIENT], idTokensOf: CLIENT });

    it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
      ['a nonce', { aud: CLIENT, azp: CLIENT, nonce: 'n' }, {}],
      ['an at_hash', { aud: CLIENT, azp: CLIENT, at_hash: 'h' }, {}],
      ['a c_hash', { aud: CLIENT, azp: CLIENT, c_hash: 'h' }, {}],
      ['an s_hash', { aud: CLIENT, azp: CLIENT, s_hash: 'h' }, {}],
      ["Keycloak's typ ID", { aud: CLIENT, azp: CLIENT, typ: 'ID' }, {}],
      ['an audience of the client and no client named', { aud: CLIENT, client_id: undefined }, {}],
      ['an ID token header type', { aud: CLIENT, azp: CLIENT }, { typ: 'id_token+jwt' }],
    ])('are refused: %s', async (_label, claims, header) => {
      const token = await new SignJWT({
        sub: 'user_1',
        iss: ISSUER,
        client_id: undefined,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: KIDS.RS256, ...header })
        .setIssuedAt(NOW_SECONDS)
        .setExpirationTime(NOW_SECONDS + 300)
        .sign(privateKeys.RS256);
      await expectInvalid(verifier().verify(token));
    });

    it.each([undefined, 'JWT', 'at+jwt', 'application/at+jwt'])(
      'leave access tokens alone (header typ %p)',
      async (typ) => {
        const token = await new SignJWT({ sub: 'user_1', iss: ISSUER, aud: CLIENT, azp: CLIENT })
          .setProtectedHeader({ alg: 'RS256', kid: KIDS.RS256, ...(typ ? { typ } : {}) })
          .setIssuedAt(NOW_SECONDS)
          .setExpirationTime(NOW_SECONDS + 300)
          .sign(privateKeys.RS256);
        await expect(verifier().verify(token)).resolves.toMatchObject({ azp: CLIENT });
      },
    );
  });

  describe('the header type of access tokens (RFC 9068)', () => {
    // Shaped like an ID token of an issuer that names the client in azp and was asked for no
    // nonce: nothing in its claims tells it from an access token issued to the client.
    const withType = (typ: string | undefined) =>
      new SignJWT({ sub: 'user_1', iss: ISSUER, aud: CLIENT, azp: CLIENT })
        .setProtectedHeader({
          alg: 'RS256',
          kid: KIDS.RS256,
          ...(typ === undefined ? {} : { typ }),
        })
        .setIssuedAt(NOW_SECONDS)
        .setExpirationTime(NOW_SECONDS + 300)
        .sign(privateKeys.RS256);
    const typed = (accessTokenType: TokenVerificationSettings['accessTokenType']) =>
      verifierWith({ idTokensOf: CLIENT, accessTokenType });

    const expectTypeRefused = (verification: Promise<unknown>) =>
      expectRefused(verification, 'typ', 'check_failed');

    describe('"at+jwt"', () => {
      it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])(
        'accepts typ %p',
        async (typ) => {
          await expect(typed('at+jwt').verify(await withType(typ))).resolves.toMatchObject({
            sub: 'user_1',
          });
        },
      );

      it.each([
        undefined,
        'JWT',
        'jwt',
        'application/jwt',
        'id_token+jwt',
        'at+jwt ',
        'at+jwt;q=1',
        'application/at+jwt+x',
        'xat+jwt',
        '',
      ])('refuses typ %p', async (typ) => {
        await expectTypeRefused(typed('at+jwt').verify(await withType(typ)));
      });

      it.each([1, true, null, ['at+jwt'], { typ: 'at+jwt' }])(
        'refuses a header typ of %p',
        async (typ) => {
          const header = { alg: 'RS256', kid: KIDS.RS256, typ };
          const token = await new SignJWT(claimsOf({ aud: CLIENT, azp: CLIENT }))
            .setProtectedHeader(header as unknown as { alg: string })
            .sign(privateKeys.RS256);
          await expectTypeRefused(typed('at+jwt').verify(token));
        },
      );

      it('refuses an untyped token from the provider too', async () => {
        await expectTypeRefused(
          typed('at+jwt').verify(await withType('JWT'), { fromProvider: true }),
        );
      });

      it('still refuses a typed token that shows itself as an ID token', async () => {
        const token = await new SignJWT(claimsOf({ aud: CLIENT, azp: CLIENT, nonce: 'n' }))
          .setProtectedHeader({ alg: 'RS256', kid: KIDS.RS256, typ: 'at+jwt' })
          .sign(privateKeys.RS256);
        await expectInvalid(typed('at+jwt').verify(token));
      });
    });

    describe('"auto"', () => {
      it('accepts untyped access tokens while the provider has issued none typed', async () => {
        const verifier = typed('auto');
        await expect(verifier.verify(await withType('JWT'))).resolves.toBeDefined();
        await expect(verifier.verify(await withType(undefined))).resolves.toBeDefined();
        // A typed token a client sent proves nothing about what this client gets.
        await verifier.verify(await withType('at+jwt'));
        await expect(verifier.verify(await withType('JWT'))).resolves.toBeDefined();
      });

      it('requires at+jwt once a token from the provider was typed at+jwt', async () => {
        const verifier = typed('auto');
        await verifier.verify(await withType('application/at+jwt'), { fromProvider: true });
        await expectTypeRefused(verifier.verify(await withType('JWT')));
        await expectTypeRefused(verifier.verify(await withType(undefined)));
        await expect(verifier.verify(await withType('at+jwt'))).resolves.toBeDefined();
      });

      it('refuses an untyped token it had verified before it learnt, cached or not', async () => {
        const verifier = typed('auto');
        const untyped = await withType(undefined);
        await verifier.verify(untyped);
        await verifier.verify(await withType('at+jwt'), { fromProvider: true });
        await expectTypeRefused(verifier.verify(untyped));
      });

      it('follows the provider back when its tokens stop being typed', async () => {
        const verifier = typed('auto');
        await verifier.verify(await withType('at+jwt'), { fromProvider: true });
        await expectTypeRefused(verifier.verify(await withType('JWT')));
        // The token endpoint's own answer: the issuer's access tokens are untyped again.
        await expect(
          verifier.verify(await withType('JWT'), { fromProvider: true }),
        ).resolves.toBeDefined();
        await expect(verifier.verify(await withType(undefined))).resolves.toBeDefined();
      });

      it('learns nothing from a token that fails verification', async () => {
        const verifier = typed('auto');
        const forged = forge(
          { alg: 'RS256', kid: KIDS.RS256, typ: 'at+jwt' },
          claimsOf({ aud: CLIENT, azp: CLIENT }),
        );
        await expectInvalid(verifier.verify(forged, { fromProvider: true }));
        await expect(verifier.verify(await withType('JWT'))).resolves.toBeDefined();
      });
    });

    it.each<TokenVerificationSettings['accessTokenType']>(['any', undefined])(
      'accepts untyped tokens with %p, even after a typed one from the provider',
      async (accessTokenType) => {
        const verifier = typed(accessTokenType);
        await verifier.verify(await withType('at+jwt'), { fromProvider: true });
        await expect(verifier.verify(await withType('JWT'))).resolves.toBeDefined();
        await expect(verifier.verify(await withType(undefined))).resolves.toBeDefined();
      },
    );
  });

  describe('with an audience', () => {
    const audience = ['https://api.example'];

    it('replaces the client binding', async () => {
      const verifier = verifierWith({ audience, clientId: CLIENT });
      const claims = await verifier.verify(
        await sign({ aud: 'https://api.example', azp: 'client_other' }),
      );
      expect(claims.azp).toBe('client_other');
    });

    it('refuses a token issued to the client but not for the audience', async () => {
      const verifier = verifierWith({ audience, clientId: CLIENT });
      await expectInvalid(verifier.verify(await sign({ aud: CLIENT, azp: CLIENT })));
      await expectInvalid(verifier.verify(await sign({ aud: undefined, client_id: CLIENT })));
    });
  });

  describe('issuer', () => {
    it.each([
      ['another issuer', 'https://evil.example/'],
      ['the issuer without its trailing slash', 'https://idp.example'],
      ['no issuer', undefined],
    ])('refuses a token from %s', async (_label, iss) => {
      const error = await verifierWith()
        .verify(await sign({ iss }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAccessTokenError);
      expect((error as Error).cause).toMatchObject({ claim: 'iss' });
    });

    it('accepts any of the configured issuers', async () => {
      const verifier = verifierWith({ issuers: ['https://old.example/', ISSUER] });
      await expect(verifier.verify(await sign())).resolves.toMatchObject({ iss: ISSUER });
    });
  });
});
