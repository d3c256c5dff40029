import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ReauthUnavailableException } from '../reauth-unavailable.exception';
import { backoffDelayMs, JwksKeySet } from './jwks-key-set';

/** A JWKS endpoint whose answers the test sets, counting the requests it gets. */
class JwksServer {
  status = 200;
  keys: JWK[] = [];
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

async function publicJwk(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
}

const SECOND = 1000;
const BACKOFF = { backoffMs: SECOND, maxBackoffMs: 30 * SECOND };

describe('JwksKeySet', () => {
  let server: JwksServer;
  let now: number;
  let keySet: JwksKeySet;
  let first: JWK;
  let second: JWK;

  beforeAll(async () => {
    first = await publicJwk('key_first');
    second = await publicJwk('key_second');
  });

  beforeEach(async () => {
    server = await JwksServer.start();
    server.keys = [first];
    now = 1_700_000_000_000;
    keySet = new JwksKeySet({
      url: () => Promise.resolve(server.url),
      timeoutMs: 5 * SECOND,
      nowMs: () => now,
      maxAgeMs: 600 * SECOND,
      cooldownMs: 5 * SECOND,
      ...BACKOFF,
    });
  });
  afterEach(() => server.close());

  const unavailable = (lookup: Promise<unknown>) =>
    expect(lookup).rejects.toMatchObject({
      dependency: 'jwks',
      cause: expect.objectContaining({ message: 'JWKS answered 500' }),
    });

  describe('backoff after a failed fetch', () => {
    it('fetches once per delay, however many lookups come, doubling the delay up to 30 s', async () => {
      server.status = 500;
      let fetches = 0;
      for (const delay of [1, 2, 4, 8, 16, 30, 30]) {
        for (let i = 0; i < 10; i++) await unavailable(keySet.get('key_first', 'RS256'));
        expect(server.requests).toBe(++fetches);
        now += delay * SECOND - 1;
        await unavailable(keySet.get('key_first', 'RS256'));
        expect(server.requests).toBe(fetches);
        now += 1;
      }
    });

    it('fails a lookup within the delay as the last fetch failed, with its cause', async () => {
      server.status = 500;
      await unavailable(keySet.get('key_first', 'RS256'));
      const error = (await keySet.get('key_first', 'RS256').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(ReauthUnavailableException);
      expect(error.cause).toEqual(new Error('JWKS answered 500'));
    });

    it('starts again from 1 s after a success', async () => {
      server.status = 500;
      await unavailable(keySet.get('key_first', 'RS256'));
      now += SECOND;
      await unavailable(keySet.get('key_first', 'RS256'));
      now += 2 * SECOND;
      server.status = 200;
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      now += 601 * SECOND; // stale
      server.status = 500;
      await unavailable(keySet.get('key_first', 'RS256'));
      now += SECOND;
      await unavailable(keySet.get('key_first', 'RS256'));
      expect(server.requests).toBe(5);
    });

    it('refetches a stale set once the delay has passed, and fails lookups until then', async () => {
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      now += 601 * SECOND;
      server.status = 500;
      await unavailable(keySet.get('key_first', 'RS256'));
      server.status = 200;
      now += SECOND - 1;
      await unavailable(keySet.get('key_first', 'RS256'));
      expect(server.requests).toBe(2);
      now += 1;
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      expect(server.requests).toBe(3);
    });

    it('keeps serving the known keys of a set that is not stale, without fetching', async () => {
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      now += 6 * SECOND;
      server.status = 500;
      await unavailable(keySet.get('key_unknown', 'RS256'));
      for (let i = 0; i < 5; i++) expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      await unavailable(keySet.get('key_unknown', 'RS256'));
      expect(server.requests).toBe(2);
    });
  });

  describe('lookups for tokens straight from the provider (force)', () => {
    it('fetch for an unknown kid within the cooldown, once for concurrent lookups', async () => {
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      server.keys = [first, second];
      now += SECOND;
      expect(await keySet.get('key_second', 'RS256')).toBeUndefined();
      expect(server.requests).toBe(1);
      const keys = await Promise.all(
        Array.from({ length: 10 }, () => keySet.get('key_second', 'RS256', { force: true })),
      );
      expect(keys.every((key) => key !== undefined)).toBe(true);
      expect(server.requests).toBe(2);
    });

    it('do not fetch for a kid the set already has', async () => {
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      expect(await keySet.get('key_first', 'RS256', { force: true })).toBeDefined();
      expect(server.requests).toBe(1);
    });

    it('do not rely on a fetch that was under way before them', async () => {
      expect(await keySet.get('key_first', 'RS256')).toBeDefined();
      now += 6 * SECOND;
      let release!: () => void;
      server.hold = new Promise((resolve) => (release = resolve));
      const arrived = new Promise<void>((resolve) => (server.arrived = resolve));
      const earlier = keySet.get('key_second', 'RS256');
      await arrived;
      server.keys = [first, second]; // the provider rotates; the earlier answer has the old set
      server.hold = undefined;
      const forced = keySet.get('key_second', 'RS256', { force: true });
      release();
      expect(await earlier).toBeUndefined();
      expect(await forced).toBeDefined();
      expect(server.requests).toBe(3);
    });

    it('do not fetch within the backoff', async () => {
      server.status = 500;
      await unavailable(keySet.get('key_first', 'RS256'));
      await unavailable(keySet.get('key_second', 'RS256', { force: true }));
      expect(server.requests).toBe(1);
    });
  });
});

describe('backoffDelayMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [1000, 30_000],
    [Number.MAX_SAFE_INTEGER, 30_000],
  ])('after %i failures in a row is %i ms', (failures, delay) => {
    expect(backoffDelayMs(failures, BACKOFF)).toBe(delay);
  });
});
