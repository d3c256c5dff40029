import { type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { Screenshots } from '../support/chromium';
import { useChromiumDemo } from '../support/chromium-demo';
import { totpAt } from '../support/emulator';

/**
 * Confirmation inside the page on the demo, in headless Chromium, with the demo's own pages and
 * scripts under its Content-Security-Policy, passkeys kept in the embedded PostgreSQL (PGlite)
 * as `npm start` keeps them, and a virtual authenticator (Chrome DevTools Protocol) for the
 * device's passkey.
 */

jest.setTimeout(180_000);

/** How long a condition may take to hold on a loaded machine. */
const WAIT = { timeout: 30_000 };

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

interface Observed {
  cspViolations: string[];
  /** From the transfer click to the first result, in the page's own clock (ms). */
  clickedAt?: number;
  resultAt?: number;
}

describe('Confirming in the page on the demo (headless Chromium)', () => {
  const env = useChromiumDemo({ width: 1000, height: 800 }, { pglite: true });
  let demo: RunningDemo;
  let page: Page;
  let pageErrors: string[];

  beforeEach(async () => {
    ({ demo, page } = env);
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await env.context.addInitScript(() => {
      const observed: Observed = { cspViolations: [] };
      (window as unknown as { observed: Observed }).observed = observed;
      document.addEventListener('securitypolicyviolation', (event) => {
        observed.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const cdp = await env.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });

  /** What the page saw: no policy violation and no script error, on whichever page it is now. */
  async function expectACleanPage(): Promise<void> {
    const violations = await page.evaluate(
      () => (window as unknown as { observed: Observed }).observed.cspViolations,
    );
    expect({ violations, pageErrors }).toEqual({ violations: [], pageErrors: [] });
  }

  /** Completes the provider's hosted pages in `at` (the tab or a popup), as the person would. */
  async function authenticate(at: Page, person: Person): Promise<void> {
    await at.waitForSelector('#email', WAIT);
    await at.fill('#email', person.email);
    await at.click('#continue');
    if (person.password === undefined) {
      await at.click('#sso-continue', WAIT);
      return;
    }
    await at.fill('#password', person.password);
    await at.click('#sign-in');
    if (person.totpSecret) {
      await at.waitForSelector('#code', WAIT);
      await at.fill('#code', totpAt(person.totpSecret, demo.emulator!.now()));
      await at.click('#verify');
    }
  }

  async function signIn(person: Person, returnTo: string): Promise<void> {
    await page.goto(`${demo.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    await authenticate(page, person);
    await page.waitForURL(`${demo.url}${returnTo}`, WAIT);
    // The page's script has loaded once its module ran: the buttons are wired.
    await page.waitForLoadState('load');
  }

  /** The id of the focused control inside the dialog, or `page #id` outside it. */
  function focused(): Promise<string> {
    return page.evaluate(() => {
      const inner = document.querySelector('step-up-dialog')?.shadowRoot?.activeElement;
      if (inner) return `dialog #${inner.id}`;
      return `page #${document.activeElement?.id ?? ''}`;
    });
  }

  async function dialogOpen(): Promise<void> {
    await page.waitForFunction(
      () => document.querySelector('step-up-dialog')?.shadowRoot?.querySelector('dialog')?.open,
      undefined,
      WAIT,
    );
  }

  async function focusReaches(id: string): Promise<void> {
    await page.waitForFunction(
      (expected) =>
        document.querySelector('step-up-dialog')?.shadowRoot?.activeElement?.id === expected,
      id,
      WAIT,
    );
  }

  /** The transfer button, pressed with the keyboard. */
  async function transferByKeyboard(button = '#transfer'): Promise<void> {
    await page.focus(button);
    await page.keyboard.press('Enter');
  }

  async function results(count: number): Promise<string[]> {
    await page.waitForFunction(
      (n) => document.querySelectorAll('#results li').length >= n,
      count,
      WAIT,
    );
    return page.locator('#results li').allTextContents();
  }

  /** Records, in the page, when the transfer is clicked and when its result is shown. */
  async function timeTheTransfer(): Promise<void> {
    await page.evaluate(() => {
      const observed = (window as unknown as { observed: Observed }).observed;
      document
        .getElementById('transfer')!
        .addEventListener('click', () => (observed.clickedAt = performance.now()), {
          capture: true,
        });
      new MutationObserver(() => (observed.resultAt ??= performance.now())).observe(
        document.getElementById('results')!,
        { childList: true },
      );
    });
  }

  /** The passkeys page's list, once its script has loaded it. */
  async function passkeyNames(count: number): Promise<string[]> {
    await page.waitForSelector(`#passkey-list[data-loaded="${count}"]`, {
      state: 'attached',
      ...WAIT,
    });
    return page.locator('#passkey-list .name').allTextContents();
  }

  it('alice enrols a passkey, confirms a stale transfer with it, renames and deletes it', async () => {
    const shots = new Screenshots('in-page-passkey');
    await signIn(ALICE, '/account');
    await page.click('#to-passkeys');
    await page.waitForURL(`${demo.url}/account/passkeys`, WAIT);
    expect(await passkeyNames(0)).toEqual([]);
    expect(await page.isVisible('#no-passkeys')).toBe(true);

    await page.focus('#passkey-name');
    await page.keyboard.type('This laptop');
    await page.keyboard.press('Enter');
    expect(await passkeyNames(1)).toEqual(['This laptop']);
    expect(await page.textContent('#passkeys-status')).toBe(
      'Added This laptop. You can now confirm it’s you with it.',
    );
    await shots.take(page, 'enrolled');
    await expectACleanPage();

    // Past the route's 300 s: the transfer asks, the passkey answers, the request is retried.
    await page.goto(`${demo.url}/spa`);
    await page.fill('#note', 'half-written note');
    await env.advance(301);
    await timeTheTransfer();
    const startedAt = Date.now();
    await transferByKeyboard();
    await dialogOpen();
    expect(await focused()).toBe('dialog #passkey');
    await shots.take(page, 'dialog');
    await page.keyboard.press('Enter');
    expect(await results(1)).toEqual(['Transfer: completed (25 to savings)']);
    const measuredFromTest = Date.now() - startedAt;
    const inPage = await page.evaluate(() => {
      const { clickedAt, resultAt } = (window as unknown as { observed: Observed }).observed;
      return resultAt! - clickedAt!;
    });
    process.stdout.write(
      `Passkey confirmation, click to successful response: ${inPage.toFixed(0)} ms in the page (${measuredFromTest} ms as the test drove it)\n`,
    );
    expect(await focused()).toBe('page #transfer');
    expect(await page.inputValue('#note')).toBe('half-written note');
    await shots.take(page, 'confirmed');
    await expectACleanPage();

    // The passkey now shows when it was last used. Renaming needs a recent sign-in at the
    // provider, which a passkey is not: the dialog says so and continues in the popup.
    await page.goto(`${demo.url}/account/passkeys`);
    expect(await passkeyNames(1)).toEqual(['This laptop']);
    expect(await page.textContent('#passkey-list .muted')).toContain('last used');
    await page.fill('#passkey-list .rename', 'Work laptop');
    await page.focus('#passkey-list .save');
    await page.keyboard.press('Enter');
    await dialogOpen();
    expect(await focused()).toBe('dialog #provider');
    const popupOpened = page.waitForEvent('popup', WAIT);
    await page.keyboard.press('Enter');
    const popup = await popupOpened;
    await authenticate(popup, ALICE);
    await page.waitForSelector('#passkeys-status:has-text("Renamed to Work laptop.")', WAIT);
    expect(await passkeyNames(1)).toEqual(['Work laptop']);

    // Fresh again: deleting goes straight through.
    await page.focus('#passkey-list .delete');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#passkeys-status:has-text("Deleted Work laptop.")', WAIT);
    expect(await passkeyNames(0)).toEqual([]);
    await shots.take(page, 'deleted');
    await expectACleanPage();
  });

  it('enrolling while the sign-in is stale signs in again in the popup, then adds the passkey', async () => {
    await signIn(ALICE, '/account/passkeys');
    expect(await passkeyNames(0)).toEqual([]);
    await env.advance(301);
    const refusals: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/auth/passkeys/registration/options') {
        refusals.push(response.status());
      }
    });
    await page.fill('#passkey-name', 'Phone');
    await page.focus('#passkey-name');
    await page.keyboard.press('Enter');
    await dialogOpen();
    expect(await focused()).toBe('dialog #provider');
    const popupOpened = page.waitForEvent('popup', WAIT);
    await page.keyboard.press('Enter');
    await authenticate(await popupOpened, ALICE);
    expect(await passkeyNames(1)).toEqual(['Phone']);
    expect(refusals).toEqual([401, 200]);

    await page.click('#passkey-list .delete');
    expect(await passkeyNames(0)).toEqual([]);
    await expectACleanPage();
  });

  it('bob confirms with his password and a TOTP code, with the keyboard alone', async () => {
    const shots = new Screenshots('in-page-password-totp');
    await signIn(BOB, '/spa');
    await env.advance(301);
    await transferByKeyboard();
    await dialogOpen();
    expect(await focused()).toBe('dialog #password');

    // Tab stays inside the dialog, and comes back round to the password.
    const stops: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused());
    }
    expect(stops).toEqual([
      'dialog #submit',
      'dialog #provider',
      'dialog #cancel',
      'dialog #password',
    ]);

    await page.keyboard.type(BOB.password!);
    await page.keyboard.press('Enter');
    await focusReaches('code');
    await shots.take(page, 'code');
    await page.keyboard.type(totpAt(BOB.totpSecret!, demo.emulator!.now()));
    await page.keyboard.press('Enter');
    expect(await results(1)).toEqual(['Transfer: completed (25 to savings)']);
    expect(await focused()).toBe('page #transfer');
    await expectACleanPage();
  });

  it('Escape cancels: the request is rejected and nothing is transferred', async () => {
    await signIn(BOB, '/spa');
    await env.advance(301);
    const transfers: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/transfers') transfers.push(response.status());
    });
    const transfersOf = async () =>
      ((await (await page.request.get(`${demo.url}/api/me`)).json()) as { transfers: number })
        .transfers;
    const before = await transfersOf();
    await transferByKeyboard();
    await dialogOpen();
    await page.keyboard.press('Escape');
    expect(await results(1)).toEqual(['Transfer: ReauthCancelledError (reauth_cancelled)']);
    expect(await focused()).toBe('page #transfer');
    expect(transfers).toEqual([401]);
    expect(await transfersOf()).toBe(before);
    await expectACleanPage();
  });

  it('three transfers refused together share one dialog, and all go ahead after it', async () => {
    await signIn(BOB, '/spa');
    await env.advance(301);
    const confirmations: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/auth/step-up')) confirmations.push(path);
    });
    await transferByKeyboard('#transfer-three');
    await dialogOpen();
    expect(await page.evaluate(() => document.querySelectorAll('step-up-dialog').length)).toBe(1);
    await page.keyboard.type(BOB.password!);
    await page.keyboard.press('Enter');
    await focusReaches('code');
    await page.keyboard.type(totpAt(BOB.totpSecret!, demo.emulator!.now()));
    await page.keyboard.press('Enter');
    expect((await results(3)).sort()).toEqual([
      'Transfer 1: completed (25 to savings)',
      'Transfer 2: completed (25 to savings)',
      'Transfer 3: completed (25 to savings)',
    ]);
    expect(confirmations).toEqual(['/auth/step-up/password', '/auth/step-up/password']);
    await expectACleanPage();
  });

  it('a payment is confirmed for its amount and payee, and the dialog says which', async () => {
    await signIn(ALICE, '/spa');
    // Fresh as the sign-in is, a bound payment is confirmed on its own.
    await page.focus('#send-money');
    await page.keyboard.press('Enter');
    await dialogOpen();
    const shown = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      return {
        action: root.getElementById('action')!.textContent,
        visible: root.getElementById('action')!.checkVisibility(),
      };
    });
    expect(shown).toEqual({ action: 'You are confirming: Transfer 50 EUR to Bob', visible: true });
    expect(await focused()).toBe('dialog #password');
    await page.keyboard.type(ALICE.password!);
    await page.keyboard.press('Enter');
    expect(await results(1)).toEqual(['Payment: completed (50 EUR to Bob)']);

    // The confirmation was for that payment, once: sent again, it asks again.
    const pay = (amount: number) =>
      page.request.post(`${demo.url}/api/payments`, {
        headers: { origin: demo.url, accept: 'application/json' },
        data: { amount, payee: 'Bob' },
      });
    const again = await pay(50);
    expect(again.status()).toBe(401);
    const refusal = (await again.json()) as { actionSummary: string; stepUp: { ticket: string } };
    expect(refusal.actionSummary).toBe('Transfer 50 EUR to Bob');

    // Confirmed for 50 EUR to Bob: 500 EUR is refused, then the 50 EUR goes through, once.
    const confirmed = await page.request.post(`${demo.url}/auth/step-up/password`, {
      headers: { origin: demo.url, accept: 'application/json' },
      data: { ticket: refusal.stepUp.ticket, password: ALICE.password },
    });
    expect(confirmed.status()).toBe(200);
    const more = await pay(500);
    expect(more.status()).toBe(401);
    expect(await more.json()).toMatchObject({ actionSummary: 'Transfer 500 EUR to Bob' });
    const paid = await pay(50);
    expect(paid.status()).toBe(201);
    expect(await paid.json()).toMatchObject({ amount: 50, to: 'Bob', status: 'completed' });
    expect((await pay(50)).status()).toBe(401);
    await expectACleanPage();
  });

  it('changes the email in the page: the form is sent by the page’s script and confirmed there', async () => {
    const shots = new Screenshots('in-page-email');
    await signIn(BOB, '/account/security');
    await env.advance(301);
    await page.fill('#email-input', 'bob.new@example.com');
    await page.focus('#email-input');
    await page.keyboard.press('Enter');
    await dialogOpen();
    await page.keyboard.type(BOB.password!);
    await page.keyboard.press('Enter');
    await focusReaches('code');
    await page.keyboard.type(totpAt(BOB.totpSecret!, demo.emulator!.now()));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#email-status:has-text("Your email address was changed.")', WAIT);
    expect(page.url()).toBe(`${demo.url}/account/security`);
    expect(await page.textContent('#email')).toBe('bob.new@example.com');
    await shots.take(page, 'saved');
    await expectACleanPage();
  });

  it('carol (SSO) is offered no password: the dialog continues at her identity provider', async () => {
    await signIn(CAROL, '/spa');
    await env.advance(301);
    const refused = page.waitForResponse(
      (response) =>
        new URL(response.url()).pathname === '/api/transfers' && response.status() === 401,
      WAIT,
    );
    await transferByKeyboard();
    const refusal = (await (await refused).json()) as { stepUp?: unknown; reauthUrl?: string };
    // Her session did not begin with a password, and she has no passkey: nothing in the page.
    expect(refusal.stepUp).toBeUndefined();
    expect(refusal.reauthUrl).toEqual(expect.any(String));

    await dialogOpen();
    expect(await focused()).toBe('dialog #provider');
    const shown = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      const visible = (id: string) => {
        const element = root.getElementById(id);
        return element !== null && element.offsetParent !== null;
      };
      return {
        passkey: visible('passkey'),
        password: visible('password'),
        provider: root.getElementById('provider')!.textContent,
      };
    });
    expect(shown).toEqual({ passkey: false, password: false, provider: 'Continue' });

    const popupOpened = page.waitForEvent('popup', WAIT);
    await page.keyboard.press('Enter');
    const popup = await popupOpened;
    await authenticate(popup, CAROL);
    expect(await results(1)).toEqual(['Transfer: completed (25 to savings)']);

    // Asked anyway, the password route answers that her account cannot confirm that way.
    const answer = await page.request.post(`${demo.url}/auth/step-up/password`, {
      headers: { origin: demo.url, accept: 'application/json' },
      data: { password: 'not-a-password' },
    });
    process.stdout.write(
      `An SSO user's password, posted anyway: ${answer.status()} ${await answer.text()}\n`,
    );
    expect(answer.status()).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'method_unavailable' });
    await expectACleanPage();
  });
});
