import { startAuthentication } from '@simplewebauthn/browser';
import {
  createReauthFetch,
  ReauthCancelledError,
  ReauthDeclinedError,
  ReauthLoopError,
  StepUpFailedError,
  type ReauthClientOptions,
  type ReauthInfo,
} from './index.js';
import {
  CODE,
  FakeWindow,
  fakeApp,
  ORIGIN,
  PASSKEY_METHOD,
  PASSWORD,
  PASSWORD_METHOD,
  PROVIDER_METHOD,
  REAUTH_URL,
  REQUEST_OPTIONS,
  TICKET,
} from './step-up.fake.js';

jest.mock('@simplewebauthn/browser', () => ({
  ...jest.requireActual<object>('@simplewebauthn/browser'),
  startAuthentication: jest.fn(),
}));
const passkeyPrompt = jest.mocked(startAuthentication);
const ASSERTION = { id: 'cred-1', rawId: 'cred-1', type: 'public-key', response: {} };

const ALL_METHODS = { ticket: TICKET, methods: [PASSKEY_METHOD, PASSWORD_METHOD, PROVIDER_METHOD] };

/** A browser with WebAuthn (`PublicKeyCredential` defined) for the length of each test. */
function withWebAuthn(): void {
  beforeEach(() => {
    Object.assign(globalThis, { PublicKeyCredential: class {} });
    passkeyPrompt.mockReset().mockResolvedValue(ASSERTION as never);
  });
  afterEach(() => {
    delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
  });
}

/** The fetch under test, for an app whose refusals offer `stepUp`; `confirm` is the user. */
function setup(
  stepUp: unknown,
  confirm: (info: ReauthInfo) => boolean | Promise<boolean>,
  extra: Partial<Parameters<typeof fakeApp>[0]> & ReauthClientOptions = {},
) {
  const { hasCode, confirmedOnce, answer, ...options } = extra;
  const app = fakeApp({ stepUp, hasCode, confirmedOnce, answer });
  const win = new FakeWindow();
  const asked: ReauthInfo[] = [];
  const api = createReauthFetch({
    window: win,
    fetch: app.fetch,
    onReauthRequired: (info) => {
      asked.push(info);
      return confirm(info);
    },
    ...options,
  });
  return { app, win, asked, api };
}

/** Fails the test if `info` has no way to confirm in the page; narrows it otherwise. */
function inPage(info: ReauthInfo) {
  if (!info.methods) throw new Error('expected ways to confirm in the page');
  return info;
}

const transfer = (api: ReturnType<typeof createReauthFetch>) =>
  api(`${ORIGIN}/api/transfers`, {
    method: 'POST',
    credentials: 'include',
    headers: {
      authorization: 'Bearer app-token',
      'x-csrf-token': 'csrf-1',
      'content-type': 'application/json',
    },
    body: '{"amount":5}',
  });

const failure = (reason: string, more: object = {}): unknown =>
  expect.objectContaining({ name: 'StepUpFailedError', code: 'step_up_failed', reason, ...more });

