import {
  AuthClaims,
  MemoryReauthStore,
  ReauthModule,
  RequireSignIn,
  type AccessTokenClaims,
} from 'nest-workos-reauth';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { freePort } from '../support/ports';
import { COOKIE_PASSWORD } from '../support/reauth-app';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { startOidcRigWithOptions, startRig, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * A provider whose tokens the app cannot verify: the library spends no refresh token in a loop,
 * answers a clear failure, and its log names the check that failed, what was expected and what
 * the token has, never the token.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };

@Controller()
class FaultsController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }
}

const sessionCookie = (res: BrowserResponse) =>
  res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));

/** Every token-shaped string (three base64url segments) in `lines`. */
const jwtsIn = (lines: readonly string[]) =>
  lines.flatMap((line) => line.match(/[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g) ?? []);

async function signIn(rig: ProviderRig, browser: HttpBrowser): Promise<BrowserResponse> {
  const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
  expect(start.status).toBe(302);
  return browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
}

describe('A refreshed token that fails verification', () => {
  let rig: ProviderRig;
  const logger = new RecordingLogger();
  /** The store the app's instances share. */
  let store: MemoryReauthStore;
  /** How far the app's clock runs ahead of the provider's, in ms. */
  let skewMs = 0;
  const appNow = () => rig.oidc!.now() + skewMs;

  beforeEach(async () => {
    skewMs = 0;
    logger.lines.length = 0;
    store = new MemoryReauthStore({ now: () => appNow() });
    rig = await startRig('oidc-provider', {
      controllers: [FaultsController],
      logger,
      reauth: { now: () => appNow(), store },
    });
  });
  afterEach(() => rig.close());

  const refreshes = async () => (await rig.oidc!.tokenRequests()).refresh_token ?? 0;

  /** A second instance of the same app, sharing the store and the clock. */
  const secondInstance = async (): Promise<{ url: string; close: () => Promise<void> }> => {
    @Module({
      imports: [
        ReauthModule.forRoot({
          redirectUri: rig.redirectUri,
          cookiePassword: COOKIE_PASSWORD,
          clientId: rig.oidc!.clientId,
          oidc: {
            issuer: rig.oidc!.issuer,
            clientSecret: rig.oidc!.clientSecret,
            audience: rig.oidc!.resource,
          },
          now: () => appNow(),
          store,
        }),
      ],
      controllers: [FaultsController],
    })
    class SecondInstanceModule {}
    const moduleRef = await Test.createTestingModule({ imports: [SecondInstanceModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    return { url: `http://localhost:${port}`, close: () => app.close() };
  };

  it('is not refreshed again while it fails the same way, then after a doubling pause', async () => {
    const browser = new HttpBrowser();
    expect((await signIn(rig, browser)).status).toBe(303);
    const other = new HttpBrowser();
    expect((await signIn(rig, other)).status).toBe(303);

    // The app's clock runs ahead of every access token's lifetime (300 s): each token the
    // provider issues is already expired here.
    skewMs = 400_000;
    const first = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
    expect(first.status).toBe(503);
    expect(JSON.parse(first.text)).toMatchObject({ error: 'reauth_unavailable' });
    // The refreshed session goes back to the browser: its old refresh token is spent.
    expect(sessionCookie(first)).toBeDefined();
    expect(await refreshes()).toBe(1);

    for (let attempt = 0; attempt < 4; attempt += 1) {
      const again = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
      expect(again.status).toBe(503);
      expect(sessionCookie(again)).toBeUndefined();
    }
    expect(await refreshes()).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.stringMatching(
        /^The provider's refreshed access token does not verify \(the "exp" check failed \(check_failed\): expired \d+ s ago by this app's clock, \d+ s after it was issued \(tolerance 5 s\)\): its cookie is not refreshed again for 60 s/,
      ),
    );

    // Another browser's session is its own: it gets one refresh of its own, no more.
    expect((await other.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    expect((await other.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    expect(await refreshes()).toBe(2);

    // After the pause, one more refresh; it fails the same way, and the next pause is longer.
    skewMs += 61_000;
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    expect(await refreshes()).toBe(3);
    skewMs += 61_000;
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    expect(await refreshes()).toBe(3);
    expect(logger.lines).toContainEqual(
      expect.stringContaining('its cookie is not refreshed again for 120 s'),
    );

    // The clocks agree again: the refreshed token verifies, with no refresh spent.
    skewMs = 0;
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(200);
    expect(await refreshes()).toBe(3);
    expect(jwtsIn(logger.lines)).toEqual([]);
  });

  it('spends no more refresh tokens when requests alternate between two instances', async () => {
    const second = await secondInstance();
    try {
      const browser = new HttpBrowser();
      expect((await signIn(rig, browser)).status).toBe(303);
      skewMs = 400_000;
      for (let request = 0; request < 8; request += 1) {
        const base = request % 2 === 0 ? rig.url : second.url;
        expect((await browser.get(`${base}/signed-in`, JSON_ACCEPT)).status).toBe(503);
      }
      expect(await refreshes()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('lets the session go on once the fault is fixed, after the pause at most', async () => {
    const browser = new HttpBrowser();
    expect((await signIn(rig, browser)).status).toBe(303);
    skewMs = 400_000;
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    // The provider's clock is put right: it catches up with the app's.
    await rig.advanceClock(400);
    skewMs = 0;
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(503);
    expect(await refreshes()).toBe(1);
    await rig.advanceClock(61);
    const fixed = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
    expect(fixed.status).toBe(200);
    expect(await refreshes()).toBe(2);
  });
});

describe('A provider token with the wrong audience', () => {
  it('fails the sign-in with a log line naming "aud", the expected value and the token\'s', async () => {
    const logger = new RecordingLogger();
    const rig = await startOidcRigWithOptions({
      controllers: [FaultsController],
      logger,
      oidc: { audience: 'https://api.example.com' },
    });
    try {
      const done = await signIn(rig, new HttpBrowser());
      expect(done.status).toBe(502);
      expect(done.text).toContain('provider_token_invalid');
      expect(logger.lines).toContain(
        `The identity provider issued an access token that does not verify: the "aud" check failed (check_failed): expected one of ["https://api.example.com"] (oidc.audience), the token has "${rig.oidc!.resource}"`,
      );
      expect(jwtsIn(logger.lines)).toEqual([]);
    } finally {
      await rig.close();
    }
  });
});
