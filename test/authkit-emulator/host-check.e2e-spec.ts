import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { NotFoundException, type WorkOS } from '@workos-inc/node';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { REDIRECT_URI, startEmulatorWithSdk } from '../support/emulator';

interface Answer {
  status: number;
  body: string;
}

/**
 * One request to the emulator's socket with the Host header given (`undefined`: none at all).
 * `fetch` cannot set Host, so this uses `node:http`.
 */
function send(
  port: number,
  host: string | undefined,
  path: string,
  init: { method?: string; json?: object } = {},
): Promise<Answer> {
  const body = init.json === undefined ? undefined : JSON.stringify(init.json);
  const headers: Record<string, string> = {};
  if (host !== undefined) headers.host = host;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers,
        setHost: false,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes, for what `node:http` will not send (two Host headers, an absolute-form target). */
function sendRaw(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('AuthKit emulator: answers only the loopback Host names it serves', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  let port: number;
  let log: string[];

  const jwksPath = () => `/sso/jwks/${emulator.clientId}`;
  const authorizePath = () =>
    `/user_management/authorize?${new URLSearchParams({
      client_id: emulator.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      provider: 'authkit',
    }).toString()}`;
  const mint = { email: 'alice@example.com', authTime: 1_700_000_000 };

  beforeEach(async () => {
    log = [];
    ({ emulator, workos } = await startEmulatorWithSdk({ log: (line) => log.push(line) }));
    port = emulator.port;
  });
  afterEach(() => emulator.close());

  const served = () => [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `LocalHost:${port}`,
    `[::1]:${port}`,
  ];

  it('serves the API, the hosted pages and the test controls for each loopback name', async () => {
    for (const host of served()) {
      expect({ host, ...(await send(port, host, jwksPath())) }).toMatchObject({
        host,
        status: 200,
      });
      const page = await send(port, host, authorizePath());
      expect({ host, status: page.status }).toEqual({ host, status: 302 });
      const minted = await send(port, host, '/__emulator/access-tokens', {
        method: 'POST',
        json: mint,
      });
      expect({ host, status: minted.status }).toEqual({ host, status: 200 });
      expect(JSON.parse(minted.body)).toHaveProperty('accessToken');
    }
  });

  const refused = () => [
    'evil.example',
    `evil.example:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `localhost.:${port}`,
    `127.1:${port}`,
    `2130706433:${port}`,
    'localhost:1',
    `localhost:0${port}`,
    `127.0.0.1:${port + 1}`,
    'localhost',
    '127.0.0.1',
    '',
    `localhost:${port}@evil.example`,
    `evil.example@localhost:${port}`,
    `localhost:${port}/x`,
    '[::1]',
    '::1',
    `::1:${port}`,
    '[::1]:1',
    `[0:0:0:0:0:0:0:1]:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `[::ffff:7f00:1]:${port}`,
    `[fe80::1%lo]:${port}`,
  ];

  it('refuses other names, ports and forms with a WorkOS-shaped 421 before any route runs', async () => {
    const before = emulator.now();
    for (const host of refused()) {
      const answer = await send(port, host, '/__emulator/clock', {
        method: 'POST',
        json: { advanceSeconds: 3600 },
      });
      expect({ host, status: answer.status }).toEqual({ host, status: 421 });
      expect(JSON.parse(answer.body)).toEqual({
        code: 'misdirected_request',
        message: expect.stringContaining(`127.0.0.1:${port}`) as unknown,
      });
    }
    expect(emulator.now()).toBe(before);
  });

  it.each([
    ['the API', () => jwksPath(), 'GET'],
    ['the hosted pages', () => authorizePath(), 'GET'],
    ['the token minting control', () => '/__emulator/access-tokens', 'POST'],
  ])('refuses a DNS-rebound request to %s', async (_name, path, method) => {
    const answer = await send(port, `evil.example:${port}`, path(), { method, json: mint });
    expect(answer.status).toBe(421);
    expect(answer.body).not.toContain('accessToken');
  });

  it('refuses a request without a Host header', async () => {
    expect((await send(port, undefined, jwksPath())).status).toBe(421);
    expect(await sendRaw(port, `GET ${jwksPath()} HTTP/1.0`)).toBe(421);
  });

  it('refuses two Host headers, even when one is served', async () => {
    expect(
      await sendRaw(
        port,
        `GET ${jwksPath()} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example`,
      ),
    ).toBe(421);
  });

  it('refuses an absolute-form target naming another host', async () => {
    expect(
      await sendRaw(
        port,
        `GET http://127.0.0.1:${port}${jwksPath()} HTTP/1.1\r\nHost: 127.0.0.1:${port}`,
      ),
    ).toBe(200);
    expect(
      await sendRaw(
        port,
        `GET http://evil.example${jwksPath()} HTTP/1.1\r\nHost: 127.0.0.1:${port}`,
      ),
    ).toBe(421);
  });

  it('logs a refused request like any other: method, path and status only', async () => {
    await send(port, 'evil.example', `${jwksPath()}?code=secret`);
    expect(log).toEqual([`GET ${jwksPath()} 421`]);
  });

  it('still works for the real SDK, which sends 127.0.0.1:<port>', async () => {
    await expect(workos.userManagement.getUser('user_unknown')).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(log).toEqual(['GET /user_management/users/user_unknown 404']);
  });
});

describe('The emulator’s test controls, posted to by a browser page', () => {
  it('refuse what a browser marks as coming from another origin, and take direct calls', async () => {
    const emulator = await startAuthKitEmulator({ port: 0, testControls: true });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${emulator.url}/__emulator/rotate-keys`, { method: 'POST', headers });
      for (const headers of [
        { origin: 'https://evil.example' } as Record<string, string>,
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
      ]) {
        const res = await post(headers);
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ code: 'cross_origin_request' });
      }
      expect((await post({})).status).toBe(200);
      expect((await post({ origin: emulator.url })).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});
