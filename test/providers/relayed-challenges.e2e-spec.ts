import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { OIDC_ACR } from '../support/oidc-provider';
import {
  startRig,
  type HttpPlatform,
  type ProviderRig,
  type RigName,
} from '../support/provider-rigs';
import {
  always,
  assurance,
  authenticationContext,
  recentSignIn,
  scope,
  startResourceServer,
  type ResourceServer,
} from '../support/resource-server';
import { BffController, DOWNSTREAM, OpenTokenController } from './relayed-challenges.routes';

/**
 * A backend-for-frontend relays the step-up challenges of a downstream API (a real resource
 * server verifying the user's access token against the provider's keys) to its user: the JSON 401
 * with a `reauthUrl` asking for what the downstream asked, a sign-in at the provider, the
 * callback checking the new token meets it, and the request retried once, now satisfied.
 */

const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const JSON_ACCEPT = { accept: 'application/json' };
const RIGS: readonly (readonly [RigName, HttpPlatform])[] = [
  ['authkit-emulator', 'express'],
  ['oidc-provider', 'express'],
  ['oidc-provider', 'fastify'],
];
const LOOP_CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"';

// Continuous access evaluation: a token issued after this time is wanted, which no token shows.
const CAE_CHALLENGE = `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(
  JSON.stringify({ access_token: { nbf: { essential: true, value: '1604106651' } } }),
).toString('base64')}"`;

const body = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;

