import {
  AuthClaims,
  RequireRecentAuth,
  RequireSignIn,
  type AccessTokenClaims,
} from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { OIDC_ACR, OIDC_USERS } from '../support/oidc-provider';
import { startRig, type Person, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * Every refresh token a browser's session stops using is ended at the provider: the one a
 * re-authentication or a new sign-in replaces, and, at sign-out, every one the browser still
 * had. Checked by asking oidc-provider which refresh tokens its token endpoint would still take.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
/** The rig's access tokens live 300 s; past that (and the 5 s tolerance) a request refreshes. */
const PAST_ACCESS_TOKEN = 310;

@Controller()
class LifecycleController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('confirm')
  @RequireRecentAuth(0)
  confirm(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('strong')
  @RequireRecentAuth(300, { acr: [OIDC_ACR.otp] })
  strong(@AuthClaims('acr') acr: string) {
    return { acr };
  }
}

describe.each([
  ['revoking a refresh token ends its grant', { revocationEndsGrant: true }],
  ['revoking a refresh token ends only that token', { revocationEndsGrant: false }],
  [
    'refresh tokens rotated, revoking one ends only it',
    { revocationEndsGrant: false, rotateRefreshTokens: true },
  ],
])('Refresh tokens left alive at oidc-provider (%s)', (_name, oidcOptions) => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  beforeEach(async () => {
    rig = await startRig('oidc-provider', {
      controllers: [LifecycleController],
      oidcOptions,
    });
    browser = new HttpBrowser();
  });
  afterEach(() => rig.close());

  const app = (path: string) => `${rig.url}${path}`;
  const sessionCookie = (res: BrowserResponse) =>
    res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
  const live = async (who?: Person) =>
    (await rig.oidc!.liveRefreshTokens()).filter(
      (token) => who === undefined || token.accountId === OIDC_USERS[who].sub,
    );

  const signIn = async (who: Person = 'alice') => {
    const start = await browser.get(app('/auth/login?returnTo=%2Fsigned-in'), HTML);
    expect(start.status).toBe(302);
    const done = await browser.get(
      (await rig.authenticateAt(browser, start.location!, who)).href,
      HTML,
    );
    expect(done.status).toBe(303);
    expect(sessionCookie(done)).toBeDefined();
  };

  /** A stale navigation to `path`, through the provider and back; then `path` answers 200. */
  const reauthenticate = async (path: string) => {
    const stale = await browser.get(app(path), HTML);
    expect(stale.status).toBe(302);
    const back = await browser.get((await rig.authenticateAt(browser, stale.location!)).href, HTML);
    expect(back.status).toBe(303);
    expect((await browser.get(app(path), HTML)).status).toBe(200);
  };

  /** The session goes on refreshing: its refresh token was not ended with the ones it replaced. */
  const expectSessionRefreshes = async () => {
    const before = (await rig.oidc!.tokenRequests()).refresh_token ?? 0;
    await rig.advanceClock(PAST_ACCESS_TOKEN);
    const res = await browser.get(app('/signed-in'), JSON_ACCEPT);
    expect(res.status).toBe(200);
    expect((await rig.oidc!.tokenRequests()).refresh_token).toBe(before + 1);
  };

  const signOut = async () => {
    const out = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: rig.url },
    });
    expect(out.status).toBe(303);
  };

  it('leaves none alive after re-authentications and a sign-out, and the session lasts between', async () => {
    await signIn();
    expect(await live('alice')).toHaveLength(1);
    await rig.advanceClock(301);
    await reauthenticate('/fresh');
    await reauthenticate('/confirm');
    await expectSessionRefreshes();
    // Each re-authentication's tokens replaced the last: one is in use, the others are either
    // ended already or kept in the session for sign-out.
    expect((await live('alice')).length).toBeGreaterThanOrEqual(1);
    await signOut();
    expect(await live()).toEqual([]);
  });

  it('leaves none alive after a second sign-in in the same browser and a sign-out', async () => {
    await signIn();
    await signIn();
    await expectSessionRefreshes();
    await signOut();
    expect(await live()).toEqual([]);
  });

  it('ends the replaced refresh token at once when the new sign-in is another provider session', async () => {
    await signIn();
    // A new provider session (a new sid, so a new grant): nothing can tie the two.
    await rig.oidc!.endSessions();
    await signIn();
    expect(await live('alice')).toHaveLength(1);
    await expectSessionRefreshes();
    await signOut();
    expect(await live()).toEqual([]);
  });

  it("ends a refused re-authentication's tokens at once when it is another provider session", async () => {
    await signIn();
    await rig.oidc!.endSessions();
    // The provider signs in at the password level whatever the route asks: acr_not_satisfied.
    await rig.oidc!.enforceAcrValues(false);
    const asked = await browser.get(app('/strong'), HTML);
    const refused = await browser.get(
      (await rig.authenticateAt(browser, asked.location!)).href,
      HTML,
    );
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('acr_not_satisfied');
    // Only the browser's own session is left, and it still refreshes.
    expect(await live('alice')).toHaveLength(1);
    await expectSessionRefreshes();
    await signOut();
    expect(await live()).toEqual([]);
  });

  it("leaves none of another user's alive when the browser refuses their sign-in", async () => {
    await signIn('alice');
    // Alice's session at the provider ends (her tokens stay valid there), so Bob can sign in.
    await rig.oidc!.endSessions();
    const start = await browser.get(app('/auth/login?returnTo=%2Fsigned-in'), HTML);
    const refused = await browser.get(
      (await rig.authenticateAt(browser, start.location!, 'bob')).href,
      HTML,
    );
    expect(refused.status).toBe(409);
    expect(await live('bob')).toEqual([]);
    expect(await live('alice')).toHaveLength(1);
    await expectSessionRefreshes();
    await signOut();
    expect(await live()).toEqual([]);
  });

  it("leaves other browsers' sessions of the same user alive", async () => {
    const other = new HttpBrowser();
    const start = await other.get(app('/auth/login?returnTo=%2Fsigned-in'), HTML);
    await other.get((await rig.authenticateAt(other, start.location!)).href, HTML);
    await signIn();
    await rig.advanceClock(301);
    await reauthenticate('/fresh');
    await signOut();
    // The other browser's session is alone in its grant, and still refreshes.
    expect(await live('alice')).toHaveLength(1);
    await rig.advanceClock(PAST_ACCESS_TOKEN);
    expect((await other.get(app('/signed-in'), JSON_ACCEPT)).status).toBe(200);
  });
});

