import {
  createReauthFetch,
  PopupBlockedError,
  ReauthCancelledError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
  type ReauthClientOptions,
  type ReauthInfo,
  type ReauthWindow,
  type StepUpChallenge,
} from './index.js';

const ORIGIN = 'https://app.example';
const PAGE = `${ORIGIN}/spa`;
const REAUTH_URL = 'https://auth.example/authorize?max_age=300&state=s';
const STORAGE_KEY = 'nest-reauth:pending';
const TEN_MINUTES = 10 * 60 * 1000;

const STEP_UP_CHALLENGE = 'Bearer error="insufficient_user_authentication", max_age="300"';

function reauthResponse(
  body: object | null = { error: 'reauth_required', reason: 'stale', reauthUrl: REAUTH_URL },
  challenge = STEP_UP_CHALLENGE,
): Response {
  return new Response(body ? JSON.stringify(body) : null, {
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': challenge },
  });
}

/** A stand-in for the browser window: the popup, its messages, storage and navigation. */
class FakeWindow implements ReauthWindow {
  popups: { url: string; closed: boolean; close(): void }[] = [];
  blockPopups = false;
  assigned: string[] = [];
  replaced: { state: unknown; url: string }[] = [];
  private listeners = new Set<(event: MessageEvent) => void>();
  readonly storage = new Map<string, string>();
  location = {
    origin: ORIGIN,
    href: PAGE,
    assign: (url: string) => void this.assigned.push(url),
  };
  history = {
    state: { scroll: 120 } as unknown,
    replaceState: (state: unknown, _unused: string, url?: string | URL | null) => {
      this.replaced.push({ state, url: String(url) });
      this.location.href = new URL(String(url), this.location.href).href;
    },
  };
  sessionStorage = {
    getItem: (key: string) => this.storage.get(key) ?? null,
    setItem: (key: string, value: string) => void this.storage.set(key, value),
    removeItem: (key: string) => void this.storage.delete(key),
  };

  open(url: string) {
    if (this.blockPopups) return null;
    const popup = { url, closed: false, close: () => (popup.closed = true) };
    this.popups.push(popup);
    return popup;
  }
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.delete(listener);
  }
  post(data: unknown, from: { source?: unknown; origin?: string } = {}): void {
    const event = {
      data,
      source: from.source ?? this.popups.at(-1),
      origin: from.origin ?? ORIGIN,
    } as MessageEvent;
    for (const listener of [...this.listeners]) listener(event);
  }
  get listening(): number {
    return this.listeners.size;
  }
}

