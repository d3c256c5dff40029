import { DEMO_USERS, startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { WorkOS } from '@workos-inc/node';
import { WorkOS as WorkOS8 } from 'workos-node-8';
import { TOTP } from 'otpauth';
import { inspect } from 'node:util';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import type { WorkOSClient } from '../../interfaces';
import { isPasswordConfirmer, type PasswordConfirmation } from '../identity-provider';
import { decodePending, encodePending } from './workos-password';
import { WorkOSIdentityProvider } from './workos.provider';

const BOB_SECRET = DEMO_USERS[1].totpSecret!;

function totpAt(secret: string, nowSeconds: number): string {
  return new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: nowSeconds * 1000,
  });
}

/** A code the emulator refuses at `nowSeconds` (it accepts one period either side). */
function wrongTotpAt(secret: string, nowSeconds: number): string {
  const accepted = new Set([-30, 0, 30].map((offset) => totpAt(secret, nowSeconds + offset)));
  for (let hours = 1; ; hours++) {
    const code = totpAt(secret, nowSeconds + hours * 3600);
    if (!accepted.has(code)) return code;
  }
}

function providerFor(workos: unknown, clientId = 'client_local_demo'): WorkOSIdentityProvider {
  return new WorkOSIdentityProvider({
    workos: workos as WorkOSClient,
    clientId,
    redirectUri: 'http://localhost:3000/auth/callback',
    cookiePassword: 'a-cookie-password-of-at-least-32-characters',
    issuers: ['http://127.0.0.1'],
  });
}

const SDKS = [
  ['@workos-inc/node 11', WorkOS],
  ['@workos-inc/node 8', WorkOS8],
] as const;

