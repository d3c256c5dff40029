import {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
} from './errors.js';
import { createReauthFetch, type ReauthWindow } from './reauth-fetch.js';

const ORIGIN = 'https://app.example';
const REAUTH_URL = 'https://auth.example/authorize?max_age=300&state=s';

function reauthResponse(
  body: object | null = { error: 'reauth_required', reason: 'stale', reauthUrl: REAUTH_URL },
): Response {
  return new Response(body ? JSON.stringify(body) : null, {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer error="insufficient_user_authentication", max_age="300"',
    },
  });
}

/** A stand-in for the browser window: the popup, its messages, storage and navigation. */
class FakeWindow implements ReauthWindow {
  popups: { url: string; closed: boolean; close(): void }[] = [];
  blockPopups = false;
  assigned: string[] = [];
  private listeners = new Set<(event: MessageEvent) => void>();
  private storage = new Map<string, string>();
  location = { origin: ORIGIN, assign: (url: string) => void this.assigned.push(url) };
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

describe('createReauthFetch', () => {
  let win: FakeWindow;

  beforeEach(() => {
    win = new FakeWindow();
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => jest.useRealTimers());

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
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = api(`${ORIGIN}/api`);
    await tick();
    win.post({ type: 'nest-reauth', status: 'ok' });
    await expect(pending).rejects.toBeInstanceOf(ReauthLoopError);
    expect(win.popups).toHaveLength(1);
    expect(server.state.calls).toHaveLength(2);
  });

  it('ignores messages from other origins or windows', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = api(`${ORIGIN}/api`);
    await tick();
    server.state.stale = false;
    win.post({ type: 'nest-reauth', status: 'ok' }, { origin: 'https://evil.example' });
    win.post({ type: 'nest-reauth', status: 'ok' }, { source: {} });
    win.post({ status: 'ok' });
    expect(server.state.calls).toHaveLength(1);
    win.post({ type: 'nest-reauth', status: 'ok' });
    expect((await pending).status).toBe(200);
  });

  it('rejects with ReauthCancelledError when the user closes the popup', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = api(`${ORIGIN}/api`);
    await tick();
    win.popups[0].closed = true;
    jest.advanceTimersByTime(400);
    await tick();
    jest.advanceTimersByTime(400);
    await expect(pending).rejects.toBeInstanceOf(ReauthCancelledError);
    expect(server.state.calls).toHaveLength(1);
  });

  it('still accepts the message of a popup that closed itself right after posting it', async () => {
    const server = staleServer();
    const api = createReauthFetch({ window: win, fetch: server.fetch });
    const pending = api(`${ORIGIN}/api`);
    await tick();
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
    const api = createReauthFetch({ window: win, fetch: staleServer().fetch });
    const pending = api(`${ORIGIN}/api`);
    await tick();
    win.post(message);
    await expect(pending).rejects.toBeInstanceOf(error);
  });

  it('asks the app first, and rejects with ReauthDeclinedError when it says no', async () => {
    const asked: unknown[] = [];
    const api = createReauthFetch({
      window: win,
      fetch: staleServer().fetch,
      onReauthRequired: (info) => {
        asked.push({ url: info.url, maxAge: info.maxAge, reason: info.reason });
        return false;
      },
    });
    await expect(api(`${ORIGIN}/api`)).rejects.toBeInstanceOf(ReauthDeclinedError);
    expect(asked).toEqual([{ url: REAUTH_URL, maxAge: 300, reason: 'stale' }]);
    expect(win.popups).toHaveLength(0);
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
    expect((await api.resumePending())?.status).toBe(200);
    expect(server.state.calls.at(-1)?.url).toBe(`${ORIGIN}/api/report`);
    expect(await api.resumePending()).toBeUndefined();

    server.state.stale = true;
    void api(`${ORIGIN}/api/transfers`, { method: 'POST', body: 'x' });
    await tick();
    await tick();
    expect(await api.resumePending()).toBeUndefined();

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