/** A server that is stale until a re-authentication completes. */
function staleServer() {
  const state = { stale: true, calls: [] as Request[] };
  const fetch = (input: RequestInfo | URL) => {
    const request = input as Request;
    state.calls.push(request);
    return Promise.resolve(
      state.stale ? reauthResponse() : new Response('{"ok":true}', { status: 200 }),
    );
  };
  return { state, fetch: fetch };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

interface PendingRecord {
  id: string;
  createdAt: number;
  request: { url: string; method: string; headers: [string, string][]; body?: string };
}

/** What the helper left in sessionStorage before leaving, if anything. */
function pendingRecord(win: FakeWindow): PendingRecord | undefined {
  const saved = win.storage.get(STORAGE_KEY);
  return saved === undefined ? undefined : (JSON.parse(saved) as PendingRecord);
}

/** The browser arrives back on the page as the server sends it after a re-authentication. */
function comeBack(win: FakeWindow, status: string, id = pendingRecord(win)?.id ?? ''): void {
  win.location.href = `${PAGE}?reauth=${status}&reauth_id=${id}`;
}

/** A response as `fetch` gives it after following redirects: its final URL set. */
function answeredFrom(url: string, response: Response): Response {
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

/** A helper whose `onReauthRequired` records what it is told, then answers `answer`. */
function askingApi(options: ReauthClientOptions & { answer?: boolean }) {
  const { answer = false, ...rest } = options;
  const asked: ReauthInfo[] = [];
  const api = createReauthFetch({
    onReauthRequired: (info) => {
      asked.push(info);
      return answer;
    },
    ...rest,
  });
  return { api, asked };
}

/** Fakes only the intervals (the popup's watch), so a popup never closed stops with its test. */
function fakeIntervalsInEachTest(): void {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => jest.useRealTimers());
}

describe('createReauthFetch', () => {
  let win: FakeWindow;

  beforeEach(() => {
    win = new FakeWindow();
  });
  fakeIntervalsInEachTest();

  /** A request to a server that asks for a re-authentication, left waiting on its popup. */
  async function waitingOnPopup() {
    const server = staleServer();
    const pending = createReauthFetch({ window: win, fetch: server.fetch })(`${ORIGIN}/api`);
    await tick();
    return { server, pending };
  }

  it('passes responses that do not ask for re-authentication through untouched', async () => {
    const ok = new Response('x', { status: 200 });
    const unauthorized = new Response('{"error":"nope"}', {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
    for (const response of [ok, unauthorized]) {
      const api = createReauthFetch({ window: win, fetch: () => Promise.resolve(response) });
      expect(await api(`${ORIGIN}/api`)).toBe(response);
    }
    expect(win.popups).toHaveLength(0);
  });

  it('re-authenticates in a popup, then retries the request once with its body', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = api(`${ORIGIN}/api/transfers`, { method: 'POST', body: '{"amount":5}' });
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([REAUTH_URL]);
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' });
    const response = await pending;
    expect(response.status).toBe(200);
    expect(server.state.calls).toHaveLength(2);
    expect(await server.state.calls[1].text()).toBe('{"amount":5}');
    expect(server.state.calls[0].headers.get('x-reauth-mode')).toBe('popup');
    expect(win.listening).toBe(0);
  });

  it('shares one popup among requests that fail together', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const all = Promise.all([1, 2, 3].map((n) => api(`${ORIGIN}/api/${n}`)));
    await tick();
    expect(win.popups).toHaveLength(1);
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await all).map((res) => res.status)).toEqual([200, 200, 200]);
  });

  it('rejects with ReauthLoopError when the retry asks again, after one popup only', async () => {
    const { server, pending } = await waitingOnPopup();
    win.post({ type: 'nest-reauth', status: 'ok' });
    await expect(pending).rejects.toBeInstanceOf(ReauthLoopError);
    expect(win.popups).toHaveLength(1);
    expect(server.state.calls).toHaveLength(2);
  });

  it('ignores messages from other origins or windows', async () => {
    const { server, pending } = await waitingOnPopup();
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' }, { origin: 'https://evil.example' });
    win.post({ type: 'nest-reauth', status: 'ok' }, { source: {} });
    win.post({ status: 'ok' });
    expect(server.state.calls).toHaveLength(1);
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await pending).status).toBe(200);
  });

  it('rejects with ReauthCancelledError when the user closes the popup', async () => {
    const { server, pending } = await waitingOnPopup();
    win.popups[0].closed = true;
    jest.advanceTimersByTime(400);
    await tick();
    jest.advanceTimersByTime(400);
    await expect(pending).rejects.toBeInstanceOf(ReauthCancelledError);
    expect(server.state.calls).toHaveLength(1);
  });

  it('still accepts the message of a popup that closed itself right after posting it', async () => {
    const { server, pending } = await waitingOnPopup();
    win.popups[0].closed = true;
    jest.advanceTimersByTime(400);
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await pending).status).toBe(200);
  });

  it.each([
    [{ type: 'nest-reauth', status: 'cancelled' }, ReauthCancelledError],
    [{ type: 'nest-reauth', status: 'failed', code: 'user_mismatch' }, ReauthFailedError],
  ])('rejects when the popup reports %p', async (message, error) => {
    const { pending } = await waitingOnPopup();
    win.post(message);
    await expect(pending).rejects.toBeInstanceOf(error);
  });

  it('asks the app first, and rejects with ReauthDeclinedError when it says no', async () => {
    const { api, asked } = askingApi({ window: win, fetch: staleServer().fetch });
    await expect(api(`${ORIGIN}/api`)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(asked.map(({ url, maxAge, reason }) => ({ url, maxAge, reason }))).toEqual([
      { url: REAUTH_URL, maxAge: 300, reason: 'stale' },
    ]);
    expect(win.popups).toHaveLength(0);
  });

  /** The `ReauthInfo` the app is asked with for a single response. */
  async function infoFor(response: Response): Promise<ReauthInfo> {
    const { api, asked } = askingApi({ window: win, fetch: () => Promise.resolve(response) });
    await expect(api(`${ORIGIN}/api`)).rejects.toBeInstanceOf(ReauthDeclinedError);
    return asked[0];
  }

  it.each([
    // RFC 6750: a request without credentials gets a challenge without error, so no max_age.
    ['unauthenticated', 'Bearer'],
    [
      'invalid_token',
      'Bearer error="invalid_token", error_description="The access token is invalid"',
    ],
  ])(
    'gives the body’s maxAge when the reason is %s, whose challenge carries none',
    async (reason, challenge) => {
      const info = await infoFor(
        reauthResponse(
          { error: 'reauth_required', reason, maxAge: 300, reauthUrl: REAUTH_URL },
          challenge,
        ),
      );
      expect(info).toMatchObject({ url: REAUTH_URL, maxAge: 300, reason });
      expect(info.challenge).toBeUndefined();
    },
  );

  it('prefers the challenge’s max_age to the body’s', async () => {
    const info = await infoFor(
      reauthResponse({
        error: 'reauth_required',
        reason: 'stale',
        maxAge: 60,
        reauthUrl: REAUTH_URL,
      }),
    );
    expect(info.maxAge).toBe(300);
  });

  it.each([-1, null, '300', [], {}, true, 1.5, Number.NaN])(
    'leaves out a body maxAge of %p',
    async (maxAge) => {
      const info = await infoFor(
        reauthResponse(
          { error: 'reauth_required', reason: 'unauthenticated', maxAge, reauthUrl: REAUTH_URL },
          'Bearer',
        ),
      );
      expect(info.maxAge).toBeUndefined();
    },
  );

  it('passes on the summary of the action a bound route confirms', async () => {
    const info = await infoFor(
      reauthResponse({
        error: 'reauth_required',
        reason: 'stale',
        reauthUrl: REAUTH_URL,
        actionSummary: 'Transfer 50 EUR to <img src=x onerror=alert(1)>',
      }),
    );
    expect(info.actionSummary).toBe('Transfer 50 EUR to <img src=x onerror=alert(1)>');
  });

  it.each([null, '', '   ', 'x'.repeat(201), 42, ['Transfer'], { text: 'Transfer' }, true])(
    'leaves out an actionSummary of %p',
    async (actionSummary) => {
      const info = await infoFor(
        reauthResponse({ error: 'reauth_required', reauthUrl: REAUTH_URL, actionSummary }),
      );
      expect(info).not.toHaveProperty('actionSummary');
    },
  );

  it('takes no actionSummary from the body of a server that is not ours', async () => {
    const info = await infoFor(
      reauthResponse({ reauthUrl: REAUTH_URL, actionSummary: 'Transfer 50 EUR to Bob' }),
    );
    expect(info).not.toHaveProperty('actionSummary');
  });

  it('takes no maxAge from the body of a server that is not ours', async () => {
    const info = await infoFor(
      reauthResponse(
        { maxAge: 300, reauthUrl: REAUTH_URL },
        'Bearer error="insufficient_user_authentication"',
      ),
    );
    expect(info.url).toBe(REAUTH_URL);
    expect(info.maxAge).toBeUndefined();
  });

  it('falls back to a redirect when the popup is blocked, or rejects if told to', async () => {
    win.blockPopups = true;
    void createReauthFetch({ window: win, fetch: staleServer().fetch })(`${ORIGIN}/api`);
    await tick();
    await tick();
    expect(win.assigned).toEqual([REAUTH_URL]);
    const strict = createReauthFetch({
      window: win,
      fetch: staleServer().fetch,
      popupFallback: 'reject',
    });
    await expect(strict(`${ORIGIN}/api`)).rejects.toBeInstanceOf(PopupBlockedError);
  });

  it('in redirect mode records a GET for replay, but a POST only when the app says so', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch, mode: 'redirect' });
    void api(`${ORIGIN}/api/report`);
    await tick();
    await tick();
    expect(win.assigned).toEqual([REAUTH_URL]);
    expect(server.state.calls[0].headers.get('x-reauth-mode')).toBeNull();
    server.state.stale = false;
    comeBack(win, 'ok');
    expect((await api.resumePending())?.status).toBe(200);
    expect(server.state.calls.at(-1)?.url).toBe(`${ORIGIN}/api/report`);
    expect(await api.resumePending()).toBeUndefined();

    server.state.stale = true;
    void api(`${ORIGIN}/api/transfers`, { method: 'POST', body: 'x' });
    await tick();
    await tick();
    expect(pendingRecord(win)).toBeUndefined();

    const explicit = createReauthFetch({
      window: win,
      fetch: server.fetch,
      mode: 'redirect',
      replayAfterRedirect: true,
    });
    void explicit(`${ORIGIN}/api/transfers`, { method: 'POST', body: '{"amount":1}' });
    await tick();
    await tick();
    server.state.stale = false;
    comeBack(win, 'ok');
    expect((await explicit.resumePending())?.status).toBe(200);
    const replayed = server.state.calls.at(-1)!;
    expect(replayed.method).toBe('POST');
    expect(await replayed.text()).toBe('{"amount":1}');
  });

  it('uses the reauthUrl option for a server that only sends the RFC 9470 challenge', async () => {
    const bare = () => Promise.resolve(reauthResponse(null));
    await expect(
      createReauthFetch({ window: win, fetch: bare })(`${ORIGIN}/api`),
    ).rejects.toBeInstanceOf(ReauthUrlMissingError);
    const api = createReauthFetch({
      window: win,
      fetch: bare,
      reauthUrl: (_response, challenge) =>
        `https://idp.example/authorize?max_age=${challenge?.maxAge}`,
    });
    void api(`${ORIGIN}/api`);
    await tick();
    expect(win.popups.at(-1)?.url).toBe('https://idp.example/authorize?max_age=300');
  });
});

