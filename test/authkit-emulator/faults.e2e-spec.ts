import { type AuthKitEmulator } from 'authkit-emulator';
import { GenericServerException, WorkOS } from '@workos-inc/node';
import { startEmulatorWithSdk } from '../support/emulator';

describe('AuthKit emulator: injected faults', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  const log: string[] = [];

  beforeEach(async () => {
    log.length = 0;
    ({ emulator, workos } = await startEmulatorWithSdk({ log: (line) => log.push(line) }));
  });
  afterEach(() => emulator.close());

  const jwksUrl = () => `${emulator.url}/sso/jwks/${emulator.clientId}`;
  const control = (method: 'GET' | 'POST', body?: unknown) =>
    fetch(`${emulator.url}/__emulator/faults`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** A code exchange through the SDK, as an app's callback makes it. */
  const exchange = async () =>
    workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code: await emulator.issueAuthorizationCode({ email: 'alice@example.com' }),
    });

  it('answers the calls of a target with the server error asked, as many times as asked', async () => {
    emulator.setFaults({ authenticate: { status: 503, times: 2 } });
    const authenticate = () =>
      fetch(`${emulator.url}/user_management/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'authorization_code',
          client_id: emulator.clientId,
          client_secret: emulator.apiKey,
          code: 'not-a-code',
        }),
      });
    for (let i = 0; i < 2; i++) {
      const res = await authenticate();
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        code: 'server_error',
        message: 'Injected fault: try again later.',
      });
    }
    // Spent: the call is the emulator's own again (a bad code), and the fault is gone.
    expect((await authenticate()).status).toBe(400);
    expect(emulator.faults()).toEqual({});
  });

  it('fails the SDK as WorkOS failing would: its server exception, and a retry that succeeds', async () => {
    // Without its retries (which back off for seconds), the SDK throws at the first 503...
    const once = new WorkOS(emulator.apiKey, {
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      clientId: emulator.clientId,
      maxRetries: 0,
    });
    emulator.setFaults({ authenticate: { status: 503 } });
    const code = await emulator.issueAuthorizationCode({ email: 'alice@example.com' });
    const error = await once.userManagement
      .authenticateWithCode({ clientId: emulator.clientId, code })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenericServerException);
    expect(error).toMatchObject({ status: 503 });
    expect(log.filter((line) => line === 'POST /user_management/authenticate 503')).toHaveLength(1);
    // ... and with them, a fault spent by its first answer is what WorkOS recovering looks like.
    emulator.setFaults({ authenticate: { status: 503, times: 1 } });
    await expect(exchange()).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('fails only the target named: the JWKS, and nothing else', async () => {
    emulator.setFaults({ jwks: { status: 500 } });
    expect((await fetch(jwksUrl())).status).toBe(500);
    expect((await fetch(jwksUrl())).status).toBe(500);
    await expect(exchange()).resolves.toBeDefined();
    emulator.setFaults({});
    expect((await fetch(jwksUrl())).status).toBe(200);
  });

  it('holds a delayed call while others are answered, then answers it', async () => {
    // Ordered, not timed: the delayed request is still pending when an undelayed one returns.
    emulator.setFaults({ jwks: { latencyMs: 60_000, times: 1 } });
    let delayedDone = false;
    const controller = new AbortController();
    const delayed = fetch(jwksUrl(), { signal: controller.signal }).then(
      () => (delayedDone = true),
      (error: unknown) => error,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect((await fetch(jwksUrl())).status).toBe(200);
    expect(delayedDone).toBe(false);
    controller.abort();
    expect(await delayed).toMatchObject({ name: 'AbortError' });
  });

  it('lets a hanging call hang until the client gives up', async () => {
    emulator.setFaults({ users: { hang: true } });
    const controller = new AbortController();
    const user = workos.userManagement.getUser('user_anything');
    const raw = fetch(`${emulator.url}/user_management/users/user_x`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      signal: controller.signal,
    }).catch((error: unknown) => error);
    // An unfaulted call is answered meanwhile.
    expect((await fetch(jwksUrl())).status).toBe(200);
    controller.abort();
    expect(await raw).toMatchObject({ name: 'AbortError' });
    // The SDK's call is still pending; closing the emulator drops it.
    await emulator.close();
    await expect(user).rejects.toBeDefined();
    ({ emulator, workos } = await startEmulatorWithSdk());
  });

  it('is set and read through the test control, and refuses bad input with a 422', async () => {
    const set = await control('POST', {
      revoke: { status: 502, times: 3 },
      jwks: { latencyMs: 5 },
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ revoke: { status: 502, times: 3 }, jwks: { latencyMs: 5 } });
    expect(await (await control('GET')).json()).toEqual(emulator.faults());

    const bad: unknown[] = [
      { database: { status: 500 } },
      { jwks: { status: 404 } },
      { jwks: { status: 503, hang: true } },
      { jwks: { latencyMs: -1 } },
      { jwks: { latencyMs: 60_001 } },
      { jwks: { times: 0 } },
      { jwks: { times: 1.5 } },
      { jwks: { hang: 'yes' } },
      { jwks: { slow: true } },
      { jwks: [] },
    ];
    for (const body of bad) {
      const res = await control('POST', body);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'invalid_request_parameters' });
    }
    expect((await control('POST', [])).status).toBe(400);
    // A refused change leaves the faults as they were.
    expect(emulator.faults()).toEqual({
      revoke: { status: 502, times: 3 },
      jwks: { latencyMs: 5 },
    });
    expect(() => emulator.setFaults({ jwks: { status: 404 } } as never)).toThrow(/status/);
  });
});
