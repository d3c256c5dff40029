import { Controller, Get } from '@nestjs/common';
import { AuthClaims, RequireSignIn } from 'nest-workos-reauth';
import { HttpBrowser } from '../support/http-browser';
import { startRig, type ProviderRig } from '../support/provider-rigs';

const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const JSON_ACCEPT = { accept: 'application/json' };

@Controller()
class SignedInController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

describe('A session cookie sealed by the library, on an OpenID Provider', () => {
  let rig: ProviderRig;

  beforeEach(async () => {
    // Access tokens live an hour; the cookie (and its seal) one minute.
    rig = await startRig('oidc-provider', {
      controllers: [SignedInController],
      reauth: { cookie: { maxAgeSeconds: 60 } },
    });
  });
  afterEach(() => rig.close());

  it('stops opening at the seal’s expiry, even once opened and remembered', async () => {
    const browser = new HttpBrowser();
    const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
    const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
    expect(done.status).toBe(303);
    const cookie = (await browser.jar.getCookieString(rig.url))
      .split('; ')
      .find((c) => c.startsWith('wos-session='))!;
    const copy = () => fetch(`${rig.url}/signed-in`, { headers: { cookie, ...JSON_ACCEPT } });

    expect((await copy()).status).toBe(200);
    // The provider's clock is real time plus an offset, so the seconds between sealing and these
    // requests run on: two seconds of slack before the end, one past it.
    await rig.advanceClock(58);
    expect((await copy()).status).toBe(200);
    await rig.advanceClock(3);
    const expired = await copy();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ reason: 'unauthenticated' });
  });
});
