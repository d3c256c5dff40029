import { DEMO_USERS, type AuthKitEmulator } from 'authkit-emulator';
import {
  AuthenticationException,
  GenericServerException,
  NotFoundException,
  OauthException,
  UnauthorizedException,
  WorkOS,
} from '@workos-inc/node';
import { decodeJwt } from 'jose';
import { startEmulatorWithSdk, totpAt, wrongTotpAt } from '../support/emulator';

const BOB = DEMO_USERS[1];
const BOB_SECRET = BOB.totpSecret!;
const DAVE_SECRET = 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BANJ2W24DT';

const INVALID_CREDENTIALS = { code: 'invalid_credentials', message: 'Invalid credentials.' };
const PENDING_INVALID = {
  code: 'invalid_pending_authentication_token',
  message: 'The pending authentication token is invalid or has expired.',
};
const CHALLENGE_INVALID = { code: 'invalid_request', message: 'Invalid authentication challenge.' };
const WRONG_CODE = { code: 'invalid_one_time_code', message: 'Invalid one-time code.' };

describe('AuthKit emulator: password and TOTP authentication through the SDK', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  const log: string[] = [];

  beforeEach(async () => {
    log.length = 0;
    ({ emulator, workos } = await startEmulatorWithSdk({
      users: [
        ...DEMO_USERS,
        { email: 'dave@example.com', password: 'dave-password', totpSecret: DAVE_SECRET },
      ],
      log: (line) => log.push(line),
    }));
  });
  afterEach(() => emulator.close());

  const withPassword = (email: string, password: string) =>
    workos.userManagement.authenticateWithPassword({
      clientId: emulator.clientId,
      email,
      password,
      ipAddress: '203.0.113.7',
      userAgent: 'jest',
    });

  /** Bob's password, answered with WorkOS's `mfa_challenge` error. */
  const bobsMfaChallenge = async (): Promise<AuthenticationException> => {
    const error = await withPassword('bob@example.com', 'bob-password').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationException);
    return error as AuthenticationException;
  };

  const challenge = (authenticationFactorId: string) =>
    workos.multiFactorAuth.challengeFactor({ authenticationFactorId });

  const withTotp = (
    pendingAuthenticationToken: string,
    authenticationChallengeId: string,
    code: string,
  ) =>
    workos.userManagement.authenticateWithTotp({
      clientId: emulator.clientId,
      pendingAuthenticationToken,
      authenticationChallengeId,
      code,
    });

  /** Bob's second step up to the code: the pending token, his factor and a fresh challenge. */
  const bobsSecondStep = async () => {
    const error = await bobsMfaChallenge();
    const factorId = (error.rawData as unknown as { authentication_factors: { id: string }[] })
      .authentication_factors[0].id;
    const { id: challengeId } = await challenge(factorId);
    return { pending: error.pendingAuthenticationToken!, factorId, challengeId };
  };

  /** The raw answer to a POST of `body` to `/user_management/authenticate`. */
  const authenticateRaw = async (body: Record<string, unknown>) => {
    const res = await fetch(`${emulator.url}/user_management/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: emulator.clientId, ...body }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const refusal = async (attempt: Promise<unknown>) => {
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    return error as { name: string; status: number; rawData: unknown };
  };

  describe('grant_type password', () => {
    it('signs alice in: a new session, authenticated now, like a code exchange', async () => {
      emulator.advanceClock(90);
      const first = await withPassword('alice@example.com', 'alice-password');
      expect(first.user).toMatchObject({ email: 'alice@example.com', firstName: 'Alice' });
      expect(first.authenticationMethod).toBe('Password');
      expect(first.organizationId).toMatch(/^org_/);
      const claims = decodeJwt(first.accessToken);
      expect(claims).toMatchObject({ sub: first.user.id, auth_time: emulator.now() });
      expect(claims.sid).toMatch(/^session_/);

      const second = await withPassword('Alice@Example.com', 'alice-password');
      expect(decodeJwt(second.accessToken).sid).not.toBe(claims.sid);
      const refreshed = await workos.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken: first.refreshToken,
      });
      expect(decodeJwt(refreshed.accessToken).sid).toBe(claims.sid);
      expect((await workos.userManagement.getUser(first.user.id)).lastSignInAt).not.toBeNull();
    });

    it.each([
      ['a wrong password', 'alice@example.com', 'not-alices-password'],
      ['an unknown email', 'nobody@example.com', 'alice-password'],
      ['a user without a password (SSO)', 'carol@sso.example.com', 'carol-password'],
      ['a TOTP user’s wrong password', 'bob@example.com', 'alice-password'],
    ])('answers %s with the one invalid_credentials error', async (_case, email, password) => {
      const error = await refusal(withPassword(email, password));
      expect(error).toBeInstanceOf(GenericServerException);
      expect(error).not.toBeInstanceOf(AuthenticationException);
      expect(error.status).toBe(400);
      expect(error.rawData).toEqual(INVALID_CREDENTIALS);
    });

    it('asks a user with a TOTP factor for it: mfa_challenge, creating no session', async () => {
      const error = await bobsMfaChallenge();
      expect(error.status).toBe(403);
      expect(error.code).toBe('mfa_challenge');
      const raw = error.rawData as Record<string, unknown>;
      expect(Object.keys(raw).sort()).toEqual([
        'authentication_factors',
        'code',
        'message',
        'pending_authentication_token',
        'user',
      ]);
      expect(raw.message).toBe('The user must complete an MFA challenge to finish authenticating.');
      expect(error.pendingAuthenticationToken).toBe(raw.pending_authentication_token);
      expect(raw.pending_authentication_token).toMatch(/^[\w-]{20,}$/);
      expect(raw.authentication_factors).toEqual([
        { id: expect.stringMatching(/^auth_factor_01[0-9A-Z]{24}$/), type: 'totp' },
      ]);
      expect(raw.user).toMatchObject({ object: 'user', email: 'bob@example.com' });
      // The same factor each time; a new pending token each time.
      const again = await bobsMfaChallenge();
      expect(again.rawData).toMatchObject({ authentication_factors: raw.authentication_factors });
      expect(again.pendingAuthenticationToken).not.toBe(error.pendingAuthenticationToken);
      // Only a completed authentication signs in.
      expect(
        (await workos.userManagement.getUser((raw.user as { id: string }).id)).lastSignInAt,
      ).toBeNull();
    });

    it('refuses a client without the API key, and malformed parameters with invalid_request', async () => {
      const password = {
        grant_type: 'password',
        email: 'alice@example.com',
        password: 'alice-password',
      };
      expect(await authenticateRaw(password)).toEqual({
        status: 401,
        body: { code: 'unauthorized', message: 'Invalid API key provided.' },
      });
      const secret = { client_secret: emulator.apiKey };
      for (const [body, message] of [
        [{ ...password, email: undefined }, 'email is required'],
        [{ ...password, password: '' }, 'password is required'],
        [{ ...password, password: ['alice-password'] }, 'password must be a single string'],
        [{ ...password, password: 'x'.repeat(1025) }, 'password is too long'],
        [{ ...password, email: 7 }, 'email must be a single string'],
        [{ ...password, user_agent: 'x'.repeat(2049) }, 'user_agent is too long'],
      ] as const) {
        expect(await authenticateRaw({ ...body, ...secret })).toEqual({
          status: 400,
          body: { error: 'invalid_request', error_description: message },
        });
      }
    });
  });

  describe('POST /auth/factors/:id/challenge', () => {
    it('creates WorkOS’s challenge object for the factor, without an expiry (TOTP)', async () => {
      const error = await bobsMfaChallenge();
      const factorId = (error.rawData as unknown as { authentication_factors: { id: string }[] })
        .authentication_factors[0].id;
      const res = await fetch(`${emulator.url}/auth/factors/${factorId}/challenge`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({
        object: 'authentication_challenge',
        id: expect.stringMatching(/^auth_challenge_01[0-9A-Z]{24}$/),
        created_at: expect.any(String),
        updated_at: body.created_at,
        authentication_factor_id: factorId,
      });
      expect(Math.floor(Date.parse(body.created_at as string) / 1000)).toBe(emulator.now());
      const viaSdk = await challenge(factorId);
      expect(viaSdk).toMatchObject({
        object: 'authentication_challenge',
        authenticationFactorId: factorId,
      });
      expect(viaSdk.id).not.toBe(body.id);
    });

    it('answers an unknown factor with 404, no API key with 401, a bad sms_template with 422', async () => {
      await expect(challenge('auth_factor_01UNKNOWN')).rejects.toBeInstanceOf(NotFoundException);
      await expect(challenge('auth_factor_01UNKNOWN')).rejects.toMatchObject({
        status: 404,
        code: 'entity_not_found',
      });
      const { factorId } = await bobsSecondStep();
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${emulator.url}/auth/factors/${factorId}/challenge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect((await post({}, {})).status).toBe(401);
      expect((await post({ authorization: 'Bearer sk_test_wrong' }, {})).status).toBe(401);
      const bad = await post({ authorization: `Bearer ${emulator.apiKey}` }, { sms_template: 7 });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ code: 'invalid_request_parameters' });
      const sdk = new WorkOS('sk_test_wrong', {
        apiHostname: '127.0.0.1',
        port: emulator.port,
        https: false,
      });
      await expect(
        sdk.multiFactorAuth.challengeFactor({ authenticationFactorId: factorId }),
      ).rejects.toBeInstanceOf(UnauthorizedException);
    });
  });

  describe('grant_type urn:workos:oauth:grant-type:mfa-totp', () => {
    it('completes bob’s sign-in with his current code: a new session, authenticated now', async () => {
      const { pending, challengeId } = await bobsSecondStep();
      emulator.advanceClock(45);
      const result = await withTotp(pending, challengeId, totpAt(BOB_SECRET, emulator.now()));
      expect(result.user.email).toBe('bob@example.com');
      expect(result.authenticationMethod).toBe('Password');
      const claims = decodeJwt(result.accessToken);
      expect(claims).toMatchObject({ sub: result.user.id, auth_time: emulator.now() });
      const refreshed = await workos.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken: result.refreshToken,
      });
      expect(decodeJwt(refreshed.accessToken).sid).toBe(claims.sid);
    });

    it('answers a wrong code with invalid_one_time_code, and the pending step stays', async () => {
      const { pending, challengeId } = await bobsSecondStep();
      for (const code of [wrongTotpAt(BOB_SECRET, emulator.now()), '12345', 'abcdef']) {
        const error = await refusal(withTotp(pending, challengeId, code));
        expect(error).toBeInstanceOf(GenericServerException);
        expect({ status: error.status, body: error.rawData }).toEqual({
          status: 400,
          body: WRONG_CODE,
        });
      }
      await expect(
        withTotp(pending, challengeId, totpAt(BOB_SECRET, emulator.now())),
      ).resolves.toMatchObject({ user: { email: 'bob@example.com' } });
    });

    it('spends the pending token and the challenge: neither completes a second sign-in', async () => {
      const first = await bobsSecondStep();
      const code = totpAt(BOB_SECRET, emulator.now());
      await withTotp(first.pending, first.challengeId, code);

      const reused = await refusal(withTotp(first.pending, first.challengeId, code));
      expect({ status: reused.status, body: reused.rawData }).toEqual({
        status: 400,
        body: PENDING_INVALID,
      });
      const second = await bobsSecondStep();
      const spentChallenge = await refusal(withTotp(second.pending, first.challengeId, code));
      expect({ status: spentChallenge.status, body: spentChallenge.rawData }).toEqual({
        status: 400,
        body: CHALLENGE_INVALID,
      });
      // The refusals spent nothing of the second attempt.
      await expect(withTotp(second.pending, second.challengeId, code)).resolves.toBeDefined();
    });

    it('lets one of two concurrent completions through', async () => {
      const { pending, challengeId } = await bobsSecondStep();
      const code = totpAt(BOB_SECRET, emulator.now());
      const outcomes = await Promise.allSettled([
        withTotp(pending, challengeId, code),
        withTotp(pending, challengeId, code),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    });

    it('expires the pending token after ten minutes, by the emulator’s clock', async () => {
      const late = await bobsSecondStep();
      const inTime = await bobsSecondStep();
      emulator.advanceClock(599);
      await expect(
        withTotp(inTime.pending, inTime.challengeId, totpAt(BOB_SECRET, emulator.now())),
      ).resolves.toBeDefined();
      emulator.advanceClock(1);
      const { id: freshChallenge } = await challenge(late.factorId);
      const expired = await refusal(
        withTotp(late.pending, freshChallenge, totpAt(BOB_SECRET, emulator.now())),
      );
      expect({ status: expired.status, body: expired.rawData }).toEqual({
        status: 400,
        body: PENDING_INVALID,
      });
    });

    it('forgets an unspent challenge after ten minutes too', async () => {
      const { challengeId } = await bobsSecondStep();
      emulator.advanceClock(600);
      const { pending } = await bobsSecondStep();
      const forgotten = await refusal(
        withTotp(pending, challengeId, totpAt(BOB_SECRET, emulator.now())),
      );
      expect(forgotten.rawData).toEqual(CHALLENGE_INVALID);
    });

    it('refuses an unknown pending token, an unknown challenge and a challenge of another factor', async () => {
      const { pending, challengeId } = await bobsSecondStep();
      const code = totpAt(BOB_SECRET, emulator.now());
      const unknownPending = await refusal(withTotp('not-a-pending-token', challengeId, code));
      expect(unknownPending.rawData).toEqual(PENDING_INVALID);
      const unknownChallenge = await refusal(withTotp(pending, 'auth_challenge_01UNKNOWN', code));
      expect(unknownChallenge.rawData).toEqual(CHALLENGE_INVALID);

      const dave = await refusal(withPassword('dave@example.com', 'dave-password'));
      const davesFactor = (dave.rawData as { authentication_factors: { id: string }[] })
        .authentication_factors[0].id;
      const { id: davesChallenge } = await challenge(davesFactor);
      const crossed = await refusal(withTotp(pending, davesChallenge, code));
      expect({ status: crossed.status, body: crossed.rawData }).toEqual({
        status: 400,
        body: CHALLENGE_INVALID,
      });
      const crossedDave = await refusal(
        withTotp(
          (dave.rawData as { pending_authentication_token: string }).pending_authentication_token,
          challengeId,
          totpAt(DAVE_SECRET, emulator.now()),
        ),
      );
      expect(crossedDave.rawData).toEqual(CHALLENGE_INVALID);
      // None of it spent bob's step.
      await expect(withTotp(pending, challengeId, code)).resolves.toBeDefined();
    });

    it('refuses a client without the API key, and malformed parameters with invalid_request', async () => {
      const { pending, challengeId } = await bobsSecondStep();
      const totp = {
        grant_type: 'urn:workos:oauth:grant-type:mfa-totp',
        code: totpAt(BOB_SECRET, emulator.now()),
        pending_authentication_token: pending,
        authentication_challenge_id: challengeId,
      };
      expect((await authenticateRaw(totp)).status).toBe(401);
      const secret = { client_secret: emulator.apiKey };
      for (const [body, message] of [
        [{ ...totp, code: undefined }, 'code is required'],
        [
          { ...totp, pending_authentication_token: 'has spaces' },
          'pending_authentication_token is malformed',
        ],
        [
          { ...totp, authentication_challenge_id: undefined },
          'authentication_challenge_id is required',
        ],
        [
          { ...totp, authentication_challenge_id: '../users' },
          'authentication_challenge_id is malformed',
        ],
        [{ ...totp, code: 123456 }, 'code must be a single string'],
      ] as const) {
        expect(await authenticateRaw({ ...body, ...secret })).toEqual({
          status: 400,
          body: { error: 'invalid_request', error_description: message },
        });
      }
      await expect(withTotp(pending, challengeId, totp.code)).resolves.toBeDefined();
    });
  });

  describe('faults', () => {
    const once = () =>
      new WorkOS(emulator.apiKey, {
        apiHostname: '127.0.0.1',
        port: emulator.port,
        https: false,
        clientId: emulator.clientId,
        maxRetries: 0,
      });

    it('apply to both grants (authenticate) and to challenges (challenge)', async () => {
      const { pending, challengeId, factorId } = await bobsSecondStep();
      const sdk = once();
      emulator.setFaults({
        authenticate: { status: 503, times: 2 },
        challenge: { status: 502, times: 1 },
      });
      await expect(
        sdk.userManagement.authenticateWithPassword({
          clientId: emulator.clientId,
          email: 'alice@example.com',
          password: 'alice-password',
        }),
      ).rejects.toMatchObject({ name: 'GenericServerException', status: 503 });
      await expect(
        sdk.userManagement.authenticateWithTotp({
          clientId: emulator.clientId,
          pendingAuthenticationToken: pending,
          authenticationChallengeId: challengeId,
          code: totpAt(BOB_SECRET, emulator.now()),
        }),
      ).rejects.toMatchObject({ status: 503 });
      await expect(
        sdk.multiFactorAuth.challengeFactor({ authenticationFactorId: factorId }),
      ).rejects.toMatchObject({ status: 502 });
      expect(emulator.faults()).toEqual({});
      // The faults spent nothing: the step completes once WorkOS is back.
      await expect(
        withTotp(pending, challengeId, totpAt(BOB_SECRET, emulator.now())),
      ).resolves.toBeDefined();
    });

    it('refuses an unknown setting for the challenge target like any other', () => {
      expect(() => emulator.setFaults({ challenge: { status: 418 } } as never)).toThrow(
        'challenge.status must be one of 500, 502, 503, 504',
      );
      expect(emulator.faults()).toEqual({});
    });
  });

  it('logs no password, code or token', async () => {
    const { pending, challengeId } = await bobsSecondStep();
    const code = totpAt(BOB_SECRET, emulator.now());
    await withTotp(pending, challengeId, code);
    await refusal(withPassword('alice@example.com', 'not-alices-password'));
    const lines = log.join('\n');
    for (const secret of ['bob-password', 'not-alices-password', code, pending]) {
      expect(lines).not.toContain(secret);
    }
    expect(log).toContain('POST /user_management/authenticate 403');
  });

  it('answers unknown grants as before', async () => {
    const error = await refusal(
      workos.userManagement.authenticateWithMagicAuth({
        clientId: emulator.clientId,
        code: '123456',
        email: 'alice@example.com',
      }),
    );
    expect(error).toBeInstanceOf(OauthException);
    expect(error).toMatchObject({ status: 400, error: 'unsupported_grant_type' });
  });
});