describe.each(RIGS)('Relayed challenges on %s (%s)', (rigName, adapter) => {
  const oidc = rigName !== 'authkit-emulator';
  let rig: ProviderRig;
  let downstream: ResourceServer;
  let browser: HttpBrowser;

  beforeAll(async () => {
    rig = await startRig(rigName, {
      controllers: [BffController, OpenTokenController],
      adapter,
      reauth: { relayedChallenges: { scopes: ['files:write', 'files:admin'], claims: ['nbf'] } },
      oidcOptions: {
        claimsParameter: true,
        authenticationContexts: { c1: OIDC_ACR.otp },
        resourceScopes: ['files:write'],
      },
    });
    const jwks = oidc
      ? {
          jwksUrl: `${rig.oidc!.issuer}/jwks`,
          issuer: rig.oidc!.issuer,
          audience: rig.oidc!.resource,
        }
      : {
          jwksUrl: `${rig.emulator!.url}/sso/jwks/${rig.emulator!.clientId}`,
          issuer: `${rig.emulator!.url}/user_management/${rig.emulator!.clientId}`,
        };
    downstream = await startResourceServer({
      ...jwks,
      now: () => rig.nowSeconds(),
      routes: {
        '/fresh': recentSignIn(300),
        '/loa2': assurance([OIDC_ACR.otp]),
        '/contexts': authenticationContext('c1'),
        '/files': scope('files:write'),
        '/admin-files': scope('files:admin'),
        '/stubborn': always(LOOP_CHALLENGE),
        '/unknown-acr': assurance(['urn:example:loa:9']),
        '/now': always('Bearer error="insufficient_user_authentication", max_age="0"'),
        '/broken': always('Bearer error="insufficient_scope", scope="a'),
        '/bad-claims': always('Bearer error="insufficient_claims", claims="bm90IGpzb24="'),
        '/invalid-token': always('Bearer error="invalid_token"'),
        '/cae': always(CAE_CHALLENGE),
        '/unlisted-scope': scope('payments:write'),
        '/unlisted-claim': always(
          `Bearer error="insufficient_claims", claims="${Buffer.from(
            JSON.stringify({ access_token: { roles: { essential: true, value: 'admin' } } }),
          ).toString('base64')}"`,
        ),
      },
    });
    DOWNSTREAM.url = downstream.url;
  });
  afterAll(async () => {
    await downstream?.close();
    await rig?.close();
  });
  beforeEach(async () => {
    browser = new HttpBrowser();
    await rig.oidc?.reset();
  });

  const bff = (route: string) => browser.get(`${rig.url}/bff/${route}`, JSON_ACCEPT);

  /** Signs Alice in at the provider, then lets `seconds` pass. */
  async function signInAged(seconds: number): Promise<void> {
    const start = await browser.get(
      `${rig.url}/auth/login?returnTo=${encodeURIComponent('/bff/signed-in')}`,
      HTML,
    );
    expect(start.status).toBe(302);
    const callback = await rig.authenticateAt(browser, start.location!);
    expect((await browser.get(callback.href, HTML)).status).toBe(303);
    if (seconds > 0) await rig.advanceClock(seconds);
  }

  /** Follows a relayed refusal's reauthUrl through the provider to the callback's answer. */
  async function reauthenticate(
    refused: BrowserResponse,
    secondFactor = false,
  ): Promise<BrowserResponse> {
    const reauthUrl = body(refused).reauthUrl as string;
    const callback = await rig.authenticateAt(browser, reauthUrl, 'alice', { secondFactor });
    return browser.get(callback.href, HTML);
  }

  function expectRelayed(res: BrowserResponse, fields: Record<string, unknown>): URLSearchParams {
    expect(res.status).toBe(401);
    expect(body(res)).toMatchObject({ error: 'reauth_required', ...fields });
    expect(res.headers.get('cache-control')).toContain('no-store');
    return new URL(body(res).reauthUrl as string).searchParams;
  }

  function expectRefused(res: BrowserResponse, reason: string): void {
    expect(res.status).toBe(502);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body(res)).toEqual({
      statusCode: 502,
      error: 'downstream_challenge_refused',
      reason,
      message: expect.any(String),
    });
  }

  describe('insufficient_user_authentication with max_age', () => {
    it('relays a stale sign-in, which the sign-in satisfies; the retry passes', async () => {
      await signInAged(400);
      const refused = await bff('fresh');
      const query = expectRelayed(refused, { reason: 'stale', maxAge: 300 });
      expect(refused.headers.get('www-authenticate')).toContain('max_age="300"');
      expect(query.get('max_age')).toBe('300');
      expect(downstream.answers('/fresh')).toEqual([401]);

      expect((await reauthenticate(refused)).status).toBe(303);
      const retried = await bff('fresh');
      expect(retried.status).toBe(200);
      expect(body(retried)).toMatchObject({ downstream: 200, body: { ok: true } });
      expect(downstream.answers('/fresh')).toEqual([401, 200]);
    });

    it('answers a downstream that asks again after the fresh sign-in with 502 loop, once', async () => {
      await signInAged(400);
      const refused = await bff('stubborn');
      expectRelayed(refused, { reason: 'stale', maxAge: 300 });
      expect((await reauthenticate(refused)).status).toBe(303);

      expectRefused(await bff('stubborn'), 'loop');
      expect(downstream.answers('/stubborn')).toEqual([401, 401]);
    });

    it('refuses max_age=0 as unsatisfiable, starting no sign-in', async () => {
      await signInAged(0);
      const res = await bff('now');
      expectRefused(res, 'unsatisfiable');
      expect(res.text).not.toContain('reauthUrl');
    });
  });

  describe('malformed challenges', () => {
    it.each([
      ['a header outside the grammar', 'broken'],
      ['claims that are not a JSON object', 'bad-claims'],
    ])('answers %s with 502 malformed', async (_label, route) => {
      await signInAged(0);
      expectRefused(await bff(route), 'malformed');
    });

    it('leaves a challenge that is no step-up (invalid_token) to the app', async () => {
      await signInAged(0);
      const res = await bff('invalid-token');
      expect(res.status).toBe(200);
      expect(body(res)).toMatchObject({ downstream: 401 });
    });
  });

  describe('accessToken() on a route without a guard decorator', () => {
    const post = (headers: Record<string, string>) =>
      browser.request(`${rig.url}/open/token`, {
        method: 'POST',
        headers: { ...JSON_ACCEPT, ...headers },
      });

    it('refuses a cookie POST from another site with 403 cross_site_request, as the guard does', async () => {
      await signInAged(0);
      const foreign = await post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' });
      expect(foreign.status).toBe(403);
      expect(body(foreign)).toMatchObject({
        error: 'reauth_forbidden',
        reason: 'cross_site_request',
      });
      const own = await post({ 'sec-fetch-site': 'same-origin' });
      expect(own.status).toBe(201);
      expect(body(own)).toEqual({ token: true });
    });

    it('without a response, does not spend the refresh token of an expired session: TypeError, and the session refreshes later', async () => {
      await signInAged(4000);
      const res = await browser.get(`${rig.url}/open/token-without-response`, JSON_ACCEPT);
      expect(body(res)).toMatchObject({
        error: 'TypeError',
        message: expect.stringContaining('accessToken'),
      });
      expect(res.headers.getSetCookie()).toEqual([]);
      // The browser's refresh token is unspent: the next request with a response refreshes.
      const next = await browser.get(`${rig.url}/bff/signed-in`, JSON_ACCEPT);
      expect(next.status).toBe(200);
      expect(next.headers.getSetCookie().some((c) => c.startsWith('wos-session='))).toBe(true);
    });
  });

  if (!oidc) {
    describe('what AuthKit cannot be asked for', () => {
      it.each([
        ['a claims challenge', 'contexts'],
        ['a scope step-up', 'files'],
        ['acr_values', 'loa2'],
      ])('refuses %s as unsatisfiable', async (_label, route) => {
        await signInAged(0);
        expectRefused(await bff(route), 'unsatisfiable');
      });
    });
    return;
  }

  describe('insufficient_user_authentication with acr_values', () => {
    it('relays acr_values; a sign-in with the second factor satisfies them', async () => {
      await signInAged(0);
      const refused = await bff('loa2');
      const query = expectRelayed(refused, {
        reason: 'insufficient_assurance',
        acrValues: [OIDC_ACR.otp],
      });
      expect(query.get('acr_values')).toBe(OIDC_ACR.otp);

      expect((await reauthenticate(refused, true)).status).toBe(303);
      expect(body(await bff('loa2'))).toMatchObject({
        downstream: 200,
        body: { acr: OIDC_ACR.otp },
      });
    });

    it('refuses an acr the provider does not offer as unsatisfiable', async () => {
      await signInAged(0);
      expectRefused(await bff('unknown-acr'), 'unsatisfiable');
    });
  });

  describe("Entra's insufficient_claims with an authentication context", () => {
    it('sends the claims request; the new token names the context; the retry passes', async () => {
      await signInAged(0);
      const refused = await bff('contexts');
      const query = expectRelayed(refused, { reason: 'insufficient_assurance' });
      expect(JSON.parse(query.get('claims')!)).toEqual({
        id_token: { auth_time: { essential: true } },
        access_token: { acrs: { essential: true, value: 'c1' } },
      });

      expect((await reauthenticate(refused, true)).status).toBe(303);
      expect(body(await bff('contexts'))).toMatchObject({
        downstream: 200,
        body: { acrs: ['c1'] },
      });
      expect(downstream.answers('/contexts')).toEqual([401, 200]);
    });

    it('fails the callback with claims_not_satisfied when the token does not name it', async () => {
      await rig.oidc!.enforceAcrValues(false);
      await signInAged(0);
      const refused = await bff('contexts');
      const callback = await reauthenticate(refused, false);
      expect(callback.status).toBe(401);
      expect(callback.text).toContain(
        'did not confirm the sign-in a service this action depends on asks for',
      );
      // The session is the one from before: the downstream still refuses, and the relay asks again.
      expectRelayed(await bff('contexts'), { reason: 'insufficient_assurance' });
    });
  });

  describe('a claims challenge the library cannot check in a token (continuous access evaluation)', () => {
    it('relays it once; asked again of the token the sign-in brought, answers 502 loop', async () => {
      await signInAged(120);
      const refused = await bff('cae');
      const query = expectRelayed(refused, { reason: 'insufficient_assurance' });
      expect(JSON.parse(query.get('claims')!)).toMatchObject({
        access_token: { nbf: { essential: true, value: '1604106651' } },
      });
      // The provider's session answers without a prompt: a new token, the same sign-in.
      expect((await reauthenticate(refused)).status).toBe(303);

      expectRefused(await bff('cae'), 'loop');
      expect(downstream.answers('/cae')).toEqual([401, 401]);
    });
  });

  describe('what relayedChallenges does not list', () => {
    it.each([
      ['a scope', 'unlisted-scope'],
      ['an access_token claim', 'unlisted-claim'],
    ])('refuses %s as unsatisfiable, before any sign-in', async (_label, route) => {
      await signInAged(0);
      await rig.oidc!.reset();
      expectRefused(await bff(route), 'unsatisfiable');
      expect(await rig.oidc!.lastAuthorizationRequest()).toEqual({});
    });
  });

  describe('insufficient_scope', () => {
    it('asks for the scope with the sign-in; the new token carries it; the retry passes', async () => {
      await signInAged(0);
      const refused = await bff('files');
      const query = expectRelayed(refused, { reason: 'insufficient_assurance' });
      expect(query.get('scope')!.split(' ')).toContain('files:write');

      expect((await reauthenticate(refused)).status).toBe(303);
      const retried = body(await bff('files'));
      expect(retried).toMatchObject({ downstream: 200 });
      expect((retried.body as { scope: string }).scope.split(' ')).toContain('files:write');
    });

    it('fails the callback with scope_not_satisfied when the provider does not grant it', async () => {
      await signInAged(0);
      const refused = await bff('admin-files');
      const callback = await reauthenticate(refused);
      expect(callback.status).toBe(401);
      expect(callback.text).toContain(
        'did not grant the access a service this action depends on asks for',
      );
    });
  });
});

