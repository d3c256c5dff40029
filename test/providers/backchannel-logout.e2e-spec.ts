import {
  CurrentAuthentication,
  MemoryPasskeyCredentialStore,
  MemoryReauthStore,
  ReauthModule,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
  type ReauthModuleOptions,
} from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import formBody from '@fastify/formbody';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { IdentityProvider } from '../../libs/reauth/src/providers/identity-provider';
import { HttpBrowser, send } from '../support/http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  signOutAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
} from '../support/oidc-provider';
import { freePort } from '../support/ports';
import { startRig, type HttpPlatform, type ProviderRig } from '../support/provider-rigs';
import { COOKIE_PASSWORD } from '../support/reauth-app';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';
import { assertPasskey, createPasskey } from '../support/software-authenticator';

const ROUTE = '/auth/backchannel-logout';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
const FORM = 'application/x-www-form-urlencoded';
const describeWithRedis = redisAvailable() ? describe : describe.skip;

@Controller()
class SessionController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@CurrentAuthentication() authentication: Authentication) {
    return {
      sub: authentication.claims.sub,
      source: authentication.source,
      sessionId: authentication.sessionId ?? null,
    };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh() {
    return { fresh: true };
  }
}

/** A signed-in session as the app issued it: its cookie, and its access token as a Bearer. */
interface Session {
  /** The `Cookie` header value of the session, for copies sent from anywhere. */
  cookie: string;
  accessToken: string;
  idToken: string;
  sessionId: string;
}

/** Where an app serves, and how its library opens a session cookie. */
interface AppAt {
  url: string;
  app: INestApplication;
}

