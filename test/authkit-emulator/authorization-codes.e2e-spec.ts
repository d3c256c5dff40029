import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { OauthException, WorkOS } from '@workos-inc/node';
import { decodeJwt } from 'jose';
import { REDIRECT_URI, startEmulatorWithSdk } from '../support/emulator';

const FROZEN_MS = Date.UTC(2030, 0, 1, 12);
const OTHER_REDIRECT_URI = 'http://localhost:4000/auth/callback';
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13, 'x'.repeat(5000)];
const json = { 'content-type': 'application/json' };

describe('AuthKit emulator: POST /__emulator/authorization-codes', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;

  const post = (body: unknown, url = emulator.url) =>
    fetch(`${url}/__emulator/authorization-codes`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(body),
    });

  const issue = async (body: unknown): Promise<string> => {
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { code } = (await res.json()) as { code: string };
    return code;
  };

  const exchange = (code: string) =>
    workos.userManagement.authenticateWithCode({ clientId: emulator.clientId, code });

  const exchangeError = (code: string) =>
    exchange(code).then(
      () => undefined,
      (error: unknown) => error,
    );

  beforeEach(async () => {
    ({ emulator, workos } = await startEmulatorWithSdk({
      redirectUris: [REDIRECT_URI, OTHER_REDIRECT_URI],
      now: () => FROZEN_MS,
    }));
  });
  afterEach(() => emulator.close());

  it('signs the user in with the auth_time given, as the hosted pages would', async () => {
    const authTime = emulator.now() - 600;
    const code = await issue({ email: 'alice@example.com', authTime });
    expect(await (await post({ email: 'alice@example.com' })).json()).toEqual({
      code: expect.any(String),
    });

    const result = await exchange(code);
    expect(result.user.email).toBe('alice@example.com');
    expect(result.user.lastSignInAt).toBe('2030-01-01T12:00:00.000Z');
    expect(result.authenticationMethod).toBe('Password');
    const claims = decodeJwt(result.accessToken);
    expect(claims).toMatchObject({ sub: result.user.id, auth_time: authTime, iat: emulator.now() });

    emulator.advanceClock(60);
    const refreshed = await workos.userManagement.authenticateWithRefreshToken({
      clientId: emulator.clientId,
      refreshToken: result.refreshToken,
    });
    expect(decodeJwt(refreshed.accessToken)).toMatchObject({
      sid: claims.sid,
      auth_time: authTime,
    });
  });

  it('defaults auth_time to now by its clock, and a new session for every code', async () => {
    const first = decodeJwt(
      (await exchange(await issue({ email: 'bob@example.com' }))).accessToken,
    );
    const second = decodeJwt(
      (await exchange(await issue({ email: 'BOB@example.com' }))).accessToken,
    );
    expect(first.auth_time).toBe(emulator.now());
    expect(second.sid).not.toBe(first.sid);
  });

  it('signs an SSO user in by SSO', async () => {
    const result = await exchange(await issue({ email: 'carol@sso.example.com' }));
    expect(result.authenticationMethod).toBe('SSO');
  });

  it('makes a code that works once, and for 10 minutes only', async () => {
    const code = await issue({ email: 'alice@example.com' });
    await exchange(code);
    const reused = await exchangeError(code);
    expect(reused).toBeInstanceOf(OauthException);
    expect(reused).toMatchObject({ status: 400, error: 'invalid_grant' });

    const late = await issue({ email: 'alice@example.com' });
    const inTime = await issue({ email: 'alice@example.com' });
    emulator.advanceClock(599);
    await exchange(inTime);
    emulator.advanceClock(1);
    expect(await exchangeError(late)).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('makes a code for a confidential client: without the API key it is refused', async () => {
    const code = await issue({ email: 'alice@example.com' });
    const res = await fetch(`${emulator.url}/user_management/authenticate`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        client_id: emulator.clientId,
        grant_type: 'authorization_code',
        code,
      }),
    });
    expect(res.status).toBe(401);
  });

  it('makes codes through the API too, for any registered redirect URI', async () => {
    const authTime = emulator.now() - 30;
    const code = await emulator.issueAuthorizationCode({
      email: 'alice@example.com',
      authTime,
      redirectUri: OTHER_REDIRECT_URI,
    });
    expect(decodeJwt((await exchange(code)).accessToken).auth_time).toBe(authTime);
    await expect(
      emulator.issueAuthorizationCode({ email: 'nobody@example.com' }),
    ).rejects.toMatchObject({ status: 404, body: { code: 'entity_not_found' } });
    await expect(
      emulator.issueAuthorizationCode({ email: 'alice@example.com', authTime: -1 }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it.each(MALFORMED)('answers 422 for the email %p, 404 for an unknown one', async (email) => {
    const res = await post({ email });
    const expected =
      typeof email === 'string' && email.length < 100
        ? { status: 404, body: { code: 'entity_not_found', message: 'User not found.' } }
        : {
            status: 422,
            body: {
              code: 'invalid_request_parameters',
              message: 'email must be a string',
              errors: [{ field: 'email', code: 'invalid', message: 'email must be a string' }],
            },
          };
    expect({ status: res.status, body: await res.json() }).toEqual(expected);
  });

  it.each(MALFORMED)('answers 422 for the authTime %p', async (authTime) => {
    const res = await post({ email: 'alice@example.com', authTime });
    const message = 'authTime must be an integer from 0 to 99999999999';
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      code: 'invalid_request_parameters',
      message,
      errors: [{ field: 'authTime', code: 'invalid', message }],
    });
  });

  it.each([...MALFORMED, '', 'https://evil.example/cb', `${REDIRECT_URI}/`])(
    'answers 422 for the redirectUri %p',
    async (redirectUri) => {
      const res = await post({ email: 'alice@example.com', redirectUri });
      const message =
        typeof redirectUri === 'string' && redirectUri.length <= 2048
          ? 'redirectUri is not registered for the client'
          : 'redirectUri must be a string';
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({
        code: 'invalid_request_parameters',
        message,
        errors: [{ field: 'redirectUri', code: 'invalid', message }],
      });
    },
  );

  it.each([
    ['[]', json, 'The request body must be a JSON object.'],
    ['email=alice%40example.com', {}, 'The request body must be a JSON object.'],
    ['null', json, 'The request body could not be read.'],
    ['"alice@example.com"', json, 'The request body could not be read.'],
    ['{"email":', json, 'The request body could not be read.'],
  ])('answers 400 for the body %p', async (body, headers, message) => {
    const res = await fetch(`${emulator.url}/__emulator/authorization-codes`, {
      method: 'POST',
      headers,
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_request', message });
  });

  it('is not there without test controls', async () => {
    const plain = await startAuthKitEmulator({ port: 0 });
    try {
      const res = await post({ email: 'alice@example.com' }, plain.url);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        code: 'entity_not_found',
        message: 'Resource not found.',
      });
    } finally {
      await plain.close();
    }
  });
});
