import { startDemo, type RunningDemo } from '../../src/demo';
import { loadDemoConfig } from '../../src/demo.config';
import { HttpBrowser } from '../support/http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
} from '../support/oidc-provider';
import { freePort } from '../support/ports';

const HTML = { accept: 'text/html' };

describe('The demo against an OpenID Provider from the environment', () => {
  let oidc: OidcTestProvider;
  let demo: RunningDemo;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://localhost:${port}`;
    oidc = await startOidcProvider({
      redirectUris: [`${url}/auth/callback`],
      postLogoutRedirectUris: [`${url}/auth/logout`],
    });
    const config = loadDemoConfig({
      PORT: String(port),
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_AUDIENCE: oidc.resource,
    });
    demo = await startDemo(config, { logger: false, now: () => oidc.now() });
  });
  afterAll(async () => {
    await demo?.close();
    await oidc?.stop();
  });

  it('starts no emulator, signs in at the provider, and steps up for a sensitive page', async () => {
    expect(demo.emulator).toBeUndefined();
    const browser = new HttpBrowser();
    const alice = OIDC_USERS.alice;
    const signIn = async (location: string) => {
      const callback = await signInAtOidcProvider(browser, location, {
        username: alice.username,
        password: alice.password,
      });
      return browser.get(callback, HTML);
    };

    const anonymous = await browser.get(`${url}/account`, HTML);
    expect(anonymous.status).toBe(302);
    expect(anonymous.location!.startsWith(oidc.issuer)).toBe(true);
    const back = await signIn(anonymous.location!);
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${url}/account`);
    expect((await browser.get(`${url}/account`, HTML)).status).toBe(200);

    const me = await browser.get(`${url}/api/me`, { accept: 'application/json' });
    expect(JSON.parse(me.text)).toMatchObject({
      userId: alice.sub,
      sessionId: expect.any(String),
    });

    await oidc.advanceClock(301);
    const stale = await browser.get(`${url}/account/security`, HTML);
    expect(stale.status).toBe(302);
    expect(new URL(stale.location!).searchParams.get('max_age')).toBe('300');
    const again = await signIn(stale.location!);
    expect(again.location).toBe(`${url}/account/security`);
    expect((await browser.get(`${url}/account/security`, HTML)).status).toBe(200);
  });
});
