import { REAUTH_PAGE_MESSAGES } from 'nest-workos-reauth';
import { STEP_UP_DIALOG_LANGUAGES } from 'step-up-fetch';
import { type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { Screenshots } from '../support/chromium';
import { useChromiumDemo } from '../support/chromium-demo';

jest.setTimeout(90_000);

/**
 * The demo's language switch in a real browser: the choice follows the user to the library's
 * pages (through the demo's `pages.language`) and into the SPA's confirmation dialog (through the
 * page's `lang`).
 */
describe('The demo’s language switch', () => {
  const env = useChromiumDemo({ width: 1000, height: 800 });
  let demo: RunningDemo;
  let page: Page;
  beforeEach(() => {
    ({ demo, page } = env);
  });

  const lang = () => page.evaluate(() => document.documentElement.lang);
  const current = () => page.getAttribute('nav.languages [aria-current]', 'id');

  it('switches the home page and the library’s pages, and keeps the choice', async () => {
    const shots = new Screenshots('demo-language-switch');
    await page.goto(`${demo.url}/`);
    expect(await lang()).toBe('en');
    await page.click('#language-de');
    await page.waitForURL(`${demo.url}/`);
    expect(await lang()).toBe('de');
    expect(await current()).toBe('language-de');
    await shots.take(page, 'home-de');

    // A failed sign-in: the library's page in German, with the demo's look.
    const response = await page.goto(`${demo.url}/auth/callback?code=c&state=not-a-state`);
    expect(response!.headers()['content-language']).toBe('de');
    expect(await page.textContent('h1')).toBe(
      REAUTH_PAGE_MESSAGES.de['callback.state_invalid.title'],
    );
    expect(await page.textContent('#brand')).toBe('Sudo mode demo');
    await shots.take(page, 'failure-de');

    // An unknown choice leaves the last one in place.
    await page.goto(`${demo.url}/`);
    await page.goto(`${demo.url}/language?lang=xx`);
    expect(await lang()).toBe('de');
  });

  it('puts the SPA’s dialog in the chosen language', async () => {
    const shots = new Screenshots('demo-language-switch-spa');
    await page.goto(`${demo.url}/auth/login?returnTo=${encodeURIComponent('/spa')}`);
    await page.waitForSelector('#email');
    await page.fill('#email', 'carol@sso.example.com');
    await page.click('#continue');
    await page.click('#sso-continue');
    await page.waitForURL(`${demo.url}/spa`);
    await page.click('#language-fr');
    await page.waitForURL(`${demo.url}/spa`);
    expect(await lang()).toBe('fr');
    await env.advance(301);
    await page.click('#transfer');
    await page.waitForSelector('step-up-dialog #provider');
    const texts = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      return {
        lang: root.querySelector('dialog')!.lang,
        title: root.querySelector('#title')!.textContent,
        cancel: root.querySelector('#cancel')!.textContent,
      };
    });
    expect(texts).toEqual({
      lang: 'fr',
      title: STEP_UP_DIALOG_LANGUAGES.fr.title,
      cancel: STEP_UP_DIALOG_LANGUAGES.fr.cancel,
    });
    await shots.take(page, 'dialog-fr');
  });
});