describe('Relayed challenges for a Bearer caller on authkit-emulator', () => {
  let rig: ProviderRig;
  let downstream: ResourceServer;

  beforeAll(async () => {
    rig = await startRig('authkit-emulator', { controllers: [BffController] });
    const { url, clientId } = rig.emulator!;
    downstream = await startResourceServer({
      jwksUrl: `${url}/sso/jwks/${clientId}`,
      issuer: `${url}/user_management/${clientId}`,
      now: () => rig.nowSeconds(),
      routes: { '/fresh': recentSignIn(300) },
    });
    DOWNSTREAM.url = downstream.url;
  });
  afterAll(async () => {
    await downstream?.close();
    await rig?.close();
  });

  const bearer = async (authTime: number) => {
    const token = await rig.emulator!.mintAccessToken({ email: 'alice@example.com', authTime });
    return new HttpBrowser().get(`${rig.url}/bff/fresh`, {
      ...JSON_ACCEPT,
      authorization: `Bearer ${token}`,
    });
  };

  it('forwards the Bearer token, which the downstream accepts', async () => {
    const res = await bearer(rig.nowSeconds() - 60);
    expect(res.status).toBe(200);
    expect(body(res)).toMatchObject({ downstream: 200, body: { ok: true } });
  });

  it('relays the challenge of a stale Bearer token as the JSON 401 with its challenge', async () => {
    const res = await bearer(rig.nowSeconds() - 600);
    expect(res.status).toBe(401);
    expect(body(res)).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge: 300 });
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    expect(new URL(body(res).reauthUrl as string).searchParams.get('max_age')).toBe('300');
  });
});

