import { Controller, Get } from '@nestjs/common';
import { AuthClaims, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import { HttpBrowser } from '../support/http-browser';
import { startRig, type Person, type ProviderRig } from '../support/provider-rigs';

// Two sign-ins and a refused one at a real OpenID Provider: seconds on a loaded machine.
jest.setTimeout(60_000);

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

@Controller()
class RevocationController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }

  @Get('fresh')
  @RequireRecentAuth(60)
  fresh(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

/**
 * A provider that revokes a whole grant (the OpenID Provider) would end the browser's own user's
 * sessions if the callback revoked a refused sign-in of that same user. A state that names another
 * user reaches a browser through a link of that user's (a socket ticket, or a flow left half-way
 * on a shared computer); the provider then signs in the browser's own user.
 */
describe("A refused sign-in of the browser's own user on a grant-scoped provider", () => {
  let rig: ProviderRig;
  beforeEach(async () => {
    rig = await startRig('oidc-provider', { controllers: [RevocationController] });
  });
  afterEach(() => rig.close());

  const signIn = async (who: Person): Promise<HttpBrowser> => {
    const browser = new HttpBrowser();
    const start = await browser.get(`${rig.url}/auth/login?returnTo=/signed-in`, HTML);
    const done = await browser.get(
      (await rig.authenticateAt(browser, start.location!, who)).href,
      HTML,
    );
    expect(done.status).toBe(303);
    return browser;
  };

  it("answers user_mismatch and leaves the browser's own session and grant alive", async () => {
    const bob = await signIn('bob');
    const alice = await signIn('alice');
    // Alice's step-up, bound to Bob's browser (its binding cookie), as her link would start it.
    const binding = (await bob.jar.getCookies(rig.url)).find((c) => c.key === 'wos-reauth')!;
    await alice.jar.setCookie(binding.cookieString(), rig.url);
    await rig.advanceClock(120);
    const started = await alice.get(`${rig.url}/fresh`, HTML);
    expect(started.status).toBe(302);

    const callback = await rig.authenticateAt(bob, started.location!, 'bob');
    const done = await bob.get(callback.href, HTML);
    expect(done.status).toBe(403);
    expect(done.text).toContain('user_mismatch');

    // Past the access token's lifetime: Bob's session lives only if its refresh token does.
    await rig.advanceClock(400);
    const after = await bob.get(`${rig.url}/signed-in`, { accept: 'application/json' });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toMatchObject({ sub: expect.any(String) });
  });
});
