import { createServer } from 'node:net';

/**
 * Ports below the kernel's ephemeral range (32768 and up on Linux), so a server that listens on
 * port 0 (an emulator, a relay) or an outgoing connection can never take a port handed out here
 * between the moment it is chosen and the moment its owner listens on it. Each Jest worker has a
 * band of its own, so parallel workers never hand out the same port either.
 */
const FIRST_PORT = 20_000;
const BAND = 500;
const BANDS = 24;

const band = (Number(process.env.JEST_WORKER_ID ?? 0) % BANDS) * BAND;
// A random start within the band: two runs in a row (or two processes outside Jest) rarely
// meet, and a port still in use is skipped below anyway.
let next = Math.floor(Math.random() * BAND);

function listens(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port, known before its owner listens: the app's redirect URI names it. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BAND; tries++) {
    const port = FIRST_PORT + band + (next++ % BAND);
    if (await listens(port)) return port;
  }
  throw new Error(`No free port between ${FIRST_PORT + band} and ${FIRST_PORT + band + BAND - 1}`);
}