describe('Relayed claims challenges at an OpenID Provider without the claims parameter', () => {
  let rig: ProviderRig;
  let downstream: ResourceServer;

  beforeAll(async () => {
    rig = await startRig('oidc-provider', { controllers: [BffController] });
    const { issuer, resource } = rig.oidc!;
    downstream = await startResourceServer({
      jwksUrl: `${issuer}/jwks`,
      issuer,
      audience: resource,
      now: () => rig.nowSeconds(),
      routes: { '/contexts': authenticationContext('c1') },
    });
    DOWNSTREAM.url = downstream.url;
  });
  afterAll(async () => {
    await downstream?.close();
    await rig?.close();
  });

  it('refuses the claims challenge as unsatisfiable, as discovery says, before any sign-in', async () => {
    const browser = new HttpBrowser();
    const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fbff%2Fsigned-in`, HTML);
    const callback = await rig.authenticateAt(browser, start.location!);
    expect((await browser.get(callback.href, HTML)).status).toBe(303);
    await rig.oidc!.reset();

    const res = await browser.get(`${rig.url}/bff/contexts`, JSON_ACCEPT);
    expect(res.status).toBe(502);
    expect(body(res)).toMatchObject({
      error: 'downstream_challenge_refused',
      reason: 'unsatisfiable',
    });
    expect(await rig.oidc!.lastAuthorizationRequest()).toEqual({});
  });
});
