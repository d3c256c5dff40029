import type { ReauthRequest } from '../interfaces';

/** The HTTP request a WebSocket connection began with, as Node parsed it. */
interface UpgradeRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/** Upgrade requests of `ws` connections, by connection; see {@link rememberUpgradeRequests}. */
const upgradeRequests = new WeakMap<object, UpgradeRequest>();

/**
 * The part of a Nest WebSocket adapter this needs: `bindClientConnect`, which Nest calls with the
 * server and its connection handler. Nest's `WsAdapter` (`@nestjs/platform-ws`) and `IoAdapter`
 * (`@nestjs/platform-socket.io`) both have it.
 */
export interface ConnectingWebSocketAdapter {
  /** Registers Nest's handler for new connections on `server`. */
  bindClientConnect(server: unknown, callback: (...args: unknown[]) => unknown): unknown;
}

/**
 * Keeps each `ws` connection's upgrade request, which `@RequireRecentAuth` and `@RequireSignIn`
 * on a gateway handler read the connection's credentials from (its session cookie or
 * `Authorization` header, and its `Origin`). Nest's `WsAdapter` hands the request to
 * `handleConnection` only, not to message handlers, so without this a guarded handler of a `ws`
 * gateway refuses every message. socket.io keeps the request itself (`client.request`): its
 * adapter needs nothing, though wrapping it does no harm.
 *
 * Returns the same adapter, with `bindClientConnect` wrapped.
 *
 * @example
 * ```ts
 * import { WsAdapter } from '@nestjs/platform-ws';
 * import { rememberUpgradeRequests } from 'nest-workos-reauth';
 *
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(rememberUpgradeRequests(new WsAdapter(app)));
 * ```
 */
export function rememberUpgradeRequests<T extends ConnectingWebSocketAdapter>(adapter: T): T {
  const bind = adapter.bindClientConnect.bind(adapter);
  adapter.bindClientConnect = (server, callback) =>
    bind(server, (...args: unknown[]) => {
      const [client, request] = args;
      if (isObject(client) && isUpgradeRequest(request)) upgradeRequests.set(client, request);
      return callback(...args);
    });
  return adapter;
}

/**
 * What a guarded message is checked against: the connection's handshake, as a request the
 * authenticator reads, with the message as its `body`.
 * - socket.io: `client.request` (the cookie it carried, its `Origin`), and a token the client
 *   passed as `auth: { token }` as if it were an `Authorization: Bearer` header;
 * - `ws`: the upgrade request {@link rememberUpgradeRequests} kept.
 * `undefined` when the connection's handshake is unknown (a `ws` adapter without it).
 */
export function handshakeOf(client: unknown, message: unknown): ReauthRequest | undefined {
  if (!isObject(client)) return undefined;
  const io = client as { request?: unknown; handshake?: { auth?: unknown } };
  const upgrade =
    upgradeRequests.get(client) ?? (isUpgradeRequest(io.request) ? io.request : undefined);
  if (!upgrade) return undefined;
  const headers = { ...upgrade.headers };
  const auth = isObject(io.handshake) ? io.handshake.auth : undefined;
  if (isObject(auth) && 'token' in auth && headers.authorization === undefined) {
    const token = (auth as { token?: unknown }).token;
    // A token that is not a string is no token of ours: refused as invalid, never ignored.
    headers.authorization = typeof token === 'string' ? `Bearer ${token}` : 'Bearer';
  }
  return {
    // The handshake's own method is GET; its origin is checked separately (see the guard).
    method: 'GET',
    url: upgrade.url,
    originalUrl: upgrade.url,
    headers,
    socket: upgrade.socket,
    body: message,
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isUpgradeRequest(value: unknown): value is UpgradeRequest {
  return isObject(value) && isObject((value as { headers?: unknown }).headers);
}
