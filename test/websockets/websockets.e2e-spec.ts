import { WsAdapter } from '@nestjs/platform-ws';
import { rememberUpgradeRequests } from 'nest-workos-reauth';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { signInThroughPages } from '../support/emulator';
import { RecordingLogger } from '../support/recording-logger';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import {
  ClassGuardAboveGateway,
  ClassGuardBelowGateway,
  HandlerGuardedGateway,
  IoChatGateway,
  UnguardedGateway,
  WsChatGateway,
} from './websockets.gateways';

// Each test starts an app, an emulator and a sign-in: seconds on a loaded machine.
jest.setTimeout(30_000);

const EVIL = 'http://evil.example';

/** A socket.io connection made as a browser page of `origin` would make it, with its cookie. */
async function ioConnect(
  app: ScenarioApp,
  options: { cookie?: string; origin?: string; auth?: Record<string, unknown> } = {},
): Promise<Socket> {
  const socket = io(app.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: {
      origin: options.origin ?? app.url,
      ...(options.cookie ? { cookie: `wos-session=${options.cookie}` } : {}),
    },
    ...(options.auth ? { auth: options.auth } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** A `ws` connection with the same credentials, and its frames as they arrive. */
async function wsConnect(
  app: ScenarioApp,
  options: { cookie?: string; origin?: string; authorization?: string } = {},
): Promise<{ socket: WebSocket; next: () => Promise<unknown> }> {
  const socket = new WebSocket(`${app.url.replace('http', 'ws')}/ws`, {
    origin: options.origin ?? app.url,
    headers: {
      ...(options.cookie ? { cookie: `wos-session=${options.cookie}` } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
    },
  });
  const frames: unknown[] = [];
  const waiting: ((frame: unknown) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const frame: unknown = JSON.parse(data.toString());
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const next = () =>
    frames.length > 0
      ? Promise.resolve(frames.shift())
      : new Promise<unknown>((resolve) => waiting.push(resolve));
  return { socket, next };
}

const refusal = (error: string, reason?: string): unknown =>
  expect.objectContaining({ error, ...(reason ? { reason } : {}) });

describe('WebSocket gateways: socket.io', () => {
  let app: ScenarioApp;
  let gateway: IoChatGateway;
  const logger = new RecordingLogger();
  const sockets: Socket[] = [];
  const connect = async (options?: Parameters<typeof ioConnect>[1]) => {
    const socket = await ioConnect(app, options);
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    app = await startScenarioApp([], { providers: [IoChatGateway], logger });
    gateway = app.app.get(IoChatGateway);
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await app.close();
  });

  it('runs a guarded message of a fresh sign-in, and answers through the acknowledgement', async () => {
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    await expect(socket.emitWithAck('delete-channel', { channel: 'general' })).resolves.toEqual({
      deleted: { channel: 'general' },
    });
    expect(gateway.deleted).toEqual([{ channel: 'general' }]);
  });

  it('refuses a stale sign-in with the JSON 401 fields and a reauthUrl, and runs nothing', async () => {
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    const answer = (await socket.emitWithAck('delete-channel', { channel: 'general' })) as Record<
      string,
      unknown
    >;
    expect(answer).toMatchObject({
      statusCode: 401,
      error: 'reauth_required',
      reason: 'stale',
      maxAge: 60,
      event: 'delete-channel',
    });
    expect(answer.authTime).toEqual(expect.any(Number));
    expect(answer.reauthUrl).toMatch(/^\/auth\/login\/socket\?ticket=[\w.-]+$/);
    expect(JSON.stringify(answer)).not.toContain(sealedSession);
    expect(gateway.deleted).toEqual([]);
    // Signed in, though: a handler that needs only a sign-in still runs.
    await expect(socket.emitWithAck('whoami', {})).resolves.toEqual({ ok: true });
  });

  it('sends the reauth_error event when the message asked for no acknowledgement', async () => {
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    const refused = new Promise((resolve) => socket.once('reauth_error', resolve));
    socket.emit('delete-channel', { channel: 'general' });
    await expect(refused).resolves.toEqual(refusal('reauth_required', 'stale'));
    expect(gateway.deleted).toEqual([]);
  });

  it("starts the refusal's sign-in over HTTP: the reauthUrl binds it to the browser and asks for max_age", async () => {
    const { sealedSession, browser } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    const answer = (await socket.emitWithAck('delete-channel', {})) as { reauthUrl: string };
    const start = await browser.get(`${app.url}${answer.reauthUrl}&returnTo=/chat`, {
      accept: 'text/html',
      'sec-fetch-mode': 'navigate',
    });
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.searchParams.get('max_age')).toBe('60');
    expect(authorize.searchParams.get('login_hint')).toBe('alice@example.com');
    expect(start.headers.getSetCookie().some((c) => /HttpOnly/i.test(c))).toBe(true);
  });

  it('answers a forged or expired ticket with 400, never a sign-in', async () => {
    for (const ticket of ['', 'x', 'a.b.c.d.e', 'A'.repeat(5000)]) {
      const res = await fetch(`${app.url}/auth/login/socket?ticket=${ticket}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'socket_ticket_invalid' });
    }
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    const answer = (await socket.emitWithAck('delete-channel', {})) as { reauthUrl: string };
    app.emulator.advanceClock(601);
    const late = await fetch(`${app.url}${answer.reauthUrl}`, { redirect: 'manual' });
    expect(late.status).toBe(400);
  });

  it('refuses the next message of a connection whose session was signed out', async () => {
    const { sealedSession, browser } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    await expect(socket.emitWithAck('whoami', {})).resolves.toEqual({ ok: true });
    const out = await browser.request(`${app.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: app.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.status).toBe(303);
    await expect(socket.emitWithAck('whoami', {})).resolves.toEqual(
      refusal('reauth_required', 'unauthenticated'),
    );
    await expect(socket.emitWithAck('delete-channel', {})).resolves.toEqual(
      refusal('reauth_required', 'unauthenticated'),
    );
    expect(gateway.deleted).toEqual([]);
  });

  it('refuses an anonymous connection, and leaves unguarded messages alone', async () => {
    const socket = await connect();
    await expect(socket.emitWithAck('delete-channel', {})).resolves.toEqual(
      refusal('reauth_required', 'unauthenticated'),
    );
    await expect(socket.emitWithAck('echo', 'hi')).resolves.toEqual({ echo: 'hi' });
  });

  it('asks for a new connection when the handshake cookie holds an expired access token, and spends no refresh token', async () => {
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(400);
    await expect(socket.emitWithAck('whoami', {})).resolves.toEqual({
      statusCode: 401,
      error: 'reconnect_required',
      reason: 'session_expired',
      message: expect.any(String),
      refreshUrl: '/auth/step-up',
      event: 'whoami',
    });
    // The browser's cookie still refreshes: the socket left its refresh token alone.
    const renewed = await fetch(`${app.url}/auth/step-up`, {
      headers: { cookie: `wos-session=${sealedSession}`, accept: 'application/json' },
    });
    const cookie = renewed.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
    expect(cookie).toBeDefined();
    const again = await connect({ cookie: cookie!.split(';')[0].slice('wos-session='.length) });
    await expect(again.emitWithAck('whoami', {})).resolves.toEqual({ ok: true });
  });

  it('refuses a cookie-authenticated connection opened by another site (CSWSH)', async () => {
    const { sealedSession } = await signInToApp(app);
    for (const origin of [EVIL, 'null', `${app.url}.evil.example`]) {
      const socket = await connect({ cookie: sealedSession, origin });
      await expect(socket.emitWithAck('whoami', {})).resolves.toEqual(
        refusal('reauth_forbidden', 'cross_site_request'),
      );
    }
  });

  it('gives another site one answer whether its visitor is signed out, signed in or expired', async () => {
    const { sealedSession } = await signInToApp(app);
    const answers: unknown[] = [];
    const ask = async (cookie?: string) => {
      const socket = await connect({ origin: EVIL, ...(cookie ? { cookie } : {}) });
      answers.push(await socket.emitWithAck('whoami', {}));
      answers.push(await socket.emitWithAck('delete-channel', {}));
    };
    await ask();
    await ask(sealedSession);
    await ask('not-a-seal');
    app.emulator.advanceClock(400);
    await ask(sealedSession);
    for (const answer of answers) {
      expect(answer).toEqual({ ...(answers[0] as object), event: expect.any(String) });
    }
    expect(answers[0]).toEqual(refusal('reauth_forbidden', 'cross_site_request'));
    expect(JSON.stringify(answers)).not.toMatch(/reauthUrl|refreshUrl/);
  });

  it('takes a token from the handshake auth, from any origin, and refuses a malformed one', async () => {
    const accessToken = await app.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: app.emulator.now(),
    });
    const socket = await connect({ auth: { token: accessToken }, origin: EVIL });
    await expect(socket.emitWithAck('delete-channel', 1)).resolves.toEqual({ deleted: 1 });
    for (const token of ['', 'not-a-jwt', 42, null, { a: 1 }, ['x'], `${accessToken}x`]) {
      const bad = await connect({ auth: { token } });
      await expect(bad.emitWithAck('whoami', {})).resolves.toEqual(
        refusal('reauth_required', 'invalid_token'),
      );
    }
  });

  it('refuses a malformed cookie, and survives malformed and oversized messages', async () => {
    for (const cookie of ['garbage', 'Fe26.2**x', '%', 'a'.repeat(3000)]) {
      const socket = await connect({ cookie });
      await expect(socket.emitWithAck('whoami', {})).resolves.toEqual(
        refusal('reauth_required', 'unauthenticated'),
      );
    }
    const { sealedSession } = await signInToApp(app);
    const big = await connect({ cookie: sealedSession });
    const closed = new Promise((resolve) => big.once('disconnect', resolve));
    big.emit('delete-channel', 'x'.repeat(64 * 1024));
    await expect(closed).resolves.toBeDefined();
    expect(gateway.deleted).toEqual([]);
    const socket = await connect({ cookie: sealedSession });
    socket.emit('no-such-event', { x: 1 });
    await expect(socket.emitWithAck('delete-channel', null)).resolves.toEqual({ deleted: null });
  });
});

describe('WebSocket gateways: ws', () => {
  let app: ScenarioApp;
  let gateway: WsChatGateway;
  const logger = new RecordingLogger();
  const sockets: WebSocket[] = [];
  const connect = async (options?: Parameters<typeof wsConnect>[1]) => {
    const connection = await wsConnect(app, options);
    sockets.push(connection.socket);
    return connection;
  };
  const send = (socket: WebSocket, event: string, data: unknown) =>
    socket.send(JSON.stringify({ event, data }));

  async function start(remember = true): Promise<void> {
    app = await startScenarioApp([], {
      providers: [WsChatGateway],
      logger,
      beforeListen: (nest) =>
        nest.useWebSocketAdapter(
          remember ? rememberUpgradeRequests(new WsAdapter(nest)) : new WsAdapter(nest),
        ),
    });
    gateway = app.app.get(WsChatGateway);
  }
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await app.close();
  });

  it('runs a guarded message of a fresh sign-in', async () => {
    await start();
    const { sealedSession } = await signInToApp(app);
    const { socket, next } = await connect({ cookie: sealedSession });
    send(socket, 'delete-channel', { channel: 'general' });
    await expect(next()).resolves.toEqual({ deleted: { channel: 'general' } });
  });

  it('answers a stale, anonymous or signed-out connection with the reauth_error event', async () => {
    await start();
    const { sealedSession, browser } = await signInToApp(app);
    const { socket, next } = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    send(socket, 'delete-channel', {});
    await expect(next()).resolves.toEqual({
      event: 'reauth_error',
      data: expect.objectContaining({
        error: 'reauth_required',
        reason: 'stale',
        maxAge: 60,
        event: 'delete-channel',
        reauthUrl: expect.stringMatching(/^\/auth\/login\/socket\?ticket=/),
      }),
    });
    send(socket, 'whoami', {});
    await expect(next()).resolves.toEqual({ ok: true });
    await browser.request(`${app.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: app.url, 'sec-fetch-site': 'same-origin' },
    });
    send(socket, 'whoami', {});
    await expect(next()).resolves.toEqual({
      event: 'reauth_error',
      data: refusal('reauth_required', 'unauthenticated'),
    });
    const anonymous = await connect();
    send(anonymous.socket, 'delete-channel', {});
    await expect(anonymous.next()).resolves.toEqual({
      event: 'reauth_error',
      data: refusal('reauth_required', 'unauthenticated'),
    });
    expect(gateway.deleted).toEqual([]);
  });

  it('refuses another site, a malformed header, and survives malformed and oversized frames', async () => {
    await start();
    const { sealedSession } = await signInToApp(app);
    const evil = await connect({ cookie: sealedSession, origin: EVIL });
    send(evil.socket, 'whoami', {});
    await expect(evil.next()).resolves.toEqual({
      event: 'reauth_error',
      data: refusal('reauth_forbidden', 'cross_site_request'),
    });
    const bearer = await connect({ authorization: 'Bearer not.a.jwt' });
    send(bearer.socket, 'whoami', {});
    await expect(bearer.next()).resolves.toEqual({
      event: 'reauth_error',
      data: refusal('reauth_required', 'invalid_token'),
    });
    const { socket, next } = await connect({ cookie: sealedSession });
    for (const frame of ['not json', '{"event":', '[]', 'null', '{"event":"nope"}', '{}']) {
      socket.send(frame);
    }
    send(socket, 'whoami', {});
    await expect(next()).resolves.toEqual({ ok: true });
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    send(socket, 'delete-channel', 'x'.repeat(64 * 1024));
    // 1009: message too big, the gateway's maxPayload.
    await expect(closed).resolves.toBe(1009);
    expect(gateway.deleted).toEqual([]);
  });

  it("re-authenticates through the refusal's reauthUrl: the callback binds, and a new connection passes", async () => {
    await start();
    const { sealedSession, browser } = await signInToApp(app);
    const { socket, next } = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    send(socket, 'delete-channel', {});
    const refused = (await next()) as { data: { reauthUrl: string } };
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const started = await browser.get(
      `${app.url}${refused.data.reauthUrl}&returnTo=/chat`,
      navigate,
    );
    const callback = await signInThroughPages(
      browser,
      started.location!,
      { email: 'alice@example.com', password: 'alice-password' },
      app.emulator,
      app.redirectUri,
    );
    const done = await browser.get(callback.href, navigate);
    expect(done.status).toBe(303);
    expect(new URL(done.location!).pathname).toBe('/chat');
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('wos-session='))!;
    // The old connection still holds the old session: stale, until it reconnects.
    send(socket, 'delete-channel', {});
    await expect(next()).resolves.toMatchObject({ data: { reason: 'stale' } });
    const renewed = await connect({ cookie: cookie.split(';')[0].slice('wos-session='.length) });
    send(renewed.socket, 'delete-channel', { channel: 'general' });
    await expect(renewed.next()).resolves.toEqual({ deleted: { channel: 'general' } });
  });

  it("starts nothing in a browser that holds another user's session, none, or another session of the user", async () => {
    await start();
    const { sealedSession } = await signInToApp(app);
    const { socket, next } = await connect({ cookie: sealedSession });
    app.emulator.advanceClock(120);
    send(socket, 'delete-channel', {});
    const refused = (await next()) as { data: { reauthUrl: string } };
    const bob = {
      email: 'bob@example.com',
      password: 'bob-password',
      totpSecret: 'JBSWY3DPEHPK3PXP',
    };
    const { browser } = await signInToApp(app, '/signed-in', bob);
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    // The ticket names alice: bob's browser gets a page, and no sign-in starts.
    const page = await browser.get(`${app.url}${refused.data.reauthUrl}`, navigate);
    expect(page.status).toBe(403);
    expect(page.location).toBeUndefined();
    expect(page.text).toContain('user_mismatch');
    expect(page.headers.getSetCookie()).toEqual([]);
    const json = await browser.get(`${app.url}${refused.data.reauthUrl}`, {
      accept: 'application/json',
    });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.text)).toMatchObject({
      error: 'reauth_forbidden',
      reason: 'user_mismatch',
    });
    // No session at all: the ticket was made for a signed-in browser.
    const anonymous = await fetch(`${app.url}${refused.data.reauthUrl}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ reason: 'user_mismatch' });
    // Alice's other session (another browser): the cookie connection named this one.
    const other = await signInToApp(app);
    const elsewhere = await other.browser.get(`${app.url}${refused.data.reauthUrl}`, navigate);
    expect(elsewhere.status).toBe(403);
  });

  it('fails closed, saying how to fix it, when the adapter keeps no upgrade request', async () => {
    await start(false);
    const { sealedSession } = await signInToApp(app);
    const { socket, next } = await connect({ cookie: sealedSession });
    send(socket, 'delete-channel', {});
    send(socket, 'echo', 'after');
    await expect(next()).resolves.toEqual({ echo: 'after' });
    expect(gateway.deleted).toEqual([]);
    expect(logger.lines.join('\n')).toContain('rememberUpgradeRequests');
  });
});

