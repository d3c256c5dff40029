import { Test } from '@nestjs/testing';
import {
  REAUTH_PAGE_MESSAGES,
  ReauthModule,
  type ReauthPageLanguage,
  type ReauthPageMessageKey,
} from 'nest-workos-reauth';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { launchChromium, Screenshots } from '../support/chromium';
import { startRig, type ProviderRig } from '../support/provider-rigs';
import { COOKIE_PASSWORD, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { LOGO_SVG, PagesRoutes, PopupPreviewRoutes } from './pages.routes';

/**
 * The library's own pages in each shipped language, in headless Chromium: the callback's failure
 * page, the page after a cancelled confirmation, the refused sign-out, the 503 page and the
 * popup's last page. The language comes from the browser's `Accept-Language` (its locale) or the
 * app's resolver (a `lang` cookie); the pages carry the app's theme under their own strict CSP.
 */

jest.setTimeout(120_000);

const LANGUAGES: ReauthPageLanguage[] = ['en', 'de', 'fr', 'es'];
const LOCALES: Record<ReauthPageLanguage, string> = {
  en: 'en-US',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-ES',
};
const THEME = {
  productName: 'Acme Bank',
  logoUrl: '/brand/logo.svg',
  stylesheetUrl: '/brand/pages.css',
  accentColor: '#0b7a4b',
  accentTextColor: '#ffffff',
};

/** The texts of the visible page: its language, heading, message and buttons. */
interface Shown {
  lang: string | null;
  title: string;
  heading: string | undefined;
  message: string | undefined;
  links: Record<string, string>;
  brand: { alt: string | null; loaded: boolean } | undefined;
  borderTop: string;
  accent: string | undefined;
}

function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const logo = document.querySelector<HTMLImageElement>('#brand img');
    const link = document.querySelector('a');
    return {
      lang: document.documentElement.getAttribute('lang'),
      title: document.title,
      heading: document.querySelector('h1')?.textContent ?? undefined,
      message: document.querySelector('h1 + p')?.textContent ?? undefined,
      links: Object.fromEntries(
        [...document.querySelectorAll('a')].map((a) => [a.id, a.textContent ?? '']),
      ),
      brand: logo
        ? { alt: logo.getAttribute('alt'), loaded: logo.complete && logo.naturalWidth > 0 }
        : undefined,
      borderTop: getComputedStyle(document.querySelector('main')!).borderTopColor,
      accent: link ? getComputedStyle(link).backgroundColor : undefined,
    };
  });
}

