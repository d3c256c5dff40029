import { type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { Screenshots } from '../support/chromium';
import { useChromiumDemo } from '../support/chromium-demo';

jest.setTimeout(60_000);

/** Carol signs in through SSO: her browser confirms at the provider, in a popup or by redirect. */
const CAROL = { email: 'carol@sso.example.com' };

describe('The SPA page and the browser helper in a real browser', () => {
  const env = useChromiumDemo({ width: 1000, height: 800 });
  let demo: RunningDemo;
  let page: Page;
  beforeEach(() => {
    ({ demo, page } = env);
  });

  const emulatorUrl = () => env.emulatorUrl();
  const advance = (seconds: number) => env.advance(seconds);

  /** The hosted pages, in whichever page (the tab or the popup) shows them. */
  async function ssoSignIn(at: Page): Promise<void> {
    await at.waitForSelector('#email');
    await at.fill('#email', CAROL.email);
    await at.click('#continue');
    await at.click('#sso-continue');
  }

  /** The in-page dialog opened; Carol chooses the provider ("Use another way"). */
  async function useProvider(): Promise<void> {
    await page.waitForSelector('step-up-dialog #provider');
    await page.click('step-up-dialog #provider');
  }

  async function openSpaStale(shots: Screenshots, query = ''): Promise<void> {
    await page.goto(`${demo.url}/auth/login?returnTo=${encodeURIComponent(`/spa${query}`)}`);
    await ssoSignIn(page);
    await page.waitForURL(`${demo.url}/spa${query}`);
    await page.fill('#note', 'half-written note');
    await shots.take(page, 'spa');
    await advance(301);
  }

  const results = () => page.locator('#results li').allTextContents();

  /**
   * Settles when the popup has closed, even if it closed before this is awaited: the popup closes
   * itself as soon as the sign-in lands, which on a busy machine can be before the click returns.
   */
  const closing = (popup: Page): Promise<void> =>
    popup.isClosed()
      ? Promise.resolve()
      : new Promise((resolve) => popup.once('close', () => resolve()));

  it('popup: re-authenticates in a popup, completes the transfer, keeps what was typed', async () => {
    const shots = new Screenshots('spa-popup');
    await openSpaStale(shots);
    await page.click('#transfer');
    await page.waitForSelector('step-up-dialog #provider');
    await shots.take(page, 'confirm-dialog');
    const popupOpened = page.waitForEvent('popup');
    await useProvider();
    const popup = await popupOpened;
    await popup.waitForURL((url) => url.href.startsWith(emulatorUrl()));
    expect(new URL(popup.url()).pathname).toBe('/user_management/authorize/sign-in');
    await shots.take(popup, 'popup');
    const closed = closing(popup);
    await ssoSignIn(popup);
    await closed;
    await page.waitForSelector('#results li');
    await shots.take(page, 'done');
    expect(await results()).toEqual(['Transfer: completed (25 to savings)']);
    expect(await page.inputValue('#note')).toBe('half-written note');
  });

  it('redirect: leaves, re-authenticates, comes back and resumes the transfer', async () => {
    const shots = new Screenshots('spa-redirect');
    await openSpaStale(shots, '?mode=redirect');
    await page.click('#transfer');
    await useProvider();
    await page.waitForURL((url) => url.href.startsWith(emulatorUrl()));
    await shots.take(page, 'emulator');
    await ssoSignIn(page);
    await page.waitForURL(`${demo.url}/spa?mode=redirect`);
    await page.waitForSelector('#results li');
    await shots.take(page, 'resumed');
    expect(await results()).toEqual(['Resumed transfer: completed']);
  });

  it('a closed popup rejects with a typed cancellation, and nothing is transferred', async () => {
    const shots = new Screenshots('spa-popup-closed');
    await openSpaStale(shots);
    await page.click('#transfer');
    const popupOpened = page.waitForEvent('popup');
    await useProvider();
    const popup = await popupOpened;
    await popup.waitForSelector('#email');
    await popup.close();
    await page.waitForSelector('#results li');
    await shots.take(page, 'cancelled');
    expect(await results()).toEqual(['Transfer: ReauthCancelledError (reauth_cancelled)']);
  });

  it('three transfers at once open one popup and all complete', async () => {
    const shots = new Screenshots('spa-three-at-once');
    await openSpaStale(shots);
    const popups: Page[] = [];
    page.on('popup', (popup) => popups.push(popup));
    await page.click('#transfer-three');
    const popupOpened = page.waitForEvent('popup');
    await useProvider();
    const popup = await popupOpened;
    const closed = closing(popup);
    await ssoSignIn(popup);
    await closed;
    await page.waitForFunction(() => document.querySelectorAll('#results li').length === 3);
    await shots.take(page, 'done');
    expect((await results()).sort()).toEqual([
      'Transfer 1: completed (25 to savings)',
      'Transfer 2: completed (25 to savings)',
      'Transfer 3: completed (25 to savings)',
    ]);
    expect(popups).toHaveLength(1);
  });
});