describe('WebSocket gateways: Nest applies no global guard to them', () => {
  it('does not start an app whose gateway has a guarded handler but no RecentAuthGatewayGuard, and names the fix', async () => {
    await expect(startScenarioApp([], { providers: [UnguardedGateway] })).rejects.toThrow(
      'ReauthModule: UnguardedGateway.deleteChannel is a WebSocket message handler that requires a sign-in, but Nest applies no global guard to gateways: add @UseGuards(RecentAuthGatewayGuard) to UnguardedGateway',
    );
  });

  it('starts when the guard is on the handler instead of the class', async () => {
    const app = await startScenarioApp([], { providers: [HandlerGuardedGateway] });
    await app.close();
  });
});

describe('WebSocket gateways: a custom tokenExtractor', () => {
  it("refuses another site's connection whose credential the extractor took from the cookie", async () => {
    const app = await startScenarioApp([], {
      providers: [IoChatGateway],
      // An app that keeps its own token in a cookie: the browser attaches it to any site's socket.
      reauth: () => ({
        tokenExtractor: (request) =>
          /(?:^|;\s*)app-token=([^;]+)/.exec(String(request.headers.cookie ?? ''))?.[1],
      }),
    });
    try {
      const accessToken = await app.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: app.emulator.now(),
      });
      const answerTo = async (origin: string) => {
        const socket = io(app.url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { origin, cookie: `app-token=${accessToken}` },
        });
        await new Promise<void>((resolve) => socket.once('connect', resolve));
        const answer: unknown = await socket.emitWithAck('whoami', {});
        socket.disconnect();
        return answer;
      };
      await expect(answerTo(EVIL)).resolves.toEqual(
        refusal('reauth_forbidden', 'cross_site_request'),
      );
      await expect(answerTo(app.url)).resolves.toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});

