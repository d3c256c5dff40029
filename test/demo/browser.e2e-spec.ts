import { type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { totpAt } from '../support/emulator';
import { Screenshots } from '../support/chromium';
import { useChromiumDemo } from '../support/chromium-demo';

jest.setTimeout(60_000);

interface Person {
  email: string;
  password?: string;
  totpSecret?: string;
}

const ALICE: Person = { email: 'alice@example.com', password: 'alice-password' };
const BOB: Person = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
const CAROL: Person = { email: 'carol@sso.example.com' };

describe('The demo in a real browser (headless Chromium)', () => {
  const env = useChromiumDemo({ width: 1000, height: 760 });
  let demo: RunningDemo;
  let page: Page;
  beforeEach(() => {
    ({ demo, page } = env);
  });

  const emulatorUrl = () => env.emulatorUrl();
  const advance = (seconds: number) => env.advance(seconds);

  /** Completes the hosted pages the browser is on, as the person would. */
  async function authenticate(person: Person, shots: Screenshots, label: string): Promise<void> {
    await page.waitForURL((url) => url.href.startsWith(emulatorUrl()));
    await shots.take(page, `${label}-emulator`);
    await page.fill('#email', person.email);
    await page.click('#continue');
    if (person.password === undefined) {
      await page.waitForSelector('#sso-continue');
      await shots.take(page, `${label}-identity-provider`);
      await page.click('#sso-continue');
      return;
    }
    await page.fill('#password', person.password);
    await shots.take(page, `${label}-password`);
    await page.click('#sign-in');
    if (person.totpSecret) {
      await page.waitForSelector('#code');
      await page.fill('#code', totpAt(person.totpSecret, demo.emulator!.now()));
      await shots.take(page, `${label}-totp`);
      await page.click('#verify');
    }
  }

  async function signIn(person: Person, shots: Screenshots): Promise<void> {
    await page.goto(`${demo.url}/`);
    await shots.take(page, 'home');
    await page.click('#sign-in-main');
    await authenticate(person, shots, 'sign-in');
    await page.waitForURL(`${demo.url}/account`);
    await shots.take(page, 'account');
    expect(await page.textContent('#email')).toBe(person.email);
  }

  it.each([
    ['alice with her password', ALICE],
    ['bob with a TOTP code', BOB],
    ['carol through SSO', CAROL],
  ])('%s: the security page asks again after 300 s and brings her back', async (label, person) => {
    const shots = new Screenshots(`reauth-${label}`);
    await signIn(person, shots);
    await page.click('#to-security');
    await page.waitForURL(`${demo.url}/account/security`);
    await shots.take(page, 'security-fresh');
    expect(await page.textContent('#freshness')).toContain('open for another');

    await advance(301);
    await page.goto(`${demo.url}/account/security`);
    await page.waitForURL((url) => url.href.startsWith(emulatorUrl()));
    expect(new URL(page.url()).pathname).toBe('/user_management/authorize/sign-in');
    expect(await page.textContent('h1')).toBe('Confirm it’s you');
    expect(await page.inputValue('#email')).toBe(person.email);
    await authenticate(person, shots, 'reauth');
    await page.waitForURL(`${demo.url}/account/security`);
    await shots.take(page, 'security-after-reauth');
    expect(await page.textContent('#freshness')).toContain('open for another');
  });

  it('sends max_age=300 to AuthKit for the security page', async () => {
    const shots = new Screenshots('max-age-on-the-wire');
    await signIn(ALICE, shots);
    await advance(301);
    const authorize = page.waitForRequest((request) =>
      request.url().includes('/user_management/authorize?'),
    );
    await page.goto(`${demo.url}/account/security`);
    const url = new URL((await authorize).url());
    expect(url.searchParams.get('max_age')).toBe('300');
    expect(url.searchParams.get('state')).toBeTruthy();
  });

  it('restores the email change submitted while stale, without JavaScript', async () => {
    const shots = new Screenshots('email-change-restored');
    // The form as a browser without JavaScript posts it: the page's script would confirm in the
    // page instead (test/demo/in-page.e2e-spec.ts).
    const browser = env.context.browser()!;
    await env.context.close();
    env.context = await browser.newContext({
      viewport: { width: 1000, height: 760 },
      javaScriptEnabled: false,
    });
    page = env.page = await env.context.newPage();
    await signIn(ALICE, shots);
    await page.goto(`${demo.url}/account/security`);
    await advance(301);
    await page.fill('#email-input', 'alice.new@example.com');
    await shots.take(page, 'typed-while-stale');
    await page.click('#save-email');
    await authenticate(ALICE, shots, 'reauth');
    await page.waitForURL(`${demo.url}/account/security`);
    await shots.take(page, 'restored');
    expect(await page.inputValue('#email-input')).toBe('alice.new@example.com');
    expect(await page.textContent('[role=status]')).toContain('Your change is filled in below');
    await page.click('#save-email');
    await page.waitForURL(`${demo.url}/account/security?saved=1`);
    await shots.take(page, 'saved');
    expect(await page.textContent('#email')).toBe('alice.new@example.com');
  });

  it('asks for a fresh sign-in before deleting the account, every time, without looping', async () => {
    const shots = new Screenshots('account-deletion');
    await signIn(BOB, shots);
    const visits: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visits.push(frame.url());
    });
    await advance(5);
    await page.fill('#confirm', 'DELETE');
    await page.click('#delete');
    await authenticate(BOB, shots, 'reauth');
    await page.waitForSelector('#delete-now');
    await shots.take(page, 'confirmed');
    expect(visits.filter((url) => url.startsWith(emulatorUrl())).length).toBeLessThanOrEqual(3);
    await page.click('#delete-now');
    await page.waitForSelector('#deleted');
    await shots.take(page, 'deleted');

    // Deleting ended the session at AuthKit too, so signing in again asks for the factors; a
    // second deletion right after that fresh sign-in still asks for a new one.
    await page.goto(`${demo.url}/auth/login?returnTo=%2Faccount`);
    await authenticate(BOB, shots, 'sign-in-again');
    await page.waitForURL(`${demo.url}/account`);
    await advance(5);
    await page.fill('#confirm', 'DELETE');
    const asked = page.waitForRequest((request) =>
      request.url().includes('/user_management/authorize?'),
    );
    await page.click('#delete');
    expect(new URL((await asked).url()).searchParams.get('max_age')).toBe('0');
  });

  it('brings a user who cancels back with a clear message', async () => {
    const shots = new Screenshots('cancel');
    await signIn(CAROL, shots);
    await advance(301);
    await page.click('#to-security');
    await page.waitForURL((url) => url.href.startsWith(emulatorUrl()));
    await shots.take(page, 'emulator');
    await page.click('#cancel');
    await page.waitForURL(`${demo.url}/account?reauth=cancelled`);
    await shots.take(page, 'back');
    expect(await page.textContent('[role=status]')).toContain('You cancelled confirming it’s you');
  });
});
