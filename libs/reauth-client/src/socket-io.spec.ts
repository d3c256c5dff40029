import {
  emitWithStepUp,
  PopupBlockedError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlRejectedError,
  socketRefusalOf,
  type ReauthWindow,
  type StepUpSocket,
} from './index.js';

const ORIGIN = 'https://app.example';

/** A socket whose acknowledgements come from `answers`, in order; it records reconnections. */
class FakeSocket implements StepUpSocket {
  readonly sent: unknown[][] = [];
  reconnections = 0;
  /** socket.io-client's Manager, with the server's URL the socket connected to. */
  io?: { uri: string };
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  constructor(private readonly answers: unknown[]) {}
  timeout() {
    return {
      emitWithAck: (...args: unknown[]) => {
        this.sent.push(args);
        return Promise.resolve(this.answers.shift());
      },
    };
  }
  connect() {
    this.reconnections += 1;
    queueMicrotask(() => this.fire('connect'));
  }
  disconnect() {}
  once(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  off(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
  }
  private fire(event: string) {
    const listeners = this.listeners.get(event) ?? [];
    this.listeners.delete(event);
    for (const listener of listeners) listener();
  }
}

/** A window whose popups report success as soon as they open (or never open, when blocked). */
function fakeWindow(block = false) {
  const opened: string[] = [];
  const listeners = new Set<(event: MessageEvent) => void>();
  const win: ReauthWindow = {
    location: { origin: ORIGIN, assign: () => undefined },
    sessionStorage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    open: (url) => {
      if (block) return null;
      opened.push(url);
      const popup = { closed: false, close: () => undefined };
      setTimeout(() => {
        const event = {
          data: { type: 'nest-reauth', status: 'ok' },
          source: popup,
          origin: ORIGIN,
        };
        for (const listener of [...listeners]) listener(event as unknown as MessageEvent);
      }, 0);
      return popup;
    },
  };
  return { win, opened };
}

const stale = {
  statusCode: 401,
  error: 'reauth_required',
  reason: 'stale',
  maxAge: 300,
  reauthUrl: '/auth/login/socket?ticket=t',
  event: 'delete',
};

describe('emitWithStepUp', () => {
  it('resolves with the answer of a message that was not refused', async () => {
    const socket = new FakeSocket([{ deleted: 'general' }]);
    await expect(emitWithStepUp(socket, 'delete', 'general')).resolves.toEqual({
      deleted: 'general',
    });
    expect(socket.sent).toEqual([['delete', 'general']]);
  });

  it('re-authenticates in a popup of the reauthUrl, reconnects, and sends once more', async () => {
    const socket = new FakeSocket([stale, { deleted: 'general' }]);
    const { win, opened } = fakeWindow();
    await expect(emitWithStepUp(socket, 'delete', 'general', { window: win })).resolves.toEqual({
      deleted: 'general',
    });
    expect(opened).toEqual([`${ORIGIN}/auth/login/socket?ticket=t&mode=popup`]);
    expect(socket.reconnections).toBe(1);
    expect(socket.sent).toHaveLength(2);
  });

  it('renews the cookie at refreshUrl before reconnecting when the connection must be renewed', async () => {
    const renew = { ...stale, error: 'reconnect_required', refreshUrl: '/auth/step-up' };
    const socket = new FakeSocket([renew, { ok: true }]);
    const fetched: string[] = [];
    const fetch = (url: RequestInfo | URL) => {
      fetched.push(url instanceof Request ? url.url : url.toString());
      return Promise.resolve(new Response('{}'));
    };
    await expect(
      emitWithStepUp(socket, 'delete', 1, { window: fakeWindow().win, fetch }),
    ).resolves.toEqual({ ok: true });
    expect(fetched).toEqual([`${ORIGIN}/auth/step-up`]);
    expect(socket.reconnections).toBe(1);
  });

  it('follows no reauthUrl or refreshUrl of another origin', async () => {
    const { win, opened } = fakeWindow();
    for (const field of ['reauthUrl', 'refreshUrl']) {
      const refusal =
        field === 'reauthUrl'
          ? { ...stale, reauthUrl: 'https://evil.example/x' }
          : { ...stale, error: 'reconnect_required', refreshUrl: '//evil.example/x' };
      await expect(
        emitWithStepUp(new FakeSocket([refusal]), 'delete', 1, { window: win }),
      ).rejects.toBeInstanceOf(ReauthUrlRejectedError);
    }
    expect(opened).toEqual([]);
  });

  it('rejects when refused again, when the popup is blocked, or when the user declines', async () => {
    await expect(
      emitWithStepUp(new FakeSocket([stale, stale]), 'delete', 1, { window: fakeWindow().win }),
    ).rejects.toBeInstanceOf(ReauthLoopError);
    await expect(
      emitWithStepUp(new FakeSocket([stale]), 'delete', 1, { window: fakeWindow(true).win }),
    ).rejects.toBeInstanceOf(PopupBlockedError);
    await expect(
      emitWithStepUp(new FakeSocket([stale]), 'delete', 1, {
        window: fakeWindow().win,
        onReauthRequired: () => false,
      }),
    ).rejects.toBeInstanceOf(ReauthDeclinedError);
  });

  it('answers a reauth_required that follows a reconnection, and never resolves with a refusal', async () => {
    const renew = { ...stale, error: 'reconnect_required', refreshUrl: '/auth/step-up' };
    const fetch = () => Promise.resolve(new Response('{}'));
    const socket = new FakeSocket([renew, stale, { deleted: 1 }]);
    const { win, opened } = fakeWindow();
    let asked = 0;
    const onReauthRequired = () => {
      asked += 1;
      return true;
    };
    await expect(
      emitWithStepUp(socket, 'delete', 1, { window: win, fetch, onReauthRequired }),
    ).resolves.toEqual({ deleted: 1 });
    expect(asked).toBe(1);
    expect(opened).toHaveLength(1);
    expect(socket.reconnections).toBe(2);
    expect(socket.sent).toHaveLength(3);

    await expect(
      emitWithStepUp(new FakeSocket([renew, stale, stale]), 'delete', 1, {
        window: fakeWindow().win,
        fetch,
      }),
    ).rejects.toBeInstanceOf(ReauthLoopError);
    await expect(
      emitWithStepUp(new FakeSocket([renew, renew]), 'delete', 1, { window: win, fetch }),
    ).rejects.toBeInstanceOf(ReauthLoopError);
    const forbidden = { statusCode: 403, error: 'reauth_forbidden', reason: 'x', event: 'delete' };
    const refused = emitWithStepUp(new FakeSocket([stale, forbidden]), 'delete', 1, {
      window: fakeWindow().win,
    });
    await expect(refused).rejects.toBeInstanceOf(ReauthFailedError);
    await expect(refused).rejects.toMatchObject({ reason: 'x' });
  });

  it("resolves the refusal's URLs against the socket's server, and follows only the page's origin", async () => {
    const same = new FakeSocket([stale, { ok: true }]);
    same.io = { uri: `${ORIGIN}/` };
    const { win, opened } = fakeWindow();
    await expect(emitWithStepUp(same, 'delete', 1, { window: win })).resolves.toEqual({
      ok: true,
    });
    expect(opened).toEqual([`${ORIGIN}/auth/login/socket?ticket=t&mode=popup`]);
    // A socket of another server: its relative URLs are that server's, not the page's.
    const other = new FakeSocket([stale]);
    other.io = { uri: 'https://chat.example/' };
    await expect(emitWithStepUp(other, 'delete', 1, { window: win })).rejects.toBeInstanceOf(
      ReauthUrlRejectedError,
    );
    expect(opened).toHaveLength(1);
  });

  it('passes other refusals and answers through as they came', async () => {
    const forbidden = { statusCode: 403, error: 'reauth_forbidden', reason: 'x', event: 'delete' };
    await expect(emitWithStepUp(new FakeSocket([forbidden]), 'delete', 1)).resolves.toBe(forbidden);
    for (const answer of [
      null,
      'text',
      { error: 'reauth_required' },
      { ...stale, event: 'other' },
    ]) {
      expect(socketRefusalOf(answer, 'delete')).toBeUndefined();
    }
  });
});
