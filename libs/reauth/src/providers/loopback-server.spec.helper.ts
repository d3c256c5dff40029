import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

// An HTTP server for specs; never part of the package (`*.spec.*`).

/** A server on a free port of the loopback interface; `url` has no trailing slash. */
export class LoopbackServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(listener: RequestListener): Promise<LoopbackServer> {
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new LoopbackServer(server, `http://127.0.0.1:${port}`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