/** Signs `browser` in at the app (through the provider's pages) and opens the session it got. */
async function signIn(
  app: AppAt,
  browser: HttpBrowser,
  authenticate: (authorizationUrl: string) => Promise<URL>,
): Promise<Session> {
  const start = await browser.get(`${app.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
  expect(start.status).toBe(302);
  const done = await browser.get((await authenticate(start.location!)).href, HTML);
  expect(done.status).toBe(303);
  return sessionIn(app, browser);
}

/** The session the browser's cookie holds now, opened as the app's library opens it. */
async function sessionIn(app: AppAt, browser: HttpBrowser): Promise<Session> {
  const sealed = (await browser.jar.getCookies(app.url)).find((c) => c.key === 'wos-session');
  if (!sealed) throw new Error('no session cookie');
  const session = await app.app.get(IdentityProvider).unseal(sealed.value);
  if (!session?.idToken || !session.sessionId) throw new Error('the session does not open');
  return {
    cookie: `wos-session=${sealed.value}`,
    accessToken: session.accessToken,
    idToken: session.idToken,
    sessionId: session.sessionId,
  };
}

/** What `/signed-in` answers a copy of the session's cookie, and its access token as a Bearer. */
async function statusOf(app: AppAt, session: Session): Promise<{ cookie: number; bearer: number }> {
  const [cookie, bearer] = await Promise.all([
    send(`${app.url}/signed-in`, 'GET', { ...JSON_ACCEPT, cookie: session.cookie }),
    send(`${app.url}/signed-in`, 'GET', {
      ...JSON_ACCEPT,
      authorization: `Bearer ${session.accessToken}`,
    }),
  ]);
  return { cookie: cookie.status, bearer: bearer.status };
}

/**
 * The provider's own sign-out, as a user ending their session there (from another app, or its
 * account page): its end-session endpoint, confirmed. It sends the Logout Tokens before it
 * answers.
 */
async function endAtProvider(
  provider: OidcTestProvider,
  browser: HttpBrowser,
  session: Session,
): Promise<void> {
  const url = new URL(`${provider.issuer}/session/end`);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('id_token_hint', session.idToken);
  await signOutAtOidcProvider(browser, url.href);
}

/** POSTs `body` to the app's back-channel logout route, as a provider does. */
function deliver(
  app: AppAt,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  return send(
    `${app.url}${ROUTE}`,
    'POST',
    { 'content-type': FORM, 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  );
}

/**
 * Where the provider posts Logout Tokens to the app at `url`: its loopback address, which the app
 * listens on (`localhost` may resolve to ::1 first in the provider's process).
 */
const deliveryUri = (url: string) => `${url.replace('//localhost:', '//127.0.0.1:')}${ROUTE}`;

const logoutTokenBody = (token: string) => new URLSearchParams({ logout_token: token }).toString();

/** The claims of a Logout Token the provider would send for `sid`, now. */
function logoutClaims(
  provider: OidcTestProvider,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(provider.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: provider.issuer,
    aud: provider.clientId,
    iat,
    exp: iat + 120,
    jti: randomBytes(12).toString('base64url'),
    sub: OIDC_USERS.alice.sub,
    sid: 'sid-of-nobody',
    events: { [EVENT]: {} },
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

async function discoveryOf(provider: OidcTestProvider): Promise<Record<string, unknown>> {
  const res = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
  return (await res.json()) as Record<string, unknown>;
}

function expectNoStore(res: { headers: Headers }): void {
  expect(res.headers.get('cache-control')).toBe('no-store');
}

/** A refusal as §2.8 asks: 400, an OAuth error body naming the reason, not cacheable. */
function expectRefusal(
  res: { status: number; headers: Headers; text: string },
  reason: string,
): void {
  expect({ status: res.status, body: JSON.parse(res.text) as unknown }).toEqual({
    status: 400,
    body: {
      error: 'invalid_request',
      error_description: expect.stringMatching(new RegExp(`\\(${reason}\\)$`)) as unknown,
    },
  });
  expectNoStore(res);
}

/**
 * An app on the rig's OpenID Provider, registered there for back-channel logout at the app's
 * route, whose access tokens carry the session's `sid` (as Keycloak's do).
 */
function startBackchannelRig(
  adapter: HttpPlatform,
  reauth?: (app: { url: string }) => Partial<ReauthModuleOptions>,
): Promise<ProviderRig> {
  return startRig('oidc-provider', {
    controllers: [SessionController],
    adapter,
    oidcOptions: ({ url }) => ({ backchannelLogoutUri: deliveryUri(url), accessTokenSid: true }),
    reauth,
  });
}

describe.each<HttpPlatform>(['express', 'fastify'])(
  'OpenID Connect Back-Channel Logout on %s',
  (adapter) => {
    describe('when the provider ends a session', () => {
      let rig: ProviderRig;
      let store: MemoryReauthStore;
      let browser: HttpBrowser;

      beforeEach(async () => {
        store = new MemoryReauthStore();
        browser = new HttpBrowser();
        rig = await startBackchannelRig(adapter, ({ url }) => ({
          store,
          stepUp: {
            passkeys: {
              rpId: 'localhost',
              rpName: 'Back-channel logout',
              origins: [url],
              credentials: new MemoryPasskeyCredentialStore(),
            },
          },
        }));
      });
      afterEach(() => rig.close());

      const provider = () => rig.oidc!;
      const signedIn = () => signIn(rig, browser, (url) => rig.authenticateAt(browser, url));

      /** Confirms a passkey in the page for the browser's session: a proof in its ledger. */
      async function confirmWithPasskey(): Promise<void> {
        const call = async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
          const url = `${rig.url}${path}`;
          const res = await send(
            url,
            body === undefined ? 'GET' : 'POST',
            {
              ...JSON_ACCEPT,
              origin: rig.url,
              cookie: await browser.jar.getCookieString(url),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body === undefined ? undefined : JSON.stringify(body),
          );
          for (const cookie of res.headers.getSetCookie()) await browser.jar.setCookie(cookie, url);
          return { ...(JSON.parse(res.text || '{}') as Record<string, unknown>), http: res.status };
        };
        const ceremony = (challenge: unknown) => ({
          challenge: String(challenge),
          origin: rig.url,
          rpId: 'localhost',
        });
        const creation = await call('/auth/passkeys/registration/options', {});
        const { credential, response } = createPasskey(ceremony(creation.challenge));
        expect((await call('/auth/passkeys', { name: 'Key', response })).http).toBe(201);
        await rig.advanceClock(400);
        const refused = await call('/fresh');
        const { ticket } = refused.stepUp as { ticket: string };
        const request = await call('/auth/step-up/passkey/options', { ticket });
        const confirmed = await call('/auth/step-up/passkey', {
          ticket,
          response: assertPasskey(credential, ceremony(request.challenge)),
        });
        expect(confirmed).toMatchObject({ http: 200, status: 'confirmed' });
      }

      it('ends the session when the provider signs the user out: its cookie, its Bearer token and its step-up proofs', async () => {
        const signedInAt = await signedIn();
        await confirmWithPasskey();
        // The confirmation came 400 s later: the cookie holds a refreshed access token by now.
        const session = await sessionIn(rig, browser);
        expect(session.sessionId).toBe(signedInAt.sessionId);
        const proofKey = `reauth:factor:${session.sessionId}:passkey`;
        expect(await store.get(proofKey)).toBeDefined();
        expect(await statusOf(rig, session)).toEqual({ cookie: 200, bearer: 200 });

        await endAtProvider(provider(), browser, session);

        expect(await provider().backchannelLogouts()).toEqual([
          {
            clientId: provider().clientId,
            sub: OIDC_USERS.alice.sub,
            sid: session.sessionId,
            delivered: true,
          },
        ]);
        expect(await statusOf(rig, session)).toEqual({ cookie: 401, bearer: 401 });
        expect(await store.get(proofKey)).toBeUndefined();
      });

      it('keeps other sessions of the same user: a Logout Token with sid ends that one only', async () => {
        const ended = await signedIn();
        const otherBrowser = new HttpBrowser();
        const other = await signIn(rig, otherBrowser, (url) =>
          rig.authenticateAt(otherBrowser, url),
        );
        expect(other.sessionId).not.toBe(ended.sessionId);
        await endAtProvider(provider(), browser, ended);
        expect(await statusOf(rig, ended)).toEqual({ cookie: 401, bearer: 401 });
        expect(await statusOf(rig, other)).toEqual({ cookie: 200, bearer: 200 });
      });

      it('answers 200, empty and not cacheable, to a token it accepts', async () => {
        const session = await signedIn();
        const token = await provider().signJwt(
          logoutClaims(provider(), { sid: session.sessionId }),
          {
            typ: 'logout+jwt',
          },
        );
        const res = await deliver(rig, logoutTokenBody(token));
        expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '' });
        expectNoStore(res);
        expect(await statusOf(rig, session)).toEqual({ cookie: 401, bearer: 401 });
      });
    });

    describe('refuses, and revokes nothing:', () => {
      let rig: ProviderRig;
      let session: Session;

      // One app for every refusal: each leaves the session as it found it, which each checks.
      beforeAll(async () => {
        rig = await startBackchannelRig(adapter);
        const browser = new HttpBrowser();
        session = await signIn(rig, browser, (url) => rig.authenticateAt(browser, url));
      });
      afterAll(() => rig.close());
      afterEach(async () => {
        expect(await statusOf(rig, session)).toEqual({ cookie: 200, bearer: 200 });
      });

      const provider = () => rig.oidc!;

      /** A Logout Token for the session, signed with the provider's own key. */
      const signed = (overrides: Record<string, unknown> = {}, header = {}) =>
        provider().signJwt(logoutClaims(provider(), { sid: session.sessionId, ...overrides }), {
          typ: 'logout+jwt',
          ...header,
        });

      it('a token signed by another key under the provider’s kid', async () => {
        const { kid } = (await provider().jwks()).keys.find((key) => key.alg === 'RS256')!;
        const { privateKey } = await generateKeyPair('RS256');
        const forged = await new SignJWT(logoutClaims(provider(), { sid: session.sessionId }))
          .setProtectedHeader({ alg: 'RS256', kid: kid as string, typ: 'logout+jwt' })
          .sign(privateKey);
        expectRefusal(await deliver(rig, logoutTokenBody(forged)), 'bad_signature');
      });

      it('a token signed by a key the provider does not publish', async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const kid = `unknown-${randomBytes(4).toString('hex')}`;
        const stranger = await new SignJWT(logoutClaims(provider(), { sid: session.sessionId }))
          .setProtectedHeader({ alg: 'ES256', kid, typ: 'logout+jwt' })
          .sign(privateKey);
        expectRefusal(await deliver(rig, logoutTokenBody(stranger)), 'unknown_key');
      });

      it('a token used a second time (its jti)', async () => {
        const nobody = await provider().signJwt(logoutClaims(provider()), { typ: 'logout+jwt' });
        expect((await deliver(rig, logoutTokenBody(nobody))).status).toBe(200);
        expectRefusal(await deliver(rig, logoutTokenBody(nobody)), 'replayed');
        // The same jti in another token: the provider's jti names one logout.
        const jti = (
          JSON.parse(Buffer.from(nobody.split('.')[1], 'base64url').toString()) as {
            jti: string;
          }
        ).jti;
        expectRefusal(await deliver(rig, logoutTokenBody(await signed({ jti }))), 'replayed');
      });

      it.each<[string, Record<string, unknown>, string]>([
        ['for another client', { aud: 'another-client' }, 'wrong_audience'],
        ['from another issuer', { iss: 'http://127.0.0.1:1' }, 'wrong_issuer'],
        ['carrying a nonce', { nonce: 'n-0S6_WzA2Mj' }, 'nonce_present'],
        ['without the logout event', { events: undefined }, 'no_events'],
        ['naming neither session nor user', { sid: undefined, sub: undefined }, 'no_session'],
        ['without jti', { jti: undefined }, 'no_jti'],
        ['expired', { iat: 1_000_000, exp: 1_000_120 }, 'expired'],
      ])('a token %s', async (_what, overrides, reason) => {
        expectRefusal(await deliver(rig, logoutTokenBody(await signed(overrides))), reason);
      });

      it('an ID token of the session sent as a Logout Token', async () => {
        expectRefusal(await deliver(rig, logoutTokenBody(session.idToken)), 'no_events');
      });

      it('an access token of the session sent as a Logout Token', async () => {
        expectRefusal(await deliver(rig, logoutTokenBody(session.accessToken)), 'wrong_type');
      });

      it.each([
        ['no logout_token', 'other=1', 'no_token'],
        ['a logout_token that is not a JWT', 'logout_token=not-a-jwt', 'not_a_jwt'],
        ['an encrypted logout_token', 'logout_token=a.b.c.d.e', 'encrypted'],
        ['two logout_tokens', 'logout_token=a.b.c&logout_token=d.e.f', 'no_token'],
      ])('a form with %s', async (_what, body, reason) => {
        expectRefusal(await deliver(rig, body), reason);
      });

      it('a body that is not a form', async () => {
        const body = JSON.stringify({ logout_token: await signed() });
        expectRefusal(
          await deliver(rig, body, { 'content-type': 'application/json' }),
          'not_a_form',
        );
      });

      it('an oversized body, with 413', async () => {
        const res = await deliver(rig, logoutTokenBody(`${await signed()}${'A'.repeat(20_000)}`));
        expect(res.status).toBe(413);
        expectNoStore(res);
        expect(JSON.parse(res.text)).toMatchObject({ error: 'invalid_request' });
      });

      it('never echoes the token', async () => {
        const token = await signed({ aud: 'another-client' });
        const res = await deliver(rig, logoutTokenBody(token));
        expect(res.text).not.toContain(token.split('.')[1]);
        expect(res.text).not.toContain('another-client');
      });
    });
  },
);

describe('OpenID Connect Back-Channel Logout without sid', () => {
  let rig: ProviderRig;

  beforeEach(async () => {
    rig = await startRig('oidc-provider', {
      controllers: [SessionController],
      oidcOptions: ({ url }) => ({
        backchannelLogoutUri: deliveryUri(url),
        backchannelLogoutSessionRequired: false,
      }),
    });
  });
  afterEach(() => rig.close());

  it('is what discovery says the provider supports, with sid (and nothing of it without a registered client)', async () => {
    expect(await discoveryOf(rig.oidc!)).toMatchObject({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    const plain = await startOidcProvider({ redirectUris: ['http://localhost:1/auth/callback'] });
    try {
      expect(await discoveryOf(plain)).not.toHaveProperty('backchannel_logout_supported');
    } finally {
      await plain.stop();
    }
  });

  it('ends every session of the user signed in before the token, and none signed in after', async () => {
    const [first, second, later] = [new HttpBrowser(), new HttpBrowser(), new HttpBrowser()];
    const sessionOf = (browser: HttpBrowser) =>
      signIn(rig, browser, (url) => rig.authenticateAt(browser, url));
    const one = await sessionOf(first);
    const two = await sessionOf(second);
    await endAtProvider(rig.oidc!, first, one);
    expect(await rig.oidc!.backchannelLogouts()).toEqual([
      { clientId: rig.oidc!.clientId, sub: OIDC_USERS.alice.sub, sid: null, delivered: true },
    ]);
    expect(await statusOf(rig, one)).toEqual({ cookie: 401, bearer: 401 });
    expect(await statusOf(rig, two)).toEqual({ cookie: 401, bearer: 401 });
    await rig.advanceClock(1);
    const three = await sessionOf(later);
    expect(await statusOf(rig, three)).toEqual({ cookie: 200, bearer: 200 });
  });
});

describe('The back-channel logout route', () => {
  let rig: ProviderRig | undefined;
  afterEach(() => rig?.close());

  /** A Logout Token of the rig's provider for a session nobody holds. */
  const someToken = async (r: ProviderRig) =>
    logoutTokenBody(await r.oidc!.signJwt(logoutClaims(r.oidc!), { typ: 'logout+jwt' }));

  it('is not there when back-channel logout is off', async () => {
    rig = await startRig('oidc-provider', {
      controllers: [SessionController],
      reauth: { providerSignals: { backchannelLogout: false } },
    });
    const res = await deliver(rig, await someToken(rig));
    expect({ status: res.status, body: JSON.parse(res.text) as unknown }).toEqual({
      status: 404,
      body: { error: 'not_found' },
    });
    expectNoStore(res);
  });

  it('takes a token on Fastify with @fastify/formbody, Nest’s own parser off', async () => {
    rig = await startRig('oidc-provider', {
      controllers: [SessionController],
      adapter: 'fastify',
      bodyParser: false,
      configure: async (nest) => {
        await (nest as NestFastifyApplication).register(formBody);
      },
    });
    const res = await deliver(rig, await someToken(rig));
    expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '' });
  });

  it('is not there for AuthKit', async () => {
    rig = await startRig('authkit-emulator', { controllers: [SessionController] });
    expect((await deliver(rig, 'logout_token=a.b.c')).status).toBe(404);
  });

  it('answers 429 to a flood from one address, and accepts again a minute later', async () => {
    rig = await startRig('oidc-provider', {
      controllers: [SessionController],
      reauth: { providerSignals: { perAddressPerMinute: 3 } },
    });
    for (let i = 0; i < 3; i++) expect((await deliver(rig, 'logout_token=x')).status).toBe(400);
    const flooded = await deliver(rig, await someToken(rig));
    expect(flooded.status).toBe(429);
    expectNoStore(flooded);
    expect(flooded.headers.get('retry-after')).toMatch(/^\d+$/);
    await rig.advanceClock(61);
    expect((await deliver(rig, await someToken(rig))).status).toBe(200);
  });

  it('answers 503 and revokes nothing while the store fails, and 200 to the same token once it is back', async () => {
    const store = new WriteOutageStore();
    const browser = new HttpBrowser();
    rig = await startRig('oidc-provider', {
      controllers: [SessionController],
      oidcOptions: { accessTokenSid: true },
      reauth: { store },
    });
    const r = rig;
    const session = await signIn(r, browser, (url) => r.authenticateAt(browser, url));
    const token = logoutTokenBody(
      await r.oidc!.signJwt(logoutClaims(r.oidc!, { sid: session.sessionId }), {
        typ: 'logout+jwt',
      }),
    );
    store.down = true;
    const failed = await deliver(r, token);
    expect(failed.status).toBe(503);
    expectNoStore(failed);
    expect(failed.text).not.toContain(session.sessionId);
    store.down = false;
    expect(await statusOf(r, session)).toEqual({ cookie: 200, bearer: 200 });
    expect((await deliver(r, token)).status).toBe(200);
    expect(await statusOf(r, session)).toEqual({ cookie: 401, bearer: 401 });
  });
});

/**
 * What `probe` resolves once it resolves `expected`, or after 5 s whatever it resolves then: for
 * what reaches another instance through the store's channel, which no clock can hurry.
 */
async function settled<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const seen = await probe();
    if (isDeepStrictEqual(seen, expected) || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A memory store that refuses every write while `down`, as a store losing its primary does. */
class WriteOutageStore extends MemoryReauthStore {
  down = false;

  override set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.refuse() ?? super.set(key, value, ttlSeconds);
  }

  override setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.refuse() ?? super.setIfAbsent(key, value, ttlSeconds);
  }

  override take(key: string): Promise<string | undefined> {
    return this.refuse() ?? super.take(key);
  }

  override increment(key: string, ttlSeconds: number): Promise<number> {
    return this.refuse() ?? super.increment(key, ttlSeconds);
  }

  private refuse(): Promise<never> | undefined {
    return this.down
      ? Promise.reject(new Error("READONLY You can't write against a read only replica."))
      : undefined;
  }
}

describeWithRedis('Back-channel logout on two instances sharing one Redis', () => {
  let redis: TestRedis;
  let provider: OidcTestProvider;
  let instances: AppAt[];

  beforeAll(async () => {
    redis = await startRedis();
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((port) => `http://localhost:${port}`);
    provider = await startOidcProvider({
      redirectUris: urls.map((url) => `${url}/auth/callback`),
      // The provider knows one URI per client: the deployment's; here it reaches the first.
      backchannelLogoutUri: deliveryUri(urls[0]),
      accessTokenSid: true,
    });
    instances = [];
    for (const [i, port] of ports.entries()) {
      const options: ReauthModuleOptions = {
        clientId: provider.clientId,
        redirectUri: `${urls[i]}/auth/callback`,
        cookiePassword: COOKIE_PASSWORD,
        oidc: {
          issuer: provider.issuer,
          clientSecret: provider.clientSecret,
          audience: provider.resource,
        },
        now: () => provider.now(),
        store: new RedisReauthStore({ connection: redis.url }),
      };
      @Module({ imports: [ReauthModule.forRoot(options)], controllers: [SessionController] })
      class InstanceModule {}
      const moduleRef = await Test.createTestingModule({ imports: [InstanceModule] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.listen(port, '127.0.0.1');
      instances.push({ url: urls[i], app });
    }
  });
  afterAll(async () => {
    for (const instance of instances ?? []) await instance.app.close();
    await provider?.stop();
    await redis?.close();
  });

  it('a session the provider ended through the first instance is refused by the second', async () => {
    const [first, second] = instances;
    const browser = new HttpBrowser();
    const session = await signIn(
      first,
      browser,
      async (url) =>
        new URL(
          await signInAtOidcProvider(browser, url, OIDC_USERS.alice, {
            redirectUri: `${first.url}/auth/callback`,
          }),
        ),
    );
    expect(await statusOf(second, session)).toEqual({ cookie: 200, bearer: 200 });
    await endAtProvider(provider, browser, session);
    expect((await provider.backchannelLogouts()).map((d) => d.delivered)).toEqual([true]);
    expect(await statusOf(first, session)).toEqual({ cookie: 401, bearer: 401 });
    // The second instance hears of it through Redis: at once, or within the channel's delivery.
    expect(await settled(() => statusOf(second, session), { cookie: 401, bearer: 401 })).toEqual({
      cookie: 401,
      bearer: 401,
    });
  });
});
