import { RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { GLEWLWYD_USERS, glewlwydAvailable, signOutAtGlewlwyd } from '../support/glewlwyd';
import { HttpBrowser } from '../support/http-browser';
import { startGlewlwydRig, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * What glewlwyd 2.7.5 cannot do for step-up, as the library reports it: `auth_time` 0 in every
 * code-flow ID token, no `max_age=0`, no `acr`. Each is a warning naming the provider and what
 * it lacks, a page that says what happened, and no loop; the refresh tokens the attempts made
 * are all ended by sign-out.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const STRONG = 'urn:example:loa:2';

@Controller()
class StepUpController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn() {
    return { ok: true };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh() {
    return { ok: true };
  }

  @Get('confirm')
  @RequireRecentAuth(0)
  confirm() {
    return { ok: true };
  }

  @Get('strong')
  @RequireRecentAuth(300, { acr: [STRONG] })
  strong() {
    return { ok: true };
  }
}

const describeWithGlewlwyd = glewlwydAvailable() ? describe : describe.skip;

describeWithGlewlwyd('Glewlwyd and step-up', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;
  const logger = new RecordingLogger();

  beforeEach(async () => {
    logger.lines.length = 0;
    rig = await startGlewlwydRig({ controllers: [StepUpController], logger });
    browser = new HttpBrowser();
  });
  afterEach(() => rig.close());

  const app = (path: string) => `${rig.url}${path}`;
  const navigate = (path: string) => browser.get(app(path), HTML);
  const issuer = () => rig.glewlwyd!.issuer;
  const warnings = (pattern: RegExp) => logger.lines.filter((line) => pattern.test(line));

  const signIn = async () => {
    const start = await navigate('/auth/login?returnTo=%2Fsigned-in');
    const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
    expect(done.status).toBe(303);
  };

  /** A stale navigation to `path`, through glewlwyd's pages; resolves with the callback's answer. */
  const stepUp = async (path: string) => {
    const asked = await navigate(path);
    expect(asked.status).toBe(302);
    return {
      asked,
      back: await browser.get((await rig.authenticateAt(browser, asked.location!)).href, HTML),
    };
  };

  it('warns at the first sign-in that it says users signed in at auth_time 0, and fails step-up as such', async () => {
    await signIn();
    expect(warnings(/auth_time 0/)).toEqual([
      `The identity provider (OpenID Connect, issuer ${issuer()}) says a sign-in it just completed happened at 1970-01-01T00:00:00.000Z (auth_time 0): it does not record when users sign in, so no @RequireRecentAuth route can be passed through it, and re-authentications end in auth_time_unknown`,
    ]);
    expect((await navigate('/signed-in')).status).toBe(200);

    // It does ask for the password again (max_age=300 on a session signed in at "0")...
    const { asked, back } = await stepUp('/fresh');
    expect(new URL(asked.location!).searchParams.get('max_age')).toBe('300');
    // ...and answers auth_time 0 again: the page says so, not that it did not ask.
    expect(back.status).toBe(502);
    expect(back.text).toContain('auth_time_unknown');
    expect(back.text).toContain('did not say when');
    expect(back.text).not.toContain('did not ask you to sign in again');
    // Never a loop: the route still refuses, and the warning stays one.
    expect((await navigate('/fresh')).status).toBe(302);
    await stepUp('/fresh');
    expect(warnings(/auth_time 0/)).toHaveLength(1);
  });

  it('learns that it refuses max_age=0, then asks with prompt=login alone', async () => {
    await signIn();
    const { asked, back } = await stepUp('/confirm');
    expect(new URL(asked.location!).searchParams.get('max_age')).toBe('0');
    expect(back.status).toBe(502);
    expect(back.text).toContain('max_age_refused');
    expect(warnings(/refused max_age=0/)).toEqual([
      expect.stringContaining(
        `The OpenID Provider ${issuer()} refused max_age=0 (invalid_request)`,
      ),
    ]);

    const retry = await stepUp('/confirm');
    const params = new URL(retry.asked.location!).searchParams;
    expect(params.get('prompt')?.split(' ')).toContain('login');
    expect(params.has('max_age')).toBe(false);
    // Glewlwyd has the claims parameter, so auth_time is asked for there; it still sends 0.
    expect(JSON.parse(params.get('claims')!)).toMatchObject({
      id_token: { auth_time: { essential: true } },
    });
    expect(retry.back.status).toBe(502);
    expect(retry.back.text).toContain('auth_time_unknown');
  });

  it('warns that it lists no acr_values and issues no acr, and fails such routes as acr_missing', async () => {
    await signIn();
    const { asked, back } = await stepUp('/strong');
    expect(new URL(asked.location!).searchParams.get('acr_values')).toBe(STRONG);
    expect(warnings(/acr_values_supported/)).toEqual([
      `A route asks the OpenID Provider ${issuer()} for acr_values ["${STRONG}"], and its discovery lists no acr_values_supported: it may issue no acr, and sign-ins then end in acr_missing`,
    ]);
    // auth_time is checked first: glewlwyd fails it before its missing acr matters.
    expect(back.status).toBe(502);
    expect(back.text).toContain('auth_time_unknown');
  });

  it('leaves no refresh token of the browser enabled after step-up attempts and a sign-out', async () => {
    await signIn();
    await stepUp('/fresh');
    await stepUp('/fresh');
    const enabled = async () =>
      (await rig.glewlwyd!.refreshTokens(GLEWLWYD_USERS.alice)).filter((token) => token.enabled);
    expect((await enabled()).length).toBeGreaterThanOrEqual(1);
    const out = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: rig.url },
    });
    expect(out.status).toBe(303);
    expect(await enabled()).toEqual([]);
    await signOutAtGlewlwyd(browser, out.location!);
  });
});
