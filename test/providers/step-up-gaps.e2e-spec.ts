import { AuthClaims, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { HttpBrowser } from '../support/http-browser';
import { startOidcRigWithOptions, startRig, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * Providers that cannot do part of step-up: the library says what the provider lacks, once,
 * in a warning that names it; the user's page says what happened; nothing loops.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const STRONG = 'urn:example:loa:2';

@Controller()
class GapsController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn() {
    return { ok: true };
  }

  @Get('confirm')
  @RequireRecentAuth(0)
  confirm(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('strong')
  @RequireRecentAuth(300, { acr: [STRONG] })
  strong(@AuthClaims('acr') acr: string) {
    return { acr };
  }
}

async function signIn(rig: ProviderRig, browser: HttpBrowser): Promise<void> {
  const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
  const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
  expect(done.status).toBe(303);
}

describe('A provider that refuses max_age=0', () => {
  let rig: ProviderRig;
  const logger = new RecordingLogger();

  beforeEach(async () => {
    logger.lines.length = 0;
    rig = await startRig('oidc-provider', { controllers: [GapsController], logger });
    await rig.oidc!.refuseMaxAgeZero(true);
  });
  afterEach(() => rig.close());

  it('says so on the page and in the log, then asks with prompt=login alone, which completes', async () => {
    const browser = new HttpBrowser();
    await signIn(rig, browser);
    await rig.advanceClock(5);

    const asked = await browser.get(`${rig.url}/confirm`, HTML);
    expect(asked.status).toBe(302);
    expect(new URL(asked.location!).searchParams.get('max_age')).toBe('0');
    const refused = await browser.get(asked.location!, HTML);
    const failed = await browser.get(refused.location!, HTML);
    expect(failed.status).toBe(502);
    expect(failed.text).toContain('max_age_refused');
    expect(failed.text).toContain('refused to ask you to sign in again the way this app asked');
    expect(logger.lines).toContainEqual(
      expect.stringMatching(
        /^The OpenID Provider http:\/\/[\d.:]+ refused max_age=0 \(invalid_request\): @RequireRecentAuth\(0\) now asks it with prompt=login alone/,
      ),
    );

    // The retry: prompt=login, and the year-long max_age that only asks for auth_time in the ID
    // token (the provider has no claims parameter); it asks, and the new auth_time passes.
    const retried = await browser.get(`${rig.url}/confirm`, HTML);
    expect(retried.status).toBe(302);
    const params = new URL(retried.location!).searchParams;
    expect(params.get('max_age')).toBe(String(365 * 24 * 3600));
    expect(params.get('prompt')?.split(' ')).toContain('login');
    const back = await browser.get(
      (await rig.authenticateAt(browser, retried.location!)).href,
      HTML,
    );
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${rig.url}/confirm`);
    expect((await browser.get(`${rig.url}/confirm`, HTML)).status).toBe(200);
  });
});

describe('oidc.maxAgeZero', () => {
  it('asks max_age=0 again when the provider then skips prompt=login alone (auto)', async () => {
    const logger = new RecordingLogger();
    const rig = await startRig('oidc-provider', { controllers: [GapsController], logger });
    try {
      const browser = new HttpBrowser();
      await signIn(rig, browser);
      await rig.oidc!.refuseMaxAgeZero(true);
      const refused = await browser.get(`${rig.url}/confirm`, HTML);
      await browser.get((await browser.get(refused.location!, HTML)).location!, HTML);
      // Learned: prompt=login alone. This provider now skips it.
      await rig.oidc!.refuseMaxAgeZero(false);
      await rig.oidc!.ignoreMaxAge(true);
      await rig.advanceClock(5);
      const asked = await browser.get(`${rig.url}/confirm`, HTML);
      expect(new URL(asked.location!).searchParams.get('max_age')).not.toBe('0');
      const skipped = await browser.get(
        (await rig.authenticateAt(browser, asked.location!)).href,
        HTML,
      );
      expect(skipped.status).toBe(401);
      expect(skipped.text).toContain('max_age_not_satisfied');
      expect(logger.lines).toContainEqual(
        expect.stringContaining(
          'did not ask for a new sign-in on prompt=login alone: @RequireRecentAuth(0) asks with max_age=0 again',
        ),
      );
      const again = await browser.get(`${rig.url}/confirm`, HTML);
      expect(new URL(again.location!).searchParams.get('max_age')).toBe('0');
    } finally {
      await rig.close();
    }
  });

  it.each([
    ['prompt_login', null],
    ['max_age', '0'],
  ] as const)(
    '%s: asks with max_age %s from the start, and learns nothing',
    async (mode, maxAge) => {
      const logger = new RecordingLogger();
      const rig = await startOidcRigWithOptions({
        controllers: [GapsController],
        logger,
        oidc: { maxAgeZero: mode },
      });
      try {
        const browser = new HttpBrowser();
        await signIn(rig, browser);
        await rig.advanceClock(5);
        const asked = await browser.get(`${rig.url}/confirm`, HTML);
        const params = new URL(asked.location!).searchParams;
        expect(params.get('prompt')?.split(' ')).toContain('login');
        expect(params.get('max_age') === '0' ? '0' : null).toBe(maxAge);
        if (mode === 'max_age') {
          await rig.oidc!.refuseMaxAgeZero(true);
          const refused = await browser.get(asked.location!, HTML);
          const failed = await browser.get(refused.location!, HTML);
          expect(failed.status).toBe(502);
          expect(failed.text).toContain('provider_error');
          const next = await browser.get(`${rig.url}/confirm`, HTML);
          expect(new URL(next.location!).searchParams.get('max_age')).toBe('0');
        } else {
          const back = await browser.get(
            (await rig.authenticateAt(browser, asked.location!)).href,
            HTML,
          );
          expect(back.location).toBe(`${rig.url}/confirm`);
        }
        expect(logger.lines.filter((line) => line.includes('max_age=0'))).toEqual([]);
      } finally {
        await rig.close();
      }
    },
  );
});

describe('A provider that issues no acr', () => {
  it('ends a route that needs one in acr_missing, with warnings naming the provider', async () => {
    const logger = new RecordingLogger();
    const rig = await startOidcRigWithOptions({
      controllers: [GapsController],
      logger,
      provider: { stock: true, accessTokenTtlSeconds: 300 },
    });
    try {
      const browser = new HttpBrowser();
      await signIn(rig, browser);
      const asked = await browser.get(`${rig.url}/strong`, HTML);
      expect(asked.status).toBe(302);
      expect(new URL(asked.location!).searchParams.get('acr_values')).toBe(STRONG);
      const failed = await browser.get(
        (await rig.authenticateAt(browser, asked.location!)).href,
        HTML,
      );
      expect(failed.status).toBe(502);
      expect(failed.text).toContain('acr_missing');
      expect(failed.text).toContain('did not say how you signed in');
      const issuer = rig.oidc!.issuer;
      expect(logger.lines).toContain(
        `A route asks the OpenID Provider ${issuer} for acr_values ["${STRONG}"], and its discovery lists no acr_values_supported: it may issue no acr, and sign-ins then end in acr_missing`,
      );
      expect(logger.lines).toContain(
        `The identity provider (OpenID Connect, issuer ${issuer}) issued no acr at a sign-in that asked for acr_values "${STRONG}": routes that require an acr cannot be passed through it, and their re-authentications end in acr_missing`,
      );
      // Once each, however often it happens.
      const again = await browser.get(`${rig.url}/strong`, HTML);
      await browser.get((await rig.authenticateAt(browser, again.location!)).href, HTML);
      expect(logger.lines.filter((line) => line.includes('issued no acr'))).toHaveLength(1);
      expect(logger.lines.filter((line) => line.includes('lists no acr_values'))).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });
});
