import { type WorkOSClient } from 'nest-workos-reauth';
import { type WorkOS } from '@workos-inc/node';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A JWKS endpoint in front of the emulator's that a test controls: it relays to `upstream`, or
 * answers `failWith` (a status) while that is set, and counts the requests it gets.
 */
export class JwksRelay {
  upstream?: string;
  failWith?: number;
  requests = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<JwksRelay> {
    const handle: { relay?: JwksRelay } = {};
    const server = createServer((_req, res) => {
      const relay = handle.relay!;
      relay.requests += 1;
      const answer = relay.answer();
      void answer.then(({ status, body }) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return (handle.relay = new JwksRelay(server, `http://127.0.0.1:${port}/jwks`));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(): Promise<{ status: number; body: string }> {
    if (this.failWith !== undefined || this.upstream === undefined) {
      return { status: this.failWith ?? 502, body: '{"message":"unavailable"}' };
    }
    const upstream = await fetch(this.upstream);
    return { status: upstream.status, body: await upstream.text() };
  }
}

/** The SDK client, except that it names `jwksUrl` as its key set. */
export function withJwksUrl(workos: WorkOS, jwksUrl: string): WorkOSClient {
  const userManagement = new Proxy(workos.userManagement, {
    get(target, property, receiver) {
      if (property === 'getJwksUrl') return () => jwksUrl;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
  return { baseURL: workos.baseURL, userManagement };
}