describe('createReauthFetch: step-up by assurance level (acr_values)', () => {
  const ACR_CHALLENGE =
    'Bearer error="insufficient_user_authentication", error_description="A stronger sign-in is required", acr_values="urn:a urn:b"';
  const ACR_REAUTH_URL = 'https://auth.example/authorize?acr_values=urn%3Amfa&state=s';
  let win: FakeWindow;

  beforeEach(() => {
    win = new FakeWindow();
  });
  fakeIntervalsInEachTest();

  /** What `onReauthRequired` was told, for one response that asks for re-authentication. */
  async function infoFor(
    response: () => Response,
    extra: ReauthClientOptions = {},
  ): Promise<ReauthInfo> {
    const { api, asked } = askingApi({
      window: win,
      fetch: () => Promise.resolve(response()),
      ...extra,
    });
    await expect(api(`${ORIGIN}/api`)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(asked).toHaveLength(1);
    return asked[0];
  }

  it('gives onReauthRequired the acrValues of the JSON body, before those of the challenge', async () => {
    const info = await infoFor(() =>
      reauthResponse(
        {
          error: 'reauth_required',
          reason: 'insufficient_assurance',
          acrValues: ['urn:mfa', 'urn:phr'],
          reauthUrl: ACR_REAUTH_URL,
        },
        ACR_CHALLENGE,
      ),
    );
    expect(info).toMatchObject({
      url: ACR_REAUTH_URL,
      reason: 'insufficient_assurance',
      acrValues: ['urn:mfa', 'urn:phr'],
      challenge: { acrValues: ['urn:a', 'urn:b'] },
    });
    expect(info.maxAge).toBeUndefined();
  });

  it('gives both maxAge and acrValues when the server asks for both', async () => {
    const info = await infoFor(() =>
      reauthResponse(
        {
          error: 'reauth_required',
          reason: 'stale',
          maxAge: 300,
          acrValues: ['urn:mfa'],
          reauthUrl: REAUTH_URL,
        },
        'Bearer error="insufficient_user_authentication", max_age="300", acr_values="urn:mfa"',
      ),
    );
    expect(info).toMatchObject({ maxAge: 300, acrValues: ['urn:mfa'], reason: 'stale' });
  });

  it('gives the challenge’s acr_values to the reauthUrl option and to onReauthRequired', async () => {
    const seen: (StepUpChallenge | undefined)[] = [];
    const info = await infoFor(() => reauthResponse(null, ACR_CHALLENGE), {
      reauthUrl: (_response, challenge) => {
        seen.push(challenge);
        return `https://idp.example/authorize?acr_values=${encodeURIComponent(challenge?.acrValues?.join(' ') ?? '')}`;
      },
    });
    expect(seen).toEqual([
      { acrValues: ['urn:a', 'urn:b'], errorDescription: 'A stronger sign-in is required' },
    ]);
    expect(info.url).toBe('https://idp.example/authorize?acr_values=urn%3Aa%20urn%3Ab');
    expect(info.acrValues).toEqual(['urn:a', 'urn:b']);
    expect(info.reason).toBeUndefined();
  });

  it.each([
    ['a string', 'urn:mfa'],
    ['an object', { 0: 'urn:mfa' }],
    ['null', null],
    ['an empty array', []],
    ['a number among them', ['urn:mfa', 2]],
    ['an empty string among them', ['urn:mfa', '']],
    ['more than 10 of them', Array.from({ length: 11 }, (_, i) => `urn:acr:${i}`)],
    ['one longer than 200 characters', ['urn:mfa', `urn:${'x'.repeat(197)}`]],
  ])('ignores acrValues in the body that are %s', async (_case, acrValues) => {
    const body = { error: 'reauth_required', reason: 'insufficient_assurance', acrValues };
    const fromChallenge = await infoFor(() =>
      reauthResponse({ ...body, reauthUrl: REAUTH_URL }, ACR_CHALLENGE),
    );
    expect(fromChallenge.acrValues).toEqual(['urn:a', 'urn:b']);
    const none = await infoFor(() => reauthResponse({ ...body, reauthUrl: REAUTH_URL }));
    expect(none.acrValues).toBeUndefined();
    expect(none).toMatchObject({ url: REAUTH_URL, maxAge: 300, reason: 'insufficient_assurance' });
  });

  it('accepts 10 acrValues of 200 characters', async () => {
    const acrValues = Array.from({ length: 10 }, (_, i) => `urn:${i}:${'x'.repeat(194)}`);
    expect(acrValues.every((value) => value.length === 200)).toBe(true);
    const info = await infoFor(() =>
      reauthResponse({ error: 'reauth_required', acrValues, reauthUrl: REAUTH_URL }),
    );
    expect(info.acrValues).toEqual(acrValues);
  });

  it('re-authenticates on insufficient_assurance as on stale, then retries once', async () => {
    let strong = false;
    const calls: Request[] = [];
    const fetch = (input: RequestInfo | URL) => {
      calls.push(input as Request);
      return Promise.resolve(
        strong
          ? new Response('{"ok":true}', { status: 200 })
          : reauthResponse(
              {
                error: 'reauth_required',
                reason: 'insufficient_assurance',
                acrValues: ['urn:mfa'],
                reauthUrl: ACR_REAUTH_URL,
              },
              ACR_CHALLENGE,
            ),
      );
    };
    const { api, asked } = askingApi({ window: win, fetch, answer: true });
    const pending = api(`${ORIGIN}/api/transfers`, { method: 'POST', body: '{"amount":5}' });
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([ACR_REAUTH_URL]);
    expect(asked.map(({ reason, acrValues }) => ({ reason, acrValues }))).toEqual([
      { reason: 'insufficient_assurance', acrValues: ['urn:mfa'] },
    ]);
    strong = true;
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await pending).status).toBe(200);
    expect(calls).toHaveLength(2);
    expect(await calls[1].text()).toBe('{"amount":5}');
  });

  it('treats a challenge with only acr_values as a step-up response, and never loops on it', async () => {
    const fetch = () => Promise.resolve(reauthResponse(null, ACR_CHALLENGE));
    const api = createReauthFetch({
      window: win,
      fetch,
      reauthUrl: () => 'https://idp.example/authorize',
    });
    const pending = api(`${ORIGIN}/api`);
    await tick();
    expect(win.popups).toHaveLength(1);
    win.post({ type: 'nest-reauth', status: 'ok' });
    await expect(pending).rejects.toBeInstanceOf(ReauthLoopError);
    expect(win.popups).toHaveLength(1);
  });

  it('passes any other reason on as it is', async () => {
    const info = await infoFor(() =>
      reauthResponse({ error: 'reauth_required', reason: 'something_new', reauthUrl: REAUTH_URL }),
    );
    expect(info.reason).toBe('something_new');
  });
});

