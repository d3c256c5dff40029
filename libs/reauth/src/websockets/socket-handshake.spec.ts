import { handshakeOf, rememberUpgradeRequests } from './socket-handshake';

describe('handshakeOf', () => {
  const headers = { cookie: 'wos-session=s', origin: 'https://app.example' };

  it('reads a socket.io client: its handshake request, and a token from auth as a Bearer header', () => {
    const request = { url: '/socket.io/?EIO=4', headers, socket: { remoteAddress: '10.0.0.1' } };
    expect(handshakeOf({ request, handshake: { auth: {} } }, { a: 1 })).toEqual({
      method: 'GET',
      url: '/socket.io/?EIO=4',
      originalUrl: '/socket.io/?EIO=4',
      headers,
      socket: { remoteAddress: '10.0.0.1' },
      body: { a: 1 },
    });
    const withToken = handshakeOf({ request, handshake: { auth: { token: 'jwt' } } }, null);
    expect(withToken?.headers.authorization).toBe('Bearer jwt');
    expect(request.headers).toEqual(headers);
  });

  it('turns a token that is not a string into a Bearer header no token can match', () => {
    for (const token of [42, null, {}, ['x']]) {
      const request = { headers: {} };
      expect(
        handshakeOf({ request, handshake: { auth: { token } } }, null)?.headers.authorization,
      ).toBe('Bearer');
    }
  });

  it('keeps an Authorization header of the handshake over an auth token', () => {
    const request = { headers: { authorization: 'Bearer header' } };
    const read = handshakeOf({ request, handshake: { auth: { token: 'auth' } } }, null);
    expect(read?.headers.authorization).toBe('Bearer header');
  });

  it('knows a ws client only through an adapter wrapped by rememberUpgradeRequests', () => {
    const client = { send: () => undefined };
    expect(handshakeOf(client, null)).toBeUndefined();
    let connect: ((...args: unknown[]) => unknown) | undefined;
    const seen: unknown[][] = [];
    const adapter = rememberUpgradeRequests({
      bindClientConnect: (_server: unknown, callback: (...args: unknown[]) => unknown) => {
        connect = callback;
      },
    });
    adapter.bindClientConnect({}, (...args) => seen.push(args));
    const upgrade = { url: '/ws', headers };
    connect!(client, upgrade);
    expect(seen).toEqual([[client, upgrade]]);
    expect(handshakeOf(client, 'm')?.headers).toEqual(headers);
  });

  it('reads nothing from what is not a connection', () => {
    for (const client of [undefined, null, 'x', 1, {}, { request: 'x' }, { request: {} }]) {
      expect(handshakeOf(client, null)).toBeUndefined();
    }
  });
});
