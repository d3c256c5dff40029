import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { resolveReauthSetup } from '../options/reauth.options';
import { checkProvider } from './provider-check';

/** What a JWKS endpoint answers: a status, a content type and a body. */
interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const json = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });

const publicJwk = (type: 'rsa' | 'ec'): JsonWebKey =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  ).publicKey.export({ format: 'jwk' });

const RSA = { ...publicJwk('rsa'), kid: 'k1', use: 'sig' };
const EC = { ...publicJwk('ec'), kid: 'k2' };

describe('checkProvider (the checkProviderOnStart option), on WorkOS', () => {
  let server: Server;
  let port: number;
  let answer: Answer;
  const timeouts = { jwksTimeoutMs: 2000 };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const providerAt = (at: number) =>
    resolveReauthSetup({
      apiKey: 'sk_test_x',
      clientId: 'client_x',
      redirectUri: 'http://localhost:3000/auth/callback',
      cookiePassword: 'p'.repeat(32),
      apiHostname: '127.0.0.1',
      port: at,
      https: false,
    }).provider;
  const failure = (at: number, what: string) =>
    `ReauthModule: checkProviderOnStart: WorkOS AuthKit, issuers http://127.0.0.1:${at}/user_management/client_x: its JWKS at http://127.0.0.1:${at}/sso/jwks/client_x ${what}`;

  it('passes when the JWKS has a public signing key for RS256', async () => {
    answer = json({ keys: [EC, RSA] });
    await expect(checkProvider(providerAt(port), timeouts)).resolves.toBeUndefined();
  });

  it.each([404, 401, 500, 503])('names the status %p the JWKS answered', async (status) => {
    answer = json({ message: 'Client not found' }, status);
    await expect(checkProvider(providerAt(port), timeouts)).rejects.toThrow(
      new Error(failure(port, `answered ${status}`)),
    );
  });

  it('refuses a redirect, as the verifier does', async () => {
    answer = { status: 302, body: '', headers: { location: '/elsewhere' } };
    await expect(checkProvider(providerAt(port), timeouts)).rejects.toThrow(
      failure(port, 'did not load: fetch failed'),
    );
  });

  it('refuses a body that is not JSON', async () => {
    answer = { status: 200, body: '<html>' };
    await expect(checkProvider(providerAt(port), timeouts)).rejects.toMatchObject({
      message: failure(port, 'is not JSON'),
    });
  });

  it.each([null, [], {}, { keys: {} }, { keys: 'k1' }, -1, '1'])(
    'refuses %p, which is not a JWKS',
    async (body) => {
      answer = json(body);
      await expect(checkProvider(providerAt(port), timeouts)).rejects.toThrow(
        new Error(failure(port, 'is not a JWKS (no "keys" array)')),
      );
    },
  );

  it.each([
    ['no keys', []],
    ['only a key of another type', [EC]],
    ['a key without kid', [{ ...RSA, kid: undefined }]],
    ['an encryption key', [{ ...RSA, use: 'enc' }]],
    ['a private key', [{ ...RSA, d: 'private' }]],
    ['a symmetric key', [{ kty: 'oct', kid: 'k3', k: 'c2VjcmV0' }]],
    ['entries that are not keys', [null, 'k1', 1]],
  ])('refuses a JWKS with %s', async (_name, keys) => {
    answer = json({ keys });
    await expect(checkProvider(providerAt(port), timeouts)).rejects.toThrow(
      new Error(failure(port, 'has no public signing key for RS256')),
    );
  });

  it('names the system error when nothing answers, and keeps the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = (await checkProvider(providerAt(unused), timeouts).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(failure(unused, 'did not load: fetch failed (ECONNREFUSED)'));
    // fetch's own TypeError (of another realm under Jest)
    expect((error.cause as Error).name).toBe('TypeError');
  });
});
