import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { errors } from 'jose';
import type { IdentityProvider, TokenVerificationSettings } from '../providers/identity-provider';
import { FunctionReauthClock } from '../reauth.clock';
import { type ResolvedReauthOptions } from '../reauth.options';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';

const ALICE = 'alice@example.com';
const TOLERANCE = 5;

describe('AccessTokenVerifier (against the emulator’s key set)', () => {
  let emulator: AuthKitEmulator;

  beforeEach(async () => {
    const frozen = Date.now();
    emulator = await startAuthKitEmulator({ port: 0, testControls: true, now: () => frozen });
  });
  afterEach(() => emulator.close());

  const verifierWith = (settings: Partial<TokenVerificationSettings> = {}) => {
    const verification: TokenVerificationSettings = {
      jwksUrl: `${emulator.url}/sso/jwks/${emulator.clientId}`,
      issuers: [`${emulator.url}/user_management/${emulator.clientId}`],
      algorithms: ['RS256'],
      requireSid: true,
      ...settings,
    };
    const provider = { verification: () => Promise.resolve(verification) };
    const options = { jwksTimeoutMs: 5000, clockToleranceSeconds: TOLERANCE };
    return new AccessTokenVerifier(
      options as ResolvedReauthOptions,
      provider as IdentityProvider,
      new FunctionReauthClock(() => emulator.now() * 1000),
    );
  };
  const mint = (claims: Record<string, unknown> = {}) =>
    emulator.mintAccessToken({ email: ALICE, authTime: emulator.now(), claims });

  /** Rejects with a bad-token (not an expired-token) error whose jose cause names `claim`. */
  async function expectRefused(verification: Promise<unknown>, claim: string): Promise<void> {
    const error = await verification.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidAccessTokenError);
    expect(error).toMatchObject({ code: 'invalid_token', expired: false });
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(errors.JWTClaimValidationFailed);
    expect(cause).toMatchObject({ claim });
  }

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
