import { type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { useChromiumDemo } from '../support/chromium-demo';

/**
 * The demo's chat console in headless Chromium: a socket.io gateway whose channel deletion needs
 * a recent sign-in, checked on the message itself, under the demo's Content-Security-Policy.
 */

jest.setTimeout(180_000);

const WAIT = { timeout: 30_000 };
const ALICE = { email: 'alice@example.com', password: 'alice-password' };

describe('The chat console on the demo (socket.io, headless Chromium)', () => {
  const env = useChromiumDemo({ width: 1000, height: 800 });
  let demo: RunningDemo;
  let page: Page;
  let pageErrors: string[];

  beforeEach(async () => {
    ({ demo, page } = env);
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await env.context.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { violations: string[] }).violations = violations;
      document.addEventListener('securitypolicyviolation', (event) => {
        violations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
  });

  async function authenticate(at: Page): Promise<void> {
    await at.waitForSelector('#email', WAIT);
    await at.fill('#email', ALICE.email);
    await at.click('#continue');
    await at.fill('#password', ALICE.password);
    await at.click('#sign-in');
  }

  async function openChat(): Promise<void> {
    await page.goto(`${demo.url}/auth/login?returnTo=%2Fchat`);
    await authenticate(page);
    await page.waitForURL(`${demo.url}/chat`, WAIT);
    await page.waitForSelector('#status:has-text("connected")', WAIT);
    await page.waitForSelector('#channel option', { state: 'attached', ...WAIT });
  }

  async function results(count: number): Promise<string[]> {
    await page.waitForFunction(
      (n) => document.querySelectorAll('#results li').length >= n,
      count,
      WAIT,
    );
    return page.locator('#results li').allTextContents();
  }

  async function dialogOpen(): Promise<void> {
    await page.waitForFunction(
      () => document.querySelector('step-up-dialog')?.shadowRoot?.querySelector('dialog')?.open,
      undefined,
      WAIT,
    );
  }

  async function expectACleanPage(): Promise<void> {
    const violations = await page.evaluate(
      () => (window as unknown as { violations: string[] }).violations,
    );
    expect({ violations, pageErrors }).toEqual({ violations: [], pageErrors: [] });
  }

  it('deletes a channel at once while the sign-in is fresh', async () => {
    await openChat();
    await page.selectOption('#channel', 'random');
    await page.click('#delete-channel');
    expect(await results(1)).toEqual(['Deleted #random']);
    expect(await page.textContent('#connections')).toBe('1');
    await expectACleanPage();
  });

  it('a stale sign-in is confirmed with the password in the page; the message goes through on the same connection', async () => {
    await openChat();
    await env.advance(301);
    await page.selectOption('#channel', 'general');
    await page.click('#delete-channel');
    await dialogOpen();
    await page.keyboard.type(ALICE.password);
    await page.keyboard.press('Enter');
    expect(await results(1)).toEqual(['Deleted #general']);
    expect(await page.textContent('#connections')).toBe('1');
    await expectACleanPage();
  });

  it('a stale sign-in is confirmed at the provider in a popup; the socket reconnects and the message goes through', async () => {
    await openChat();
    await env.advance(301);
    await page.selectOption('#channel', 'announcements');
    await page.click('#delete-channel');
    await dialogOpen();
    const popupOpened = page.waitForEvent('popup');
    await page.evaluate(() =>
      (
        document
          .querySelector('step-up-dialog')!
          .shadowRoot!.querySelector('#provider') as HTMLButtonElement
      ).click(),
    );
    const popup = await popupOpened;
    await authenticate(popup);
    expect(await results(1)).toEqual(['Deleted #announcements']);
    expect(await page.textContent('#connections')).toBe('2');
    await expectACleanPage();
  });
});