describe('the library’s pages in each language, in headless Chromium', () => {
  let scenario: ScenarioApp;
  let browser: Browser;

  beforeAll(async () => {
    scenario = await startScenarioApp([PagesRoutes, PopupPreviewRoutes], {
      reauth: () => ({
        pages: {
          language: (request) =>
            /(?:^|;\s*)lang=([\w-]+)/.exec(String(request.headers.cookie ?? ''))?.[1],
          theme: THEME,
        },
      }),
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await scenario?.close();
  });

  /** A browser context in `locale`, recording CSP violations and script errors. */
  async function contextIn(locale: string): Promise<{
    context: BrowserContext;
    page: Page;
    problems: () => Promise<string[]>;
  }> {
    const context = await browser.newContext({ locale });
    const errors: string[] = [];
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => {
        seen.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    return {
      context,
      page,
      problems: async () => [
        ...errors,
        ...(await page.evaluate(
          () => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [],
        )),
      ],
    };
  }

  function expectPageHeaders(response: Response | null, language: string, themed = true): void {
    const headers = response!.headers();
    const policy = themed
      ? /^default-src 'none'; (script-src 'nonce-[\w+/]+={0,2}'; )?style-src 'nonce-[\w+/]+={0,2}' 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/
      : /^default-src 'none'; style-src 'nonce-[\w+/]+={0,2}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/;
    expect(headers['content-language']).toBe(language);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['content-security-policy']).toMatch(policy);
  }

  describe.each(LANGUAGES)('with a browser in %s', (language) => {
    const t = (key: ReauthPageMessageKey) => REAUTH_PAGE_MESSAGES[language][key];
    let context: BrowserContext;
    let page: Page;
    let problems: () => Promise<string[]>;
    const screenshots = new Screenshots(`pages-${language}`);

    beforeAll(async () => {
      ({ context, page, problems } = await contextIn(LOCALES[language]));
    });
    afterAll(() => context?.close());
    afterEach(async () => {
      expect(await problems()).toEqual([]);
    });

    it('the callback’s failure page', async () => {
      const response = await page.goto(`${scenario.url}/auth/callback?code=c&state=not-a-state`);
      expect(response!.status()).toBe(400);
      expectPageHeaders(response, language);
      expect(response!.headers()['vary']).toBe('Accept-Language');
      const page$ = await shown(page);
      expect(page$).toMatchObject({
        lang: language,
        title: `${t('callback.state_invalid.title')} · Acme Bank`,
        heading: t('callback.state_invalid.title'),
        message: t('callback.state_invalid.message'),
        links: { continue: t('link.continue') },
        brand: { alt: 'Acme Bank', loaded: true },
        // The app's stylesheet and accent colour apply.
        borderTop: 'rgb(11, 122, 75)',
        accent: 'rgb(11, 122, 75)',
      });
      await screenshots.take(page, 'callback-failure');
    });

    it('the page after a cancelled confirmation', async () => {
      const response = await page.goto(`${scenario.url}/account?reauth=cancelled`);
      expect(response!.status()).toBe(401);
      expectPageHeaders(response, language);
      expect(await shown(page)).toMatchObject({
        lang: language,
        heading: t('cancelled.title'),
        message: t('cancelled.message'),
        links: { reauthenticate: t('link.reauthenticate'), leave: t('link.leave') },
      });
      await screenshots.take(page, 'cancelled');
    });

    it('the refused sign-out', async () => {
      // A form on another origin (about:blank's is opaque) posting to the sign-out route.
      await page.goto('about:blank');
      await page.setContent(
        `<form method="post" action="${scenario.url}/auth/logout"><button>Sign out</button></form>`,
      );
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button')]);
      expect(response!.status()).toBe(403);
      expectPageHeaders(response, language);
      expect(await shown(page)).toMatchObject({
        lang: language,
        heading: t('signOutRefused.title'),
        message: t('signOutRefused.message'),
        links: { continue: t('link.continue') },
      });
      await screenshots.take(page, 'sign-out-refused');
    });

    it.each(['ok', 'failed'])('the popup’s last page (%s)', async (status) => {
      // A window with history is not closed by the page's script, so it can be looked at.
      await page.goto(`${scenario.url}/brand/logo.svg`);
      const response = await page.goto(`${scenario.url}/popup-preview?status=${status}`);
      expectPageHeaders(response, language);
      const texts = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        action: document.querySelector('#popup-action')?.textContent,
        result: document.querySelector('#popup-result')?.textContent,
      }));
      const ok = status === 'ok';
      expect(texts).toEqual({
        lang: language,
        action: `${t(ok ? 'popup.actionConfirmed' : 'popup.actionNotConfirmed')} Transfer 50 EUR to Bob`,
        result: t(ok ? 'popup.confirmed' : 'popup.notConfirmed'),
      });
      await screenshots.take(page, `popup-${status}`);
    });
  });

  describe('the 503 page while the OpenID Provider is down (Fastify, the library’s own look)', () => {
    let rig: ProviderRig;

    beforeAll(async () => {
      rig = await startRig('oidc-provider', { controllers: [], adapter: 'fastify' });
      await rig.oidc!.failDiscovery('unavailable');
    });
    afterAll(() => rig?.close());

    it.each(LANGUAGES)('in %s', async (language) => {
      const t = (key: ReauthPageMessageKey) => REAUTH_PAGE_MESSAGES[language][key];
      const { context, page, problems } = await contextIn(LOCALES[language]);
      try {
        const response = await page.goto(`${rig.url}/auth/login?returnTo=%2Faccount`);
        expect(response!.status()).toBe(503);
        expectPageHeaders(response, language, false);
        expect(response!.headers()['vary']).toBe(
          'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With, Accept-Language',
        );
        expect(await shown(page)).toMatchObject({
          lang: language,
          title: t('unavailable.title'),
          heading: t('unavailable.title'),
          message: t('unavailable.message'),
          links: { retry: t('link.retry'), leave: t('link.leave') },
          brand: undefined,
          accent: 'rgb(99, 99, 241)',
        });
        await new Screenshots(`pages-${language}`).take(page, 'unavailable');
        expect(await problems()).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  describe('choosing the language', () => {
    /** The callback failure page's language for these request headers. */
    async function languageFor(headers: Record<string, string>) {
      const response = await fetch(`${scenario.url}/auth/callback?code=c&state=not-a-state`, {
        headers: { accept: 'text/html', ...headers },
      });
      const html = await response.text();
      return {
        contentLanguage: response.headers.get('content-language'),
        lang: /<html lang="([^"]*)">/.exec(html)?.[1],
        heading: /<h1>([^<]*)<\/h1>/.exec(html)?.[1],
        vary: response.headers.get('vary'),
        status: response.status,
      };
    }

    it.each([
      ['de-CH,de;q=0.9,en;q=0.8', 'de'],
      ['fr;q=0.5,es;q=0.8', 'es'],
      ['ja, fr-CA;q=0.3', 'fr'],
      ['de;q=0, *', 'en'],
      ['*', 'en'],
      ['ja, zh-TW', 'en'],
      ['en;q=0', 'en'],
      ['ÿÿÿ;;;,,', 'en'],
      [';q=1, =, -', 'en'],
      ['fr-CA;q=abc', 'en'],
      ['x'.repeat(4000), 'en'],
    ])('Accept-Language %j → %s, varying with it', async (acceptLanguage, expected) => {
      const answer = await languageFor({ 'accept-language': acceptLanguage });
      expect(answer).toEqual({
        contentLanguage: expected,
        lang: expected,
        heading:
          REAUTH_PAGE_MESSAGES[expected as ReauthPageLanguage]['callback.state_invalid.title'],
        vary: 'Accept-Language',
        status: 400,
      });
    });

    it('answers English without an Accept-Language', async () => {
      expect(await languageFor({})).toMatchObject({ contentLanguage: 'en', status: 400 });
    });

    it('takes the app’s resolver (a cookie) over the header, which then does not vary it', async () => {
      expect(await languageFor({ 'accept-language': 'de', cookie: 'lang=fr' })).toMatchObject({
        contentLanguage: 'fr',
        lang: 'fr',
        vary: null,
      });
      expect(await languageFor({ 'accept-language': 'de', cookie: 'lang=es-MX' })).toMatchObject({
        contentLanguage: 'es',
      });
    });

    it('falls back to the header when the resolver names a language the pages do not speak', async () => {
      expect(await languageFor({ 'accept-language': 'de', cookie: 'lang=ja' })).toMatchObject({
        contentLanguage: 'de',
        vary: 'Accept-Language',
      });
    });
  });

  describe('the theme under the pages’ policy', () => {
    it('cannot be framed by another page', async () => {
      const { context, page } = await contextIn('en-US');
      try {
        await page.setContent(
          `<iframe src="${scenario.url}/auth/callback?code=c&state=not-a-state"></iframe>`,
        );
        const frame = page.frames()[1];
        await frame.waitForLoadState().catch(() => undefined);
        // Chromium shows its own error page in the frame instead ("localhost is blocked").
        const framed = await frame
          .evaluate(() => document.querySelector('code')?.textContent ?? null)
          .catch(() => null);
        expect(framed).not.toBe('state_invalid');
        expect(frame.url()).toMatch(/^chrome-error:/);
      } finally {
        await context.close();
      }
    });

    it('serves the logo the page shows', async () => {
      const response = await fetch(`${scenario.url}/brand/logo.svg`);
      expect(await response.text()).toBe(LOGO_SVG);
    });

    it.each([
      [{ accentColor: 'red;}</style><script>alert(1)</script>' }, 'pages.theme.accentColor'],
      [{ logoUrl: '/logo.svg" onerror="alert(1)' }, 'pages.theme.logoUrl'],
      [{ stylesheetUrl: 'http://cdn.example/pages.css' }, 'pages.theme.stylesheetUrl'],
      [{ stylesheetUrl: "https://cdn.example/x'; script-src *" }, 'pages.theme.stylesheetUrl'],
      [{ template: () => '<script>alert(1)</script>' }, 'pages.theme.template'],
    ])('an app with a hostile theme does not start (%j)', async (theme, option) => {
      const compiling = Test.createTestingModule({
        imports: [
          ReauthModule.forRoot({
            apiKey: 'sk_test',
            clientId: 'client_test',
            redirectUri: 'http://localhost:3000/auth/callback',
            cookiePassword: COOKIE_PASSWORD,
            pages: { theme: theme as never },
          }),
        ],
      }).compile();
      await expect(compiling).rejects.toThrow(TypeError);
      await expect(compiling).rejects.toThrow(`ReauthModule: ${option}`);
    });
  });
});