describe('Replaced refresh tokens and a full cookie', () => {
  let rig: ProviderRig;
  const logger = new RecordingLogger();

  beforeEach(async () => {
    logger.lines.length = 0;
    rig = await startRig('oidc-provider', {
      controllers: [LifecycleController],
      logger,
      // Access tokens of about 2.6 KB (many groups, say): the session fits a cookie, barely.
      oidcOptions: {
        revocationEndsGrant: false,
        extraAccessTokenClaims: { [OIDC_USERS.alice.sub]: { groups: 'g'.repeat(1320) } },
      },
    });
  });
  afterEach(() => rig.close());

  it('leaves the replaced tokens to expire rather than fail the re-authentication', async () => {
    const browser = new HttpBrowser();
    const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
    const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
    expect(done.status).toBe(303);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await rig.advanceClock(5);
      const stale = await browser.get(`${rig.url}/confirm`, HTML);
      expect(stale.status).toBe(302);
      const back = await browser.get(
        (await rig.authenticateAt(browser, stale.location!)).href,
        HTML,
      );
      expect(back.status).toBe(303);
      expect((await browser.get(`${rig.url}/confirm`, HTML)).status).toBe(200);
    }
    expect(logger.lines).toContain(
      'The session cookie has no room for the refresh tokens it replaced: 1 left to expire at the provider instead of being revoked at sign-out',
    );
  });
});

describe('A replaced session at AuthKit', () => {
  let rig: ProviderRig;

  beforeEach(async () => {
    rig = await startRig('authkit-emulator', { controllers: [LifecycleController] });
  });
  afterEach(() => rig.close());

  const signIn = async (browser: HttpBrowser) => {
    const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
    const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
    expect(done.status).toBe(303);
    return done.headers
      .getSetCookie()
      .find((c) => c.startsWith('wos-session='))!
      .split(';')[0];
  };
  const refreshesWith = async (cookie: string) =>
    (await fetch(`${rig.url}/signed-in`, { headers: { ...JSON_ACCEPT, cookie } })).status;

  it("stops refreshing when a new sign-in in the browser replaces it, and another browser's goes on", async () => {
    const browser = new HttpBrowser();
    const first = await signIn(browser);
    const elsewhere = await signIn(new HttpBrowser());
    const second = await signIn(browser);
    expect(second).not.toBe(first);
    await rig.advanceClock(3600);
    expect(await refreshesWith(first)).toBe(401);
    expect(await refreshesWith(second)).toBe(200);
    expect(await refreshesWith(elsewhere)).toBe(200);
  });
});