describe.each(SDKS)('WorkOSIdentityProvider as a PasswordConfirmer, with %s', (_name, Sdk) => {
  let emulator: AuthKitEmulator;
  let sdk: WorkOS;
  let provider: WorkOSIdentityProvider;
  let ids: Record<'alice' | 'bob' | 'dave', string>;

  beforeEach(async () => {
    const frozen = Date.now();
    emulator = await startAuthKitEmulator({
      port: 0,
      now: () => frozen,
      users: [...DEMO_USERS, { email: 'dave@example.com', password: 'dave-password' }],
    });
    // No retries: SDK 8 would retry a 5xx for seconds (a 503 it does not retry at all).
    sdk = new Sdk(emulator.apiKey, {
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      clientId: emulator.clientId,
      maxRetries: 0,
    }) as unknown as WorkOS;
    provider = providerFor(sdk, emulator.clientId);
    const idOf = async (email: string) => {
      const code = await emulator.issueAuthorizationCode({ email });
      return (await sdk.userManagement.authenticateWithCode({ clientId: emulator.clientId, code }))
        .user.id;
    };
    ids = {
      alice: await idOf('alice@example.com'),
      bob: await idOf('bob@example.com'),
      dave: await idOf('dave@example.com'),
    };
  });
  afterEach(() => emulator.close());

  /** The refresh tokens of what WorkOS answered to `method`, read off a spy on the SDK. */
  const refreshTokensOf = async (spy: jest.SpyInstance) =>
    Promise.all(
      spy.mock.results.map(
        async (result) => ((await result.value) as { refreshToken: string }).refreshToken,
      ),
    );
  const refreshFails = (refreshToken: string) =>
    expect(
      sdk.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken,
      }),
    ).rejects.toMatchObject({ status: 400, error: 'invalid_grant' });

  const bobsPending = async (): Promise<string> => {
    const answer = await provider.confirmPassword({
      email: 'bob@example.com',
      password: 'bob-password',
    });
    expect(answer).toEqual({
      status: 'code_required',
      userId: ids.bob,
      pending: expect.any(String),
    });
    return (answer as { pending: string }).pending;
  };

  it('is a PasswordConfirmer', () => {
    expect(isPasswordConfirmer(provider)).toBe(true);
  });

  describe('confirmPassword', () => {
    it('confirms alice with pwd, and revokes the session WorkOS created at once', async () => {
      const spy = jest.spyOn(sdk.userManagement, 'authenticateWithPassword');
      const revoke = jest.spyOn(sdk.userManagement, 'revokeSession');
      await expect(
        provider.confirmPassword({
          email: 'alice@example.com',
          password: 'alice-password',
          ipAddress: '203.0.113.7',
          userAgent: 'jest',
        }),
      ).resolves.toEqual({ status: 'confirmed', userId: ids.alice, amr: ['pwd'] });
      expect(spy).toHaveBeenCalledWith(
        expect.objectContaining({
          clientId: emulator.clientId,
          ipAddress: '203.0.113.7',
          userAgent: 'jest',
        }),
      );
      expect(revoke).toHaveBeenCalledTimes(1);
      const [refreshToken] = await refreshTokensOf(spy);
      await refreshFails(refreshToken);
    });

    it.each([
      ['a wrong password', 'alice@example.com', 'bob-password'],
      ['an unknown email', 'nobody@example.com', 'alice-password'],
      ['an SSO user (no password)', 'carol@sso.example.com', 'carol-password'],
      ['a TOTP user’s wrong password', 'bob@example.com', 'alice-password'],
      ['an empty password', 'alice@example.com', ''],
      ['an empty email', ' ', 'alice-password'],
    ])('answers %s with invalid_credentials', async (_case, email, password) => {
      await expect(provider.confirmPassword({ email, password })).resolves.toEqual({
        status: 'invalid_credentials',
      });
    });

    it('confirms the user WorkOS authenticated: another user’s credentials give that user’s id', async () => {
      // The caller compares userId with the signed-in user: dave's password never yields alice.
      await expect(
        provider.confirmPassword({ email: 'dave@example.com', password: 'dave-password' }),
      ).resolves.toEqual({ status: 'confirmed', userId: ids.dave, amr: ['pwd'] });
      await expect(
        provider.confirmPassword({ email: 'alice@example.com', password: 'dave-password' }),
      ).resolves.toEqual({ status: 'invalid_credentials' });
    });

    it('asks bob for a code: his id, and a pending step that hides nothing it need not', async () => {
      const pending = await bobsPending();
      expect(pending).not.toContain('bob-password');
      expect(decodePending(pending)).toEqual({
        token: expect.any(String),
        factorId: expect.stringMatching(/^auth_factor_/),
        userId: ids.bob,
      });
    });

    it('fails closed when the session cannot be revoked: no confirmation, a 503 to the caller', async () => {
      emulator.setFaults({ revoke: { status: 503 } });
      const attempt = provider.confirmPassword({
        email: 'alice@example.com',
        password: 'alice-password',
      });
      await expect(attempt).rejects.toBeInstanceOf(ReauthUnavailableException);
      await expect(attempt).rejects.toMatchObject({ dependency: 'workos' });
    });

    it('answers an outage of WorkOS with ReauthUnavailableException, naming no password', async () => {
      emulator.setFaults({ authenticate: { status: 503 } });
      const error = await provider
        .confirmPassword({ email: 'alice@example.com', password: 'alice-password' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthUnavailableException);
      expect(inspect(error, { depth: 10 })).not.toContain('alice-password');

      emulator.setFaults({});
      await emulator.close();
      await expect(
        provider.confirmPassword({ email: 'alice@example.com', password: 'alice-password' }),
      ).rejects.toBeInstanceOf(ReauthUnavailableException);
      emulator = await startAuthKitEmulator({ port: 0 });
    });

    it('answers a bad API key with ReauthUnavailableException, not as the user’s mistake', async () => {
      const wrongKey = new Sdk('sk_test_wrong', {
        apiHostname: '127.0.0.1',
        port: emulator.port,
        https: false,
        clientId: emulator.clientId,
        maxRetries: 0,
      });
      await expect(
        providerFor(wrongKey, emulator.clientId).confirmPassword({
          email: 'alice@example.com',
          password: 'alice-password',
        }),
      ).rejects.toBeInstanceOf(ReauthUnavailableException);
      await expect(
        providerFor(sdk, 'client_someone_else').confirmPassword({
          email: 'alice@example.com',
          password: 'alice-password',
        }),
      ).rejects.toBeInstanceOf(ReauthUnavailableException);
    });
  });

  describe('confirmCode', () => {
    it('confirms bob with pwd, otp and mfa, and revokes the session WorkOS created', async () => {
      const pending = await bobsPending();
      const spy = jest.spyOn(sdk.userManagement, 'authenticateWithTotp');
      emulator.advanceClock(40);
      await expect(
        provider.confirmCode({
          pending,
          code: totpAt(BOB_SECRET, emulator.now()),
          userAgent: 'jest',
        }),
      ).resolves.toEqual({ status: 'confirmed', userId: ids.bob, amr: ['pwd', 'otp', 'mfa'] });
      const [refreshToken] = await refreshTokensOf(spy);
      await refreshFails(refreshToken);
    });

    it('answers a wrong code with invalid_code, and the same pending step takes another', async () => {
      const pending = await bobsPending();
      for (const code of [wrongTotpAt(BOB_SECRET, emulator.now()), '12345', '1234567', 'abcdef']) {
        await expect(provider.confirmCode({ pending, code })).resolves.toEqual({
          status: 'invalid_code',
        });
      }
      await expect(
        provider.confirmCode({ pending, code: totpAt(BOB_SECRET, emulator.now()) }),
      ).resolves.toMatchObject({ status: 'confirmed' });
    });

    it('answers a spent, expired or foreign pending step with expired', async () => {
      const spent = await bobsPending();
      const code = totpAt(BOB_SECRET, emulator.now());
      await expect(provider.confirmCode({ pending: spent, code })).resolves.toMatchObject({
        status: 'confirmed',
      });
      await expect(provider.confirmCode({ pending: spent, code })).resolves.toEqual({
        status: 'expired',
      });

      const late = await bobsPending();
      emulator.advanceClock(600);
      await expect(
        provider.confirmCode({ pending: late, code: totpAt(BOB_SECRET, emulator.now()) }),
      ).resolves.toEqual({ status: 'expired' });

      const { factorId } = decodePending(late)!;
      for (const pending of [
        '',
        'not-ours',
        'workos-totp.v1.',
        'workos-totp.v1.e30',
        encodePending({ token: 'unknown-token', factorId, userId: ids.bob }),
        encodePending({ token: 'x', factorId: '../../users', userId: ids.bob }),
        encodePending({ token: 'x', factorId: 'auth_factor_01UNKNOWN', userId: ids.bob }),
      ]) {
        await expect(
          provider.confirmCode({ pending, code: totpAt(BOB_SECRET, emulator.now()) }),
        ).resolves.toEqual({ status: 'expired' });
      }
    });

    it('never confirms another user than the pending step’s', async () => {
      const pending = decodePending(await bobsPending())!;
      const forged = encodePending({ ...pending, userId: ids.alice });
      await expect(
        provider.confirmCode({ pending: forged, code: totpAt(BOB_SECRET, emulator.now()) }),
      ).rejects.toBeInstanceOf(ReauthUnavailableException);
    });

    it('fails closed when the session cannot be revoked', async () => {
      const pending = await bobsPending();
      emulator.setFaults({ revoke: { status: 503 } });
      await expect(
        provider.confirmCode({ pending, code: totpAt(BOB_SECRET, emulator.now()) }),
      ).rejects.toBeInstanceOf(ReauthUnavailableException);
    });

    it('answers an outage of the challenge or of the grant with ReauthUnavailableException', async () => {
      const pending = await bobsPending();
      const code = totpAt(BOB_SECRET, emulator.now());
      emulator.setFaults({ challenge: { status: 503, times: 1 } });
      await expect(provider.confirmCode({ pending, code })).rejects.toBeInstanceOf(
        ReauthUnavailableException,
      );
      emulator.setFaults({ authenticate: { status: 503, times: 1 } });
      const error = await provider.confirmCode({ pending, code }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthUnavailableException);
      expect(inspect(error, { depth: 10 })).not.toContain(code);
      // The outages spent nothing.
      await expect(provider.confirmCode({ pending, code })).resolves.toMatchObject({
        status: 'confirmed',
      });
    });
  });

  describe('emailOf', () => {
    it('reads the user’s email; undefined for an unknown or malformed id', async () => {
      await expect(provider.emailOf(ids.alice)).resolves.toBe('alice@example.com');
      await expect(provider.emailOf('user_01UNKNOWN')).resolves.toBeUndefined();
      const getUser = jest.spyOn(sdk.userManagement, 'getUser');
      for (const id of ['', '../sessions/revoke', 'a/b', 'x'.repeat(129)]) {
        await expect(provider.emailOf(id)).resolves.toBeUndefined();
      }
      expect(getUser).not.toHaveBeenCalled();
    });

    it('answers an outage with ReauthUnavailableException', async () => {
      emulator.setFaults({ users: { status: 503 } });
      await expect(provider.emailOf(ids.alice)).rejects.toBeInstanceOf(ReauthUnavailableException);
    });
  });
});

