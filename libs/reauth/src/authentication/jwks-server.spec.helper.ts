import { LoopbackServer } from '../providers/loopback-server.spec.helper';

// A JWKS endpoint for specs; never part of the package (`*.spec.*`).

/** A JWKS endpoint whose answers the test sets, counting the requests it gets. */
export class JwksServer {
  status = 200;
  keys: object[] = [];
  requests = 0;
  /** While set, a request is answered (with the set as it was when it arrived) once it settles. */
  hold?: Promise<void>;
  arrived?: () => void;

  readonly url: string;

  private constructor(private readonly server: LoopbackServer) {
    this.url = `${server.url}/`;
  }

  static async start(): Promise<JwksServer> {
    const handle: { jwks?: JwksServer } = {};
    const server = await LoopbackServer.start((_req, res) => {
      const jwks = handle.jwks!;
      jwks.requests += 1;
      const status = jwks.status;
      const body = JSON.stringify(status === 200 ? { keys: jwks.keys } : { message: 'down' });
      jwks.arrived?.();
      void (jwks.hold ?? Promise.resolve()).then(() =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      );
    });
    return (handle.jwks = new JwksServer(server));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