describe('WebSocket gateways: the guard written above or below the decorators', () => {
  const sockets: Socket[] = [];
  let app: ScenarioApp | undefined;
  const logger = new RecordingLogger();
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await app?.close();
    app = undefined;
  });
  const connect = async (options?: Parameters<typeof ioConnect>[1]) => {
    const socket = await ioConnect(app!, options);
    sockets.push(socket);
    return socket;
  };

  it('runs a handler-level guard in either order, and refuses a stale sign-in with the refusal, not a 500', async () => {
    app = await startScenarioApp([], { providers: [HandlerGuardedGateway], logger });
    const gateway = app.app.get(HandlerGuardedGateway);
    const { sealedSession } = await signInToApp(app);
    const socket = await connect({ cookie: sealedSession });
    // Guard above the decorator, then below it.
    await expect(socket.emitWithAck('delete-channel', { channel: 'a' })).resolves.toEqual({
      deleted: { channel: 'a' },
    });
    await expect(socket.emitWithAck('whoami', {})).resolves.toEqual({ ok: true });
    app.emulator.advanceClock(120);
    await expect(socket.emitWithAck('delete-channel', { channel: 'b' })).resolves.toEqual(
      refusal('reauth_required', 'stale'),
    );
    expect(gateway.deleted).toEqual([{ channel: 'a' }]);
    const anonymous = await connect();
    await expect(anonymous.emitWithAck('whoami', {})).resolves.toEqual(refusal('reauth_required'));
    expect(logger.lines.join('\n')).not.toContain('add @UseGuards(RecentAuthGatewayGuard)');
  });

  for (const Gateway of [ClassGuardAboveGateway, ClassGuardBelowGateway]) {
    it(`runs a class-level guard written ${Gateway === ClassGuardAboveGateway ? 'above' : 'below'} the decorator, and refuses an anonymous connection`, async () => {
      app = await startScenarioApp([], { providers: [Gateway], logger });
      const { sealedSession } = await signInToApp(app);
      const socket = await connect({ cookie: sealedSession });
      await expect(socket.emitWithAck('whoami', {})).resolves.toEqual({ ok: true });
      const anonymous = await connect();
      await expect(anonymous.emitWithAck('whoami', {})).resolves.toEqual(
        refusal('reauth_required'),
      );
    });
  }
});
