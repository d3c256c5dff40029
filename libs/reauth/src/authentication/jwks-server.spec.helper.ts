import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

// A JWKS endpoint for specs; never part of the package (`*.spec.*`).

/** A JWKS endpoint whose answers the test sets, counting the requests it gets. */
export class JwksServer {
  status = 200;
  keys: object[] = [];
  requests = 0;
  /** While set, a request is answered (with the set as it was when it arrived) once it settles. */
  hold?: Promise<void>;
  arrived?: () => void;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<JwksServer> {
    const handle: { jwks?: JwksServer } = {};
    const server = createServer((_req, res) => {
      const jwks = handle.jwks!;
      jwks.requests += 1;
      const status = jwks.status;
      const body = JSON.stringify(status === 200 ? { keys: jwks.keys } : { message: 'down' });
      jwks.arrived?.();
      void (jwks.hold ?? Promise.resolve()).then(() =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return (handle.jwks = new JwksServer(server, `http://127.0.0.1:${port}/`));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
