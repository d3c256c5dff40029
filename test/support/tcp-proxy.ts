import { createServer, createConnection, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a server (a `redis-server`), for the faults no real part
 * makes on demand: `freeze()` stops carrying bytes either way without closing anything (a link
 * gone silent, as a partition looks), `thaw()` delivers what it held, in order, and carries on (as
 * TCP does once the partition heals); `cut()` closes every connection (a reset).
 */
export interface TcpProxy {
  url: string;
  port: number;
  freeze(): void;
  thaw(): void;
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let held: [Socket, Buffer][] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const carry = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (frozen) held.push([to, chunk]);
        else to.write(chunk);
      });
    carry(client, upstream);
    carry(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      const pending = held;
      held = [];
      for (const [to, chunk] of pending) if (!to.destroyed) to.write(chunk);
    },
    cut: () => {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: async () => {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
