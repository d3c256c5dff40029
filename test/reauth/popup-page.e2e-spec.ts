import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { ROUTES } from './popup-page.routes';

/**
 * The page a popup re-authentication ends on, in a real browser under the policy it is served
 * with: a style or script that the policy blocks would show as a violation, and a blocked style
 * as a page without its styles.
 */

jest.setTimeout(60_000);

const ALICE = { email: 'alice@example.com', password: 'alice-password' };

/** What the page under test records about itself (set up by the context's init script). */
interface Observed {
  cspViolations: string[];
  closeCalled: boolean;
}

/** The emulator's hosted sign-in pages, in whichever page shows them. */
async function passwordSignIn(at: Page): Promise<void> {
  await at.waitForSelector('#email');
  await at.fill('#email', ALICE.email);
  await at.click('#continue');
  await at.fill('#password', ALICE.password);
  await at.click('#sign-in');
}

describe('The popup result page in headless Chromium', () => {
  let scenario: ScenarioApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    scenario = await startScenarioApp(ROUTES);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await scenario?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  it('runs under its own Content-Security-Policy: styled, reports to its opener, no violation', async () => {
    const consoleViolations: string[] = [];
    context.on('console', (message) => {
      if (/content security policy/i.test(message.text())) consoleViolations.push(message.text());
    });
    await context.addInitScript(() => {
      const observed: Observed = { cspViolations: [], closeCalled: false };
      (window as unknown as { observed: Observed }).observed = observed;
      document.addEventListener('securitypolicyviolation', (event) => {
        observed.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
      // The page closes itself once it has reported; here it stays open to be looked at.
      window.close = () => {
        observed.closeCalled = true;
      };
    });

    const page = await context.newPage();
    await page.goto(`${scenario.url}/auth/login?returnTo=%2Fpublic`);
    await passwordSignIn(page);
    await page.waitForURL(`${scenario.url}/public`);
    scenario.emulator.advanceClock(301);

    // What step-up-fetch does in popup mode: ask with X-Reauth-Mode, open the URL it is given.
    const refusal = await page.evaluate(async () => {
      const response = await fetch('/fresh', {
        headers: { accept: 'application/json', 'x-reauth-mode': 'popup' },
      });
      return { status: response.status, body: (await response.json()) as { reauthUrl: string } };
    });
    expect(refusal.status).toBe(401);
    await page.evaluate(() => {
      (window as unknown as { reported: Promise<unknown> }).reported = new Promise((resolve) => {
        window.addEventListener('message', (event) =>
          resolve({ origin: event.origin, data: event.data as unknown }),
        );
      });
    });
    const popupOpened = page.waitForEvent('popup');
    await page.evaluate((url) => {
      window.open(url, 'nest-reauth', 'popup,width=480,height=640');
    }, refusal.body.reauthUrl);
    const popup = await popupOpened;
    await passwordSignIn(popup);
    await popup.waitForURL((url) => url.href.startsWith(scenario.redirectUri));
    await popup.waitForLoadState('load');

    const reported = await page.evaluate(
      () => (window as unknown as { reported: Promise<unknown> }).reported,
    );
    expect(reported).toEqual({ origin: scenario.url, data: { type: 'nest-reauth', status: 'ok' } });
    const result = await popup.evaluate(() => ({
      status: document.querySelector('#popup-result')?.getAttribute('data-status'),
      padding: getComputedStyle(document.querySelector('main')!).paddingTop,
      observed: (window as unknown as { observed: Observed }).observed,
    }));
    expect(result).toEqual({
      status: 'ok',
      padding: '32px',
      observed: { cspViolations: [], closeCalled: true },
    });
    expect(consoleViolations).toEqual([]);
  });

  it('names the bound action it confirmed, as text', async () => {
    await context.addInitScript(() => {
      window.close = () => undefined;
    });
    const page = await context.newPage();
    await page.goto(`${scenario.url}/auth/login?returnTo=%2Fpublic`);
    await passwordSignIn(page);
    await page.waitForURL(`${scenario.url}/public`);

    const refusal = await page.evaluate(async () => {
      const response = await fetch('/transfers', {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'x-reauth-mode': 'popup',
        },
        body: JSON.stringify({ amount: 50, payee: '<b>Bob</b>' }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { reauthUrl: string; actionSummary: string },
      };
    });
    expect(refusal.status).toBe(401);
    expect(refusal.body.actionSummary).toBe('Transfer 50 EUR to <b>Bob</b>');
    const popupOpened = page.waitForEvent('popup');
    await page.evaluate((url) => {
      window.open(url, 'nest-reauth', 'popup,width=480,height=640');
    }, refusal.body.reauthUrl);
    const popup = await popupOpened;
    await passwordSignIn(popup);
    await popup.waitForURL((url) => url.href.startsWith(scenario.redirectUri));
    await popup.waitForLoadState('load');
    const shown = await popup.evaluate(() => ({
      status: document.querySelector('#popup-result')?.getAttribute('data-status'),
      action: document.querySelector('#popup-action')?.textContent,
      bold: document.querySelectorAll('b').length,
    }));
    expect(shown).toEqual({
      status: 'ok',
      action: 'Confirmed: Transfer 50 EUR to <b>Bob</b>',
      bold: 0,
    });
  });
});