describe('createReauthFetch in redirect mode: what is recorded, and when it is replayed', () => {
  let win: FakeWindow;
  let server: ReturnType<typeof staleServer>;
  let clock: number;

  const redirectApi = (extra: ReauthClientOptions = {}) =>
    createReauthFetch({
      window: win,
      fetch: server.fetch,
      mode: 'redirect',
      now: () => clock,
      ...extra,
    });

  /** Calls through the helper until the page would leave for the re-authentication. */
  async function leaveFor(api: ReturnType<typeof createReauthFetch>, url = `${ORIGIN}/api/report`) {
    void api(url);
    await tick();
    await tick();
  }

  /**
   * Leaves for a re-authentication, with the request recorded, and has the server stop asking for
   * one; resolves to the helper and the record's id.
   */
  async function leftWithRecord() {
    const api = redirectApi();
    await leaveFor(api);
    server.state.stale = false;
    return { api, id: pendingRecord(win)!.id };
  }

  beforeEach(() => {
    win = new FakeWindow();
    server = staleServer();
    clock = 1_767_225_600_000;
  });

  it('sends a fresh X-Reauth-Id with each same-origin request, and records it before leaving', async () => {
    server.state.stale = false;
    const api = redirectApi();
    await api(`${ORIGIN}/api/a`);
    await api(`${ORIGIN}/api/a`);
    const ids = server.state.calls.map((call) => call.headers.get('x-reauth-id'));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(2);

    server.state.stale = true;
    await leaveFor(api, `${ORIGIN}/api/report?page=2`);
    expect(win.assigned).toEqual([REAUTH_URL]);
    const record = pendingRecord(win);
    expect(record).toEqual({
      id: server.state.calls.at(-1)?.headers.get('x-reauth-id'),
      createdAt: clock,
      request: { url: `${ORIGIN}/api/report?page=2`, method: 'GET', headers: [] },
    });
  });

  it('sends no X-Reauth-Id cross-origin or in popup mode, and records no cross-origin request', async () => {
    server.state.stale = false;
    await redirectApi()('https://api.other.example/a');
    await createReauthFetch({ window: win, fetch: server.fetch })(`${ORIGIN}/api/a`);
    expect(server.state.calls.map((call) => call.headers.get('x-reauth-id'))).toEqual([null, null]);

    server.state.stale = true;
    await leaveFor(
      redirectApi({ authorizationOrigins: ['https://auth.example'] }),
      'https://api.other.example/report',
    );
    expect(win.assigned).toEqual([REAUTH_URL]);
    expect(pendingRecord(win)).toBeUndefined();
  });

  it('replays the request once, on the return that reports success for its id', async () => {
    const { api, id } = await leftWithRecord();
    clock += TEN_MINUTES - 1;
    win.location.href = `${PAGE}?tab=a%20b&reauth=ok&x=1&reauth_id=${id}#top`;
    const resumed = await api.resumePending();
    expect(resumed?.status).toBe(200);
    expect(server.state.calls).toHaveLength(2);
    expect(server.state.calls[1].url).toBe(`${ORIGIN}/api/report`);
    expect(server.state.calls[1].headers.get('x-reauth-id')).not.toBe(id);
    expect(win.replaced).toEqual([{ state: { scroll: 120 }, url: '/spa?tab=a%20b&x=1#top' }]);
    expect(pendingRecord(win)).toBeUndefined();

    win.location.href = `${PAGE}?reauth=ok&reauth_id=${id}`;
    expect(await api.resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(2);
  });

  it.each([
    ['a cancelled re-authentication', (id: string) => `reauth=cancelled&reauth_id=${id}`],
    ['a failed re-authentication', (id: string) => `reauth=failed&reauth_id=${id}`],
    ['success for another id', () => 'reauth=ok&reauth_id=AAAAAAAAAAAAAAAAAAAAAA'],
    ['success without an id', () => 'reauth=ok'],
    ['an id without a status', (id: string) => `reauth_id=${id}`],
    ['two ids', (id: string) => `reauth=ok&reauth_id=${id}&reauth_id=AAAAAAAAAAAAAAAAAAAAAA`],
    ['two statuses', (id: string) => `reauth=failed&reauth=ok&reauth_id=${id}`],
  ])('discards the record without replaying on %s', async (_case, query) => {
    const { api, id } = await leftWithRecord();
    win.location.href = `${PAGE}?${query(id)}`;
    expect(await api.resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(1);
    expect(pendingRecord(win)).toBeUndefined();
    expect(win.replaced.map((entry) => entry.url)).toEqual(['/spa']);

    comeBack(win, 'ok', id);
    expect(await api.resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(1);
  });

  it('discards the record on a later page load that is not the return from its re-authentication', async () => {
    const { api, id } = await leftWithRecord();
    expect(await api.resumePending()).toBeUndefined();
    expect(pendingRecord(win)).toBeUndefined();
    expect(win.replaced).toEqual([]);
    comeBack(win, 'ok', id);
    expect(await api.resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(1);
  });

  it.each([
    ['10 minutes old or older, even on a successful return', TEN_MINUTES],
    ['dated in the future', -1],
  ])('discards a record %s', async (_case, elapsed) => {
    const { api } = await leftWithRecord();
    clock += elapsed;
    comeBack(win, 'ok');
    expect(await api.resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(1);
    expect(pendingRecord(win)).toBeUndefined();
    expect(win.replaced.map((entry) => entry.url)).toEqual(['/spa']);
  });

  it.each([
    [
      'a record without an id (an older version)',
      { url: `${ORIGIN}/api/report`, method: 'GET', headers: [] },
    ],
    [
      'a record for another origin',
      {
        id: 'AAAAAAAAAAAAAAAAAAAAAA',
        createdAt: 0,
        request: { url: 'https://evil.example/x', method: 'GET', headers: [] },
      },
    ],
    ['a malformed record', 'not json'],
    [
      'a record with a malformed request',
      { id: 'AAAAAAAAAAAAAAAAAAAAAA', createdAt: 0, request: { url: 1 } },
    ],
  ])('never replays %s', async (_case, record) => {
    clock = 0;
    win.storage.set(STORAGE_KEY, typeof record === 'string' ? record : JSON.stringify(record));
    comeBack(win, 'ok', 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(await redirectApi().resumePending()).toBeUndefined();
    expect(server.state.calls).toHaveLength(0);
    expect(pendingRecord(win)).toBeUndefined();
  });

  it('cleans reauth and reauth_id from the address bar, keeping the rest, with nothing recorded', async () => {
    win.location.href = `${PAGE}?tab=a%20b&reauth=cancelled&q=x+y&reauth_id=abc#frag`;
    expect(await redirectApi().resumePending()).toBeUndefined();
    expect(win.replaced).toEqual([{ state: { scroll: 120 }, url: '/spa?tab=a%20b&q=x+y#frag' }]);
    win.location.href = `${PAGE}?reauthentication=1`;
    expect(await redirectApi().resumePending()).toBeUndefined();
    expect(win.replaced).toHaveLength(1);
  });

  it('rejects with ReauthLoopError when the replay asks again, instead of leaving again', async () => {
    const api = redirectApi();
    await leaveFor(api);
    comeBack(win, 'ok');
    await expect(api.resumePending()).rejects.toBeInstanceOf(ReauthLoopError);
    expect(win.assigned).toEqual([REAUTH_URL]);
    expect(pendingRecord(win)).toBeUndefined();
  });
});

describe('createReauthFetch: where a reauthUrl may send the user', () => {
  let win: FakeWindow;

  beforeEach(() => {
    win = new FakeWindow();
  });
  fakeIntervalsInEachTest();

  it.each(['popup', 'redirect'] as const)(
    'in %s mode, refuses a reauthUrl from a cross-origin API: no popup, no navigation',
    async (mode) => {
      const { api, asked } = askingApi({
        window: win,
        mode,
        fetch: () => Promise.resolve(reauthResponse()),
        answer: true,
      });
      const refused = api('https://api.other.example/transfers');
      await expect(refused).rejects.toBeInstanceOf(ReauthUrlRejectedError);
      await expect(refused).rejects.toMatchObject({
        code: 'reauth_url_rejected',
        name: 'ReauthUrlRejectedError',
      });
      expect(win.popups).toHaveLength(0);
      expect(win.assigned).toHaveLength(0);
      expect(asked).toHaveLength(0);
      expect(pendingRecord(win)).toBeUndefined();
    },
  );

  it('refuses it when a same-origin request was redirected to another origin', async () => {
    const api = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(answeredFrom('https://evil.example/x', reauthResponse())),
    });
    await expect(api(`${ORIGIN}/api`)).rejects.toBeInstanceOf(ReauthUrlRejectedError);
    expect(win.popups).toHaveLength(0);
  });

  it('follows it from a same-origin response, whatever its origin', async () => {
    const api = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(answeredFrom(`${ORIGIN}/api`, reauthResponse())),
    });
    void api(`${ORIGIN}/api`);
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([REAUTH_URL]);
  });

  it('follows it from a cross-origin response when its origin is in authorizationOrigins', async () => {
    const fetch = () =>
      Promise.resolve(answeredFrom('https://api.other.example/x', reauthResponse()));
    const listed = createReauthFetch({
      window: win,
      fetch,
      authorizationOrigins: ['https://idp.example', 'https://auth.example'],
    });
    void listed('https://api.other.example/x');
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([REAUTH_URL]);

    const other = createReauthFetch({
      window: win,
      fetch,
      authorizationOrigins: ['https://auth.example:8443', 'http://auth.example', ORIGIN],
    });
    await expect(other('https://api.other.example/x')).rejects.toBeInstanceOf(
      ReauthUrlRejectedError,
    );
    expect(win.popups).toHaveLength(1);
  });

  it.each([-1, null, '1', {}, true, 1.5, 1e13, 'https://auth.example'])(
    'refuses authorizationOrigins %p at creation',
    (value) => {
      expect(() =>
        createReauthFetch({ window: win, authorizationOrigins: value as never }),
      ).toThrow(
        new TypeError(
          'createReauthFetch: authorizationOrigins must be an array of origins such as "https://auth.example"',
        ),
      );
    },
  );

  it.each([
    [-1, '-1'],
    [null, 'null'],
    [[], 'an array'],
    [{}, 'an object'],
    [true, 'true'],
    [1e13, '10000000000000'],
    ['', '""'],
    ['1', '"1"'],
    ['auth.example', '"auth.example"'],
    ['https://auth.example/', '"https://auth.example/"'],
    ['https://auth.example/authorize', '"https://auth.example/authorize"'],
    ['https://AUTH.example', '"https://AUTH.example"'],
    ['https://auth.example:443', '"https://auth.example:443"'],
    ['https://user@auth.example', '"https://user@auth.example"'],
    ['https://auth.example?x', '"https://auth.example?x"'],
    ['ftp://auth.example', '"ftp://auth.example"'],
    ['javascript:alert(1)', '"javascript:alert(1)"'],
    ['null', '"null"'],
    ['*', '"*"'],
  ])('refuses the origin %p at creation', (origin, shown) => {
    expect(() =>
      createReauthFetch({
        window: win,
        authorizationOrigins: ['https://ok.example', origin as never],
      }),
    ).toThrow(
      new TypeError(
        `createReauthFetch: authorizationOrigins[1] must be an origin such as "https://auth.example", got ${shown}`,
      ),
    );
  });

  it('accepts exact http(s) origins, or none', () => {
    for (const authorizationOrigins of [
      [],
      ['https://auth.example', 'http://127.0.0.1:8787', 'http://[::1]:8787'],
    ]) {
      expect(() => createReauthFetch({ window: win, authorizationOrigins })).not.toThrow();
    }
  });
});

describe('createReauthFetch: GraphQL errors that ask for re-authentication', () => {
  const GRAPHQL_URL = `${ORIGIN}/graphql`;
  const OPERATION = { query: 'mutation { changeEmail(email: "new@example.com") }' };
  let win: FakeWindow;

  beforeEach(() => {
    win = new FakeWindow();
  });
  fakeIntervalsInEachTest();

  const refusal = (extensions: Record<string, unknown> = {}, path = ['changeEmail']) => ({
    message: 'More recent authentication is required.',
    path,
    extensions: {
      code: 'REAUTH_REQUIRED',
      reason: 'stale',
      maxAge: 300,
      reauthUrl: REAUTH_URL,
      ...extensions,
    },
  });

  /** A GraphQL answer as `nest-workos-reauth` sends it: 200, the challenge, `errors`. */
  function graphqlResponse(
    body: unknown = { data: { changeEmail: null }, errors: [refusal()] },
    init: { status?: number; headers?: Record<string, string> } = {},
  ): Response {
    return new Response(JSON.stringify(body), {
      status: init.status ?? 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'www-authenticate': STEP_UP_CHALLENGE,
        ...init.headers,
      },
    });
  }

  /** A GraphQL API whose guarded field is refused until a re-authentication completes. */
  function staleGraphQL(refused: () => Response = () => graphqlResponse()) {
    const state = { stale: true, calls: [] as Request[] };
    const fetch = (input: RequestInfo | URL) => {
      state.calls.push(input as Request);
      return Promise.resolve(
        state.stale
          ? refused()
          : new Response('{"data":{"changeEmail":"done"}}', {
              status: 200,
              headers: { 'content-type': 'application/json' },
            }),
      );
    };
    return { state, fetch };
  }

  const post = (api: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) =>
    api(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OPERATION),
    });

  /**
   * Sends through the helper to an API that refuses with `body` (`undefined`: the default refusal)
   * until a re-authentication, and completes the one popup it opens; resolves to the answer and the
   * calls.
   */
  async function reauthenticated(
    body: unknown,
    send: (api: ReturnType<typeof createReauthFetch>) => Promise<Response>,
  ) {
    const server = staleGraphQL(() => graphqlResponse(body));
    const pending = send(createReauthFetch({ window: win, fetch: server.fetch }));
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([REAUTH_URL]);
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' });
    return { response: await pending, calls: server.state.calls };
  }

  /** What `onReauthRequired` is told for one response, or `undefined` when it is not asked. */
  async function infoFor(
    response: () => Response,
    extra: ReauthClientOptions = {},
  ): Promise<ReauthInfo | undefined> {
    const { api, asked } = askingApi({
      window: win,
      fetch: () => Promise.resolve(response()),
      ...extra,
    });
    try {
      await post(api);
    } catch (error) {
      expect(error).toBeInstanceOf(ReauthDeclinedError);
    }
    return asked[0];
  }

  it('re-authenticates on a 200 with a REAUTH_REQUIRED error, then retries the operation once', async () => {
    const { response, calls } = await reauthenticated(undefined, post);
    expect(await response.json()).toEqual({ data: { changeEmail: 'done' } });
    expect(calls).toHaveLength(2);
    expect(calls[0].headers.get('x-reauth-mode')).toBe('popup');
    expect(await calls[1].json()).toEqual(OPERATION);
  });

  it('tells onReauthRequired what the error says, flagged as GraphQL', async () => {
    const info = await infoFor(() =>
      graphqlResponse({
        data: null,
        errors: [refusal({ reason: 'insufficient_assurance', acrValues: ['urn:mfa'] })],
      }),
    );
    expect(info).toMatchObject({
      url: REAUTH_URL,
      maxAge: 300,
      reason: 'insufficient_assurance',
      acrValues: ['urn:mfa'],
      graphql: true,
      challenge: { maxAge: 300 },
    });
  });

  it('passes on the actionSummary of the error', async () => {
    const info = await infoFor(() =>
      graphqlResponse({
        data: null,
        errors: [refusal({ actionSummary: 'Change the email to new@example.com' })],
      }),
    );
    expect(info?.actionSummary).toBe('Change the email to new@example.com');
  });

  it('takes maxAge from the error when the challenge has none (an anonymous caller)', async () => {
    const info = await infoFor(() =>
      graphqlResponse(
        { data: null, errors: [refusal({ reason: 'unauthenticated', maxAge: 600 })] },
        { headers: { 'www-authenticate': 'Bearer' } },
      ),
    );
    expect(info).toMatchObject({ url: REAUTH_URL, maxAge: 600, reason: 'unauthenticated' });
    expect(info?.challenge).toBeUndefined();
    const noMaxAge = await infoFor(() =>
      graphqlResponse(
        { data: null, errors: [refusal({ reason: 'unauthenticated', maxAge: -1 })] },
        { headers: { 'www-authenticate': 'Bearer' } },
      ),
    );
    expect(noMaxAge?.maxAge).toBeUndefined();
  });

  it('follows the first refusal among other errors, aliases and the results of a batch', async () => {
    const second = 'https://auth.example/authorize?max_age=300&state=second';
    const body = [
      { data: { hello: 'world' } },
      {
        data: { a: null, b: null, c: null },
        errors: [
          { message: 'Boom', path: ['a'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          { message: 'No', path: ['b'], extensions: { code: 'REAUTH_FORBIDDEN' } },
          refusal({}, ['c']),
          refusal({ reauthUrl: second }, ['d']),
        ],
      },
    ];
    const info = await infoFor(() => graphqlResponse(body));
    expect(info?.url).toBe(REAUTH_URL);
  });

  describe('never runs a mutation twice', () => {
    it('re-authenticates but does not send again a mutation whose other fields ran', async () => {
      const ran = { data: { bump: { n: 1 }, changeEmail: null }, errors: [refusal()] };
      const { response, calls } = await reauthenticated(ran, post);
      expect(calls).toHaveLength(1);
      expect(await response.json()).toEqual(ran);
    });

    it('nor a batch, whose other operations ran', async () => {
      const batch = [{ data: { changeEmail: null }, errors: [refusal()] }, { data: { n: 1 } }];
      const { calls } = await reauthenticated(batch, (api) =>
        api(GRAPHQL_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([OPERATION, { query: '{ n }' }]),
        }),
      );
      expect(calls).toHaveLength(1);
    });

    it('but sends a query again, whatever else it returned', async () => {
      const partial = {
        data: { hello: 'world', balance: null },
        errors: [refusal({}, ['balance'])],
      };
      const { response, calls } = await reauthenticated(partial, (api) =>
        api(GRAPHQL_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '# mutation is only a word here\n{ hello balance }' }),
        }),
      );
      expect(calls).toHaveLength(2);
      expect(response.status).toBe(200);
    });
  });

  it("with 'always' reads only answers to GraphQL requests", async () => {
    // Stored JSON of the origin, shaped like the error, served without any challenge.
    const stored = () =>
      new Response(JSON.stringify({ errors: [refusal({ reauthUrl: 'https://evil.example/' })] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const api = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(stored()),
      graphqlErrors: 'always',
    });
    const response = await api(`${ORIGIN}/api/profile`);
    expect(response.status).toBe(200);
    expect(win.popups).toHaveLength(0);
  });

  it('shares one popup among operations refused together', async () => {
    const server = staleGraphQL();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const all = Promise.all([post(api), post(api)]);
    await tick();
    expect(win.popups).toHaveLength(1);
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await all).map((res) => res.status)).toEqual([200, 200]);
  });

  it('rejects with ReauthLoopError when the retried operation is refused again', async () => {
    const server = staleGraphQL();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = post(api);
    await tick();
    win.post({ type: 'nest-reauth', status: 'ok' });
    await expect(pending).rejects.toBeInstanceOf(ReauthLoopError);
    expect(server.state.calls).toHaveLength(2);
  });

  it('recognises the error in a 401 too', async () => {
    const info = await infoFor(() => graphqlResponse(undefined, { status: 401 }));
    expect(info).toMatchObject({ url: REAUTH_URL, graphql: true });
  });

  it.each([
    [
      'another error code',
      { errors: [{ message: 'No', extensions: { code: 'REAUTH_FORBIDDEN' } }] },
    ],
    ['no reauthUrl', { errors: [refusal({ reauthUrl: undefined })] }],
    [
      'a reauthUrl that is not http(s)',
      { errors: [refusal({ reauthUrl: 'javascript:alert(1)' })] },
    ],
    ['a relative reauthUrl', { errors: [refusal({ reauthUrl: '/authorize' })] }],
    [
      'extensions that are not an object',
      { errors: [{ message: 'x', extensions: 'REAUTH_REQUIRED' }] },
    ],
    ['errors that are not a list', { errors: { extensions: refusal().extensions } }],
    ['data only', { data: { changeEmail: 'done' } }],
    ['a JSON string', 'REAUTH_REQUIRED'],
    ['JSON null', null],
  ])('returns a 200 with %s as it is', async (_case, body) => {
    const response = graphqlResponse(body);
    const api = createReauthFetch({ window: win, fetch: () => Promise.resolve(response) });
    expect(await post(api)).toBe(response);
    expect(win.popups).toHaveLength(0);
  });

  it('returns a refusal that is not JSON, or not valid JSON, as it is', async () => {
    for (const response of [
      new Response(JSON.stringify({ errors: [refusal()] }), {
        headers: { 'content-type': 'text/plain', 'www-authenticate': STEP_UP_CHALLENGE },
      }),
      new Response('{"errors": [', {
        headers: { 'content-type': 'application/json', 'www-authenticate': STEP_UP_CHALLENGE },
      }),
    ]) {
      const api = createReauthFetch({ window: win, fetch: () => Promise.resolve(response) });
      expect(await post(api)).toBe(response);
    }
    expect(win.popups).toHaveLength(0);
  });

  it('by default reads only responses with a WWW-Authenticate header; "always" reads every JSON one', async () => {
    const unchallenged = () => graphqlResponse(undefined, { headers: { 'www-authenticate': '' } });
    const bare = () =>
      new Response(JSON.stringify({ errors: [refusal()] }), {
        headers: { 'content-type': 'application/graphql-response+json' },
      });
    expect(await infoFor(bare)).toBeUndefined();
    expect(await infoFor(bare, { graphqlErrors: 'challenged' })).toBeUndefined();
    expect(await infoFor(bare, { graphqlErrors: 'always' })).toMatchObject({ url: REAUTH_URL });
    // An empty header is still a header: the server said something about authentication.
    expect(await infoFor(unchallenged)).toMatchObject({ url: REAUTH_URL });
  });

  it('with "never" leaves GraphQL errors alone but still answers the JSON 401', async () => {
    const response = graphqlResponse();
    const api = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(response),
      graphqlErrors: 'never',
    });
    expect(await post(api)).toBe(response);
    // A 401 with the challenge still asks, as any RFC 9470 refusal; the error's URL is not read.
    const challenged401 = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(graphqlResponse(undefined, { status: 401 })),
      graphqlErrors: 'never',
    });
    await expect(post(challenged401)).rejects.toBeInstanceOf(ReauthUrlMissingError);
    const json401 = await infoFor(() => reauthResponse(), { graphqlErrors: 'never' });
    expect(json401).toMatchObject({ url: REAUTH_URL, reason: 'stale' });
    expect(json401?.graphql).toBeUndefined();
  });

  it.each([['sometimes'], [true], [null]])('refuses graphqlErrors %p at creation', (value) => {
    expect(() => createReauthFetch({ window: win, graphqlErrors: value as never })).toThrow(
      TypeError,
    );
  });

  it('follows a cross-origin API’s reauthUrl only from authorizationOrigins', async () => {
    const api = 'https://api.example/graphql';
    const refusing = () => answeredFrom(api, graphqlResponse());
    const rejecting = createReauthFetch({ window: win, fetch: () => Promise.resolve(refusing()) });
    await expect(rejecting(api, { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(
      ReauthUrlRejectedError,
    );
    expect(win.popups).toHaveLength(0);
    const allowed = createReauthFetch({
      window: win,
      fetch: () => Promise.resolve(refusing()),
      authorizationOrigins: ['https://auth.example'],
    });
    void allowed(api, { method: 'POST', body: '{}' });
    await tick();
    expect(win.popups.map((popup) => popup.url)).toEqual([REAUTH_URL]);
  });

  it('in redirect mode leaves for the reauthUrl, recording the POST only when told to', async () => {
    const server = staleGraphQL();
    const api = createReauthFetch({ window: win, fetch: server.fetch, mode: 'redirect' });
    void post(api);
    await tick();
    await tick();
    expect(win.assigned).toEqual([REAUTH_URL]);
    expect(pendingRecord(win)).toBeUndefined();

    const replaying = createReauthFetch({
      window: win,
      fetch: server.fetch,
      mode: 'redirect',
      replayAfterRedirect: (request) => new URL(request.url).pathname === '/graphql',
    });
    void post(replaying);
    await tick();
    await tick();
    expect(pendingRecord(win)?.request).toMatchObject({
      url: GRAPHQL_URL,
      method: 'POST',
      body: JSON.stringify(OPERATION),
    });
    server.state.stale = false;
    comeBack(win, 'ok');
    const resumed = await replaying.resumePending();
    expect(await resumed?.json()).toEqual({ data: { changeEmail: 'done' } });
  });
});