describe('createReauthFetch: confirming in the page', () => {
  withWebAuthn();
  // Only the popup's watch is faked: a popup a failing test leaves open cannot hold Jest.
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => jest.useRealTimers());

  it('offers the methods the server lists, provider last, with the functions to use them', async () => {
    const { api, asked } = setup(ALL_METHODS, () => false);
    await expect(transfer(api)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ url: REAUTH_URL, maxAge: 300, reason: 'stale' });
    expect(inPage(asked[0]).methods).toEqual(['passkey', 'password', 'provider']);
  });

  it('confirms with the password, then retries the request once with its body', async () => {
    const { api, app } = setup(ALL_METHODS, async (info) => {
      await expect(inPage(info).confirmWithPassword(PASSWORD)).resolves.toEqual({
        status: 'confirmed',
        method: 'password',
        amr: ['pwd'],
        at: 1,
        expiresAt: 301,
      });
      return new Promise<boolean>(() => undefined); // a dialog closing itself
    });
    const response = await transfer(api);
    expect(await response.json()).toEqual({ ok: true, path: '/api/transfers' });
    const calls = app.sent('/api/transfers');
    expect(calls).toHaveLength(2);
    expect(calls[1].body).toEqual({ amount: 5 });
    expect(app.sent(PASSWORD_METHOD.confirmUrl).map(({ body }) => body)).toEqual([
      { ticket: TICKET, password: PASSWORD },
    ]);
  });

  it('sends each confirmation as the request was sent: credentials, app headers, JSON', async () => {
    const { api, app } = setup(ALL_METHODS, async (info) => {
      await inPage(info).confirmWithPasskey();
      return true;
    });
    await transfer(api);
    const confirmations = [
      ...app.sent(PASSKEY_METHOD.optionsUrl),
      ...app.sent(PASSKEY_METHOD.confirmUrl),
    ];
    expect(confirmations).toHaveLength(2);
    for (const { method, credentials, headers, url } of confirmations) {
      expect({ method, credentials, origin: new URL(url).origin }).toEqual({
        method: 'POST',
        credentials: 'include',
        origin: ORIGIN,
      });
      expect(Object.fromEntries(headers)).toEqual({
        accept: 'application/json',
        authorization: 'Bearer app-token',
        'content-type': 'application/json',
        'x-csrf-token': 'csrf-1',
      });
    }
  });

  it('runs the passkey prompt with the server’s options and sends its answer with the ticket', async () => {
    const { api, app } = setup(ALL_METHODS, async (info) => {
      await expect(inPage(info).confirmWithPasskey()).resolves.toMatchObject({
        status: 'confirmed',
        method: 'passkey',
      });
      return true;
    });
    expect((await transfer(api)).status).toBe(200);
    expect(app.sent(PASSKEY_METHOD.optionsUrl).map(({ body }) => body)).toEqual([
      { ticket: TICKET },
    ]);
    expect(passkeyPrompt).toHaveBeenCalledTimes(1);
    expect(passkeyPrompt).toHaveBeenCalledWith({ optionsJSON: REQUEST_OPTIONS });
    expect(app.sent(PASSKEY_METHOD.confirmUrl).map(({ body }) => body)).toEqual([
      { ticket: TICKET, response: ASSERTION },
    ]);
  });

  it('asks for the code after the password, and sends only the code then', async () => {
    const { api, app } = setup(
      ALL_METHODS,
      async (info) => {
        const controls = inPage(info);
        await expect(controls.confirmWithPassword(PASSWORD)).resolves.toEqual({
          status: 'code_required',
          factor: 'totp',
        });
        await expect(controls.confirmWithPassword('', '000000')).rejects.toEqual(
          failure('invalid_code', { status: 400 }),
        );
        await controls.confirmWithPassword('', CODE);
        return true;
      },
      { hasCode: true },
    );
    expect((await transfer(api)).status).toBe(200);
    expect(app.sent(PASSWORD_METHOD.confirmUrl).map(({ body }) => body)).toEqual([
      { ticket: TICKET, password: PASSWORD },
      { ticket: TICKET, code: '000000' },
      { ticket: TICKET, code: CODE },
    ]);
  });

  it('given the code with the password, sends it as soon as it is asked for', async () => {
    const { api, app } = setup(
      ALL_METHODS,
      async (info) => {
        await inPage(info).confirmWithPassword(PASSWORD, CODE);
        return true;
      },
      { hasCode: true },
    );
    expect((await transfer(api)).status).toBe(200);
    expect(app.sent(PASSWORD_METHOD.confirmUrl)).toHaveLength(2);
  });

  it('rejects a wrong password with a typed error and lets the user try again', async () => {
    const { api, win } = setup(ALL_METHODS, async (info) => {
      const controls = inPage(info);
      const wrong = await controls.confirmWithPassword('nope').catch((error: unknown) => error);
      expect(wrong).toBeInstanceOf(StepUpFailedError);
      expect(wrong).toEqual(failure('invalid_credentials', { status: 400 }));
      await controls.confirmWithPassword(PASSWORD);
      return true;
    });
    expect((await transfer(api)).status).toBe(200);
    expect(win.popups).toHaveLength(0);
  });

  it.each([
    [429, 'too_many_attempts', { 'retry-after': '30' }, 30],
    [503, 'unavailable', { 'retry-after': '5' }, 5],
    [401, 'session_ended', {}, undefined],
    [403, 'forbidden', {}, undefined],
    [400, 'challenge_expired', {}, undefined],
    [400, 'passkey_not_verified', {}, undefined],
    [500, 'unexpected_response', {}, undefined],
  ])('turns a %i into the reason %s', async (status, reason, headers, retryAfter) => {
    const answer = (path: string) =>
      path === PASSWORD_METHOD.confirmUrl
        ? new Response(JSON.stringify({ statusCode: status, error: reason }), {
            status,
            headers: { 'content-type': 'application/json', ...headers },
          })
        : undefined;
    let seen: unknown;
    const { api } = setup(
      ALL_METHODS,
      async (info) => {
        seen = await inPage(info)
          .confirmWithPassword(PASSWORD)
          .catch((error: unknown) => error);
        return false;
      },
      { answer },
    );
    await expect(transfer(api)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(seen).toEqual(failure(reason, { status }));
    expect((seen as StepUpFailedError).retryAfter).toBe(retryAfter);
  });

  it('reports a dismissed passkey prompt as passkey_cancelled, with the browser’s error', async () => {
    const dismissed = new Error('The operation either timed out or was not allowed');
    passkeyPrompt.mockRejectedValueOnce(dismissed);
    let seen: unknown;
    const { api } = setup(ALL_METHODS, async (info) => {
      seen = await inPage(info)
        .confirmWithPasskey()
        .catch((error: unknown) => error);
      return false;
    });
    await expect(transfer(api)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(seen).toEqual(failure('passkey_cancelled'));
    expect((seen as Error).cause).toBe(dismissed);
  });

  it('refuses a method the server did not offer', async () => {
    let seen: unknown;
    const { api, app } = setup({ ticket: TICKET, methods: [PASSWORD_METHOD] }, async (info) => {
      expect(inPage(info).methods).toEqual(['password', 'provider']);
      seen = await inPage(info)
        .confirmWithPasskey()
        .catch((error: unknown) => error);
      return false;
    });
    await expect(transfer(api)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(seen).toEqual(failure('method_unavailable'));
    expect(app.sent(PASSKEY_METHOD.optionsUrl)).toHaveLength(0);
  });

  it('retries once: a retry refused again rejects with ReauthLoopError, never confirming twice', async () => {
    const { api, app, asked } = setup(
      ALL_METHODS,
      async (info) => {
        await inPage(info).confirmWithPassword(PASSWORD);
        return true;
      },
      { answer: (path) => (path.startsWith('/api/') ? refusedForever() : undefined) },
    );
    await expect(transfer(api)).rejects.toBeInstanceOf(ReauthLoopError);
    expect(app.sent('/api/transfers')).toHaveLength(2);
    expect(app.sent(PASSWORD_METHOD.confirmUrl)).toHaveLength(1);
    expect(asked).toHaveLength(1);
  });

  it('shares one confirmation among requests refused together, and retries each', async () => {
    const { api, app, asked } = setup(ALL_METHODS, async (info) => {
      await inPage(info).confirmWithPassword(PASSWORD);
      return true;
    });
    const responses = await Promise.all([1, 2, 3].map((n) => api(`${ORIGIN}/api/${n}`)));
    expect(responses.map(({ status }) => status)).toEqual([200, 200, 200]);
    expect(asked).toHaveLength(1);
    expect(app.sent(PASSWORD_METHOD.confirmUrl)).toHaveLength(1);
  });

  it('cancel() rejects every waiting request with ReauthCancelledError, with no popup', async () => {
    const { api, win } = setup(ALL_METHODS, (info) => {
      inPage(info).cancel();
      return true;
    });
    const results = await Promise.allSettled([transfer(api), api(`${ORIGIN}/api/2`)]);
    for (const result of results) {
      expect(result).toMatchObject({ status: 'rejected' });
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ReauthCancelledError);
    }
    expect(win.popups).toHaveLength(0);
  });

  it('useProvider() continues in the popup, as without stepUp', async () => {
    const { api, app, win } = setup(ALL_METHODS, (info) => {
      inPage(info).useProvider();
      return new Promise<boolean>(() => undefined);
    });
    const pending = transfer(api);
    await waitFor(() => win.popups.length === 1);
    expect(win.popups[0].url).toBe(REAUTH_URL);
    app.state.confirmed = true;
    win.reportOk();
    expect((await pending).status).toBe(200);
  });

  it('resolving true before any confirmation continues in the popup, as before', async () => {
    const { api, app, win } = setup(ALL_METHODS, () => true);
    const pending = transfer(api);
    await waitFor(() => win.popups.length === 1);
    app.state.confirmed = true;
    win.reportOk();
    expect((await pending).status).toBe(200);
    expect(app.state.seen.filter(({ url }) => url.includes('/auth/'))).toHaveLength(0);
  });

  it('refuses to confirm once the app answered for the provider', async () => {
    let controls: ReturnType<typeof inPage> | undefined;
    const { api, app, win } = setup(ALL_METHODS, (info) => {
      controls = inPage(info);
      return true;
    });
    const pending = transfer(api);
    await waitFor(() => win.popups.length === 1);
    await expect(controls?.confirmWithPassword(PASSWORD)).rejects.toEqual(failure('settled'));
    expect(app.sent(PASSWORD_METHOD.confirmUrl)).toHaveLength(0);
    app.state.confirmed = true;
    win.reportOk();
    expect((await pending).status).toBe(200);
  });

  it('ends the confirmation at its first decision: later calls are refused', async () => {
    let later: unknown;
    const { api } = setup(ALL_METHODS, async (info) => {
      const controls = inPage(info);
      await controls.confirmWithPassword(PASSWORD);
      later = await controls.confirmWithPassword(PASSWORD).catch((error: unknown) => error);
      controls.cancel();
      return false; // too late to decline
    });
    expect((await transfer(api)).status).toBe(200);
    expect(later).toEqual(failure('settled'));
  });

  it('reads stepUp from a GraphQL error’s extensions too', async () => {
    const graphql = new Response(
      JSON.stringify({
        data: null,
        errors: [
          {
            message: 'Re-authentication required',
            extensions: { code: 'REAUTH_REQUIRED', reauthUrl: REAUTH_URL, stepUp: ALL_METHODS },
          },
        ],
      }),
      {
        status: 200,
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
      },
    );
    const { api, asked } = setup(undefined, () => false, {
      answer: (path) => (path === '/graphql' ? graphql : undefined),
    });
    await expect(
      api(`${ORIGIN}/graphql`, { method: 'POST', body: '{"query":"{ secret }"}' }),
    ).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(asked[0]).toMatchObject({ graphql: true, methods: ['passkey', 'password', 'provider'] });
  });
});

function refusedForever(): Response {
  return new Response(
    JSON.stringify({
      error: 'reauth_required',
      reason: 'stale',
      reauthUrl: REAUTH_URL,
      stepUp: ALL_METHODS,
    }),
    { status: 401, headers: { 'content-type': 'application/json' } },
  );
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 1000) throw new Error('condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