describe('WorkOSIdentityProvider as a PasswordConfirmer, with what WorkOS may answer', () => {
  /** A client whose password grant answers `rawData` as the SDK's exceptions carry it. */
  const refusingWith = (status: number, rawData: Record<string, unknown>) => ({
    userManagement: {
      getJwksUrl: () => 'http://127.0.0.1/jwks',
      authenticateWithPassword: () =>
        Promise.reject(Object.assign(new Error('refused'), { status, rawData })),
      authenticateWithTotp: () => Promise.reject(new Error('not expected')),
      revokeSession: () => Promise.resolve(),
    },
    multiFactorAuth: { challengeFactor: () => Promise.reject(new Error('not expected')) },
  });
  const confirm = (client: unknown) =>
    providerFor(client).confirmPassword({ email: 'a@example.com', password: 'pw' });
  const user = { object: 'user', id: 'user_01A', email: 'a@example.com' };

  it.each<[string, number, Record<string, unknown>, PasswordConfirmation]>([
    [
      'mfa_enrollment',
      403,
      { code: 'mfa_enrollment', pending_authentication_token: 't', user },
      { status: 'unsupported', detail: 'the user must enrol in MFA first' },
    ],
    [
      'sso_required',
      403,
      { code: 'sso_required', connection_ids: ['conn_1'], email: 'a@example.com' },
      { status: 'unsupported', detail: "the user's organization requires SSO" },
    ],
    [
      'an SMS factor only',
      403,
      {
        code: 'mfa_challenge',
        pending_authentication_token: 't',
        authentication_factors: [{ id: 'auth_factor_01S', type: 'sms' }],
        user,
      },
      { status: 'unsupported', detail: "the user's second factor is not TOTP" },
    ],
    [
      'an unknown refusal',
      400,
      { code: 'user_locked', message: 'Locked.' },
      { status: 'unsupported', detail: 'WorkOS refused the password check (user_locked)' },
    ],
    [
      'a code that is not one',
      400,
      { code: '<script>', message: 'x' },
      { status: 'unsupported', detail: expect.not.stringContaining('<') as never },
    ],
  ])('answers %s as unsupported', async (_case, status, rawData, expected) => {
    await expect(confirm(refusingWith(status, rawData))).resolves.toEqual(expected);
  });

  it('picks the TOTP factor among several', async () => {
    const answer = await confirm(
      refusingWith(403, {
        code: 'mfa_challenge',
        pending_authentication_token: 'pending-token',
        authentication_factors: [
          { id: 'auth_factor_01S', type: 'sms' },
          { id: 'auth_factor_01T', type: 'totp' },
        ],
        user,
      }),
    );
    expect(answer).toMatchObject({ status: 'code_required', userId: 'user_01A' });
    expect(decodePending((answer as { pending: string }).pending)).toEqual({
      token: 'pending-token',
      factorId: 'auth_factor_01T',
      userId: 'user_01A',
    });
  });

  it.each([
    ['no pending token', { code: 'mfa_challenge', authentication_factors: [], user }],
    [
      'no user',
      { code: 'mfa_challenge', pending_authentication_token: 't', authentication_factors: [] },
    ],
  ])('answers an mfa_challenge with %s as WorkOS failing', async (_case, rawData) => {
    await expect(confirm(refusingWith(403, rawData))).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
  });

  it('answers an error the SDK raised on its own as WorkOS failing, whatever its status', async () => {
    const client = refusingWith(403, {});
    client.userManagement.authenticateWithPassword = () =>
      Promise.reject(Object.assign(new Error('API key required'), { status: 403 }));
    await expect(confirm(client)).rejects.toBeInstanceOf(ReauthUnavailableException);
  });

  it('reads the code of an SDK error that keeps it outside rawData', async () => {
    const client = refusingWith(422, {});
    client.userManagement.authenticateWithPassword = () =>
      Promise.reject(
        Object.assign(new Error('invalid'), { status: 422, code: 'password_too_long' }),
      );
    await expect(confirm(client)).resolves.toEqual({
      status: 'unsupported',
      detail: 'WorkOS refused the password check (password_too_long)',
    });
  });

  it.each([401, 404, 408, 429, 500, 503])('answers a %i as WorkOS failing', async (status) => {
    await expect(confirm(refusingWith(status, { code: 'x', message: 'x' }))).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
  });

  it('answers unsupported when the SDK cannot check passwords or complete MFA', async () => {
    const mfa = refusingWith(403, {
      code: 'mfa_challenge',
      pending_authentication_token: 't',
      authentication_factors: [{ id: 'auth_factor_01T', type: 'totp' }],
      user,
    });
    const old = { userManagement: { getJwksUrl: () => 'http://127.0.0.1/jwks' } };
    await expect(confirm(old)).resolves.toMatchObject({ status: 'unsupported' });
    await expect(providerFor(old).emailOf('user_01A')).resolves.toBeUndefined();
    await expect(
      providerFor(old).confirmCode({
        pending: encodePending({ token: 't', factorId: 'auth_factor_01T', userId: 'user_01A' }),
        code: '123456',
      }),
    ).resolves.toMatchObject({ status: 'unsupported' });
    await expect(confirm({ ...mfa, multiFactorAuth: undefined })).resolves.toMatchObject({
      status: 'unsupported',
    });
    // SDK 8 names it `mfa`.
    await expect(
      confirm({ ...mfa, multiFactorAuth: undefined, mfa: mfa.multiFactorAuth }),
    ).resolves.toMatchObject({ status: 'code_required' });
  });

  it('revokes, then refuses an answer whose user is not the token’s subject', async () => {
    const revoked: string[] = [];
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'user_01B', sid: 'session_01S' })).toString(
      'base64url',
    );
    const client = {
      userManagement: {
        getJwksUrl: () => 'http://127.0.0.1/jwks',
        authenticateWithPassword: () =>
          Promise.resolve({ accessToken: `${header}.${payload}.sig`, user: { id: 'user_01A' } }),
        revokeSession: ({ sessionId }: { sessionId: string }) => {
          revoked.push(sessionId);
          return Promise.resolve();
        },
      },
    };
    await expect(confirm(client)).rejects.toBeInstanceOf(ReauthUnavailableException);
    expect(revoked).toEqual(['session_01S']);

    const noSid = Buffer.from(JSON.stringify({ sub: 'user_01A' })).toString('base64url');
    client.userManagement.authenticateWithPassword = () =>
      Promise.resolve({ accessToken: `${header}.${noSid}.sig`, user: { id: 'user_01A' } });
    await expect(confirm(client)).rejects.toBeInstanceOf(ReauthUnavailableException);
    expect(revoked).toEqual(['session_01S']);
  });
});
