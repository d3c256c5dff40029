import { generateKeyPairSync } from 'node:crypto';
import type { Jwk } from '../crypto/jwk';
import { testKeyPair } from '../crypto/test-keys.spec.helper';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { backoffDelayMs } from '../core/backoff';
import { JwksKeySet } from './jwks-key-set';
import { JwksServer } from './jwks-server.spec.helper';

function publicJwk(kid: string): Jwk {
  return { ...testKeyPair('RS256', kid).jwk, alg: 'RS256' };
}

const SECOND = 1000;
const BACKOFF = { backoffMs: SECOND, maxBackoffMs: 30 * SECOND };

describe('JwksKeySet', () => {
  let server: JwksServer;
  let now: number;
  let keySet: JwksKeySet;
  let first: Jwk;
  let second: Jwk;

  beforeAll(() => {
    first = publicJwk('key_first');
    second = publicJwk('key_second');
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

  /** The key the provider publishes from the start is served. */
  const expectFirstKey = async () => expect(await keySet.get('key_first', 'RS256')).toBeDefined();
  const unavailable = (lookup: Promise<unknown>) =>
    expect(lookup).rejects.toMatchObject({
      dependency: 'jwks',
      cause: expect.objectContaining({ message: 'JWKS answered 500' }),
    });
  /** Fetches the set, lets `ms` pass, and has the endpoint answer 500 from then on. */
  async function fetchedThenDown(ms: number) {
    await expectFirstKey();
    now += ms;
    server.status = 500;
  }

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
      await fetchedThenDown(601 * SECOND); // stale
      await unavailable(keySet.get('key_first', 'RS256'));
      now += SECOND;
      await unavailable(keySet.get('key_first', 'RS256'));
      expect(server.requests).toBe(5);
    });

    it('refetches a stale set once the delay has passed, and fails lookups until then', async () => {
      await fetchedThenDown(601 * SECOND);
      await unavailable(keySet.get('key_first', 'RS256'));
      server.status = 200;
      now += SECOND - 1;
      await unavailable(keySet.get('key_first', 'RS256'));
      expect(server.requests).toBe(2);
      now += 1;
      await expectFirstKey();
      expect(server.requests).toBe(3);
    });

    it('keeps serving the known keys of a set that is not stale, without fetching', async () => {
      await fetchedThenDown(6 * SECOND);
      await unavailable(keySet.get('key_unknown', 'RS256'));
      for (let i = 0; i < 5; i++) await expectFirstKey();
      await unavailable(keySet.get('key_unknown', 'RS256'));
      expect(server.requests).toBe(2);
    });
  });

  describe('lookups for tokens straight from the provider (force)', () => {
    it('fetch for an unknown kid within the cooldown, once for concurrent lookups', async () => {
      await expectFirstKey();
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
      await expectFirstKey();
      expect(await keySet.get('key_first', 'RS256', { force: true })).toBeDefined();
      expect(server.requests).toBe(1);
    });

    it('do not rely on a fetch that was under way before them', async () => {
      await expectFirstKey();
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
  describe('which published keys serve which algorithm', () => {
    let ec: Jwk;
    let ed: Jwk;
    let rsa: Jwk;
    let p384: Jwk;
    let rsaPrivate: Jwk;

    beforeAll(() => {
      // Bare JWKs, as a provider may publish them: no kid, use or alg.
      const bare = (key: { export(options: { format: 'jwk' }): object }) =>
        key.export({ format: 'jwk' }) as Jwk;
      ec = bare(testKeyPair('ES256').publicKey);
      ed = bare(testKeyPair('EdDSA').publicKey);
      const rsaPair = testKeyPair('RS256');
      rsa = bare(rsaPair.publicKey);
      rsaPrivate = bare(rsaPair.privateKey);
      p384 = bare(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    });

    /** Publishes `jwks` alone and looks `kid` up for `alg` in a fresh fetch of the set. */
    async function lookup(jwks: Jwk[], kid: string, alg: string) {
      server.keys = jwks;
      now += 601 * SECOND;
      const requests = server.requests;
      const key = await keySet.get(kid, alg);
      expect(server.requests).toBe(requests + 1);
      return key;
    }

    it.each([
      ['an EC P-256 key', 'ES256', () => ec, 'ec'],
      ['an OKP Ed25519 key', 'EdDSA', () => ed, 'ed25519'],
      ['an RSA key', 'RS256', () => rsa, 'rsa'],
      ['an RSA key', 'PS256', () => rsa, 'rsa'],
    ])('imports %s published without alg for %s', async (_label, alg, jwk, type) => {
      const key = await lookup([{ ...jwk(), kid: 'k' }], 'k', alg);
      expect(key).toBeDefined();
      expect(key!.asymmetricKeyType).toBe(type);
      expect(key!.type).toBe('public');
    });

    it('imports one RSA key published without alg once, for both RSA algorithms', async () => {
      server.keys = [{ ...rsa, kid: 'k' }];
      const pkcs1 = await keySet.get('k', 'RS256');
      const pss = await keySet.get('k', 'PS256');
      expect(pkcs1).toBeDefined();
      expect(pss).toBe(pkcs1);
      expect(keySet.current('k', 'RS256')).toBe(pkcs1);
      expect(server.requests).toBe(1);
    });

    it.each([
      [['sign'], false],
      [[], false],
      ['verify', false],
      [['verify'], true],
      [['sign', 'verify'], true],
    ])('with key_ops %j, uses the key: %p', async (keyOps, used) => {
      const key = await lookup([{ ...rsa, kid: 'k', key_ops: keyOps }], 'k', 'RS256');
      expect(key !== undefined).toBe(used);
    });

    it('refuses an RSA key shorter than 2048 bits, for both RSA algorithms', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const short = publicKey.export({ format: 'jwk' }) as Jwk;
      expect(await lookup([{ ...short, kid: 'k' }], 'k', 'RS256')).toBeUndefined();
      expect(await keySet.get('k', 'PS256')).toBeUndefined();
      expect(keySet.current('k', 'RS256')).toBeUndefined();
    });

    it('refuses a P-256 JWK whose point is not on the curve', async () => {
      const offCurve = { ...ec, x: ec.y, kid: 'k' };
      expect(await lookup([offCurve], 'k', 'ES256')).toBeUndefined();
    });

    it.each([
      ['an RSA key published for RS256', 'PS256', () => ({ ...rsa, alg: 'RS256' })],
      ['an RSA key published for PS256', 'RS256', () => ({ ...rsa, alg: 'PS256' })],
      ['an EC key published for ES384', 'ES256', () => ({ ...ec, alg: 'ES384' })],
      ['an OKP key published for Ed25519', 'EdDSA', () => ({ ...ed, alg: 'Ed25519' })],
    ])('does not use %s for %s', async (_label, alg, jwk) => {
      expect(await lookup([{ ...jwk(), kid: 'k' }], 'k', alg)).toBeUndefined();
      // The same key, published for the algorithm asked, is used.
      expect(await lookup([{ ...jwk(), kid: 'k', alg }], 'k', alg)).toBeDefined();
    });

    it.each([
      ['an EC key', ['RS256', 'PS256', 'EdDSA'], () => ec],
      ['an OKP key', ['RS256', 'PS256', 'ES256'], () => ed],
      ['an RSA key', ['ES256', 'EdDSA'], () => rsa],
    ])('does not use %s for %j', async (_label, algs, jwk) => {
      server.keys = [{ ...jwk(), kid: 'k' }];
      for (const alg of algs) expect(await keySet.get('k', alg)).toBeUndefined();
    });

    it('does not use a P-384 key for ES256', async () => {
      expect(await lookup([{ ...p384, kid: 'k' }], 'k', 'ES256')).toBeUndefined();
      expect(await lookup([{ ...p384, kid: 'k', crv: 'P-256' }], 'k', 'ES256')).toBeUndefined();
    });

    it.each(['ES384', 'ES512', 'RS384', 'RS512', 'PS512', 'HS256', 'none', 'Ed25519'])(
      'does not import any key for %s',
      async (alg) => {
        server.keys = [
          { ...ec, kid: 'ec' },
          { ...ed, kid: 'ed' },
          { ...rsa, kid: 'rsa' },
          { ...p384, kid: 'p384' },
        ];
        for (const kid of ['ec', 'ed', 'rsa', 'p384']) {
          expect(await keySet.get(kid, alg)).toBeUndefined();
        }
      },
    );

    it('never uses a private key, even when it is published', async () => {
      expect(await lookup([{ ...rsaPrivate, kid: 'k' }], 'k', 'RS256')).toBeUndefined();
      expect(
        await lookup([{ ...rsaPrivate, kid: 'k', alg: 'RS256', use: 'sig' }], 'k', 'RS256'),
      ).toBeUndefined();
    });

    it('never uses a symmetric key', async () => {
      const secret = { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url') };
      for (const alg of ['HS256', 'RS256', 'ES256']) {
        expect(await lookup([{ ...secret, kid: 'k', alg }], 'k', alg)).toBeUndefined();
      }
      // Without k, still not a key type that verifies anything.
      expect(await lookup([{ kty: 'oct', kid: 'k' }], 'k', 'HS256')).toBeUndefined();
    });

    it('skips a key published for encryption, and uses one for signing', async () => {
      server.keys = [
        { ...rsa, kid: 'enc', use: 'enc' },
        { ...rsa, kid: 'sig', use: 'sig' },
        { ...rsa, kid: 'any' },
      ];
      expect(await keySet.get('enc', 'RS256')).toBeUndefined();
      expect(await keySet.get('sig', 'RS256')).toBeDefined();
      expect(await keySet.get('any', 'RS256')).toBeDefined();
      expect(keySet.publishes('enc')).toBe(false);
      expect(keySet.publishes('sig')).toBe(true);
    });

    it('keeps serving the other keys when one is malformed', async () => {
      server.keys = [
        { ...ec, kid: 'broken', x: 'not-a-coordinate' },
        { kty: 'RSA', kid: 'empty' },
        { ...ec, kid: 'good' },
      ];
      expect(await keySet.get('broken', 'ES256')).toBeUndefined();
      expect(await keySet.get('empty', 'RS256')).toBeUndefined();
      expect(await keySet.get('good', 'ES256')).toBeDefined();
    });

    it('skips keys without a kid or that are not objects', async () => {
      server.keys = [{ ...rsa }, null, 'key', { ...rsa, kid: 7 }] as unknown as Jwk[];
      expect(await keySet.get('undefined', 'RS256')).toBeUndefined();
      expect(await keySet.get('7', 'RS256')).toBeUndefined();
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
