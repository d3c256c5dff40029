import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { CODE, PASSWORD, startStepUpTestApp, type StepUpTestApp } from './step-up-dialog.server';

/**
 * The default `<step-up-dialog>` of step-up-fetch in headless Chromium, on a page under a strict
 * Content-Security-Policy: operated with the keyboard alone, with a real passkey (a virtual
 * authenticator, checked by @simplewebauthn/server) and with a password and a code.
 */

jest.setTimeout(120_000);

/** How long a condition may take to hold on a loaded machine. */
const WAIT = { timeout: 30_000 };

type Outcome = { status: number; body: unknown } | { error: string };

interface PageWindow {
  parallel?: number;
  pending: Promise<Outcome[]>;
  api?: unknown;
  stepUp: { enrolPasskey(options: { name: string }): Promise<{ name: string }> };
  observed: { cspViolations: string[] };
}

/** Where focus is: the id of the focused element, inside the dialog's shadow root or not. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.querySelector('step-up-dialog');
    const inner = host?.shadowRoot?.activeElement;
    if (inner) return `dialog #${inner.id}`;
    return `page #${document.activeElement?.id ?? ''}`;
  });
}

function dialogOpen(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => document.querySelector('step-up-dialog')?.shadowRoot?.querySelector('dialog')?.open,
    undefined,
    WAIT,
  );
}

/** Waits for the dialog to be gone, then for the transfers' outcomes. */
async function outcomes(page: Page): Promise<Outcome[]> {
  await page.waitForFunction(() => !document.querySelector('step-up-dialog'), undefined, WAIT);
  return page.evaluate(() => (window as unknown as PageWindow).pending);
}

/** The dialog's live region and its text. */
function errorShown(page: Page): Promise<{ role: string | null; text: string }> {
  return page
    .waitForFunction(
      () => {
        const error = document.querySelector('step-up-dialog')?.shadowRoot?.querySelector('#error');
        return error?.textContent
          ? { role: error.getAttribute('role'), text: error.textContent }
          : false;
      },
      undefined,
      WAIT,
    )
    .then((handle) => handle.jsonValue() as Promise<{ role: string | null; text: string }>);
}

/** Polls a condition of the test's own process (the app's state) until it holds. */
async function eventually(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT.timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts the transfers with the keyboard: focus on the page's button, Enter. */
async function startTransfers(page: Page, parallel = 1): Promise<void> {
  await page.evaluate((count) => {
    (window as unknown as PageWindow).parallel = count;
  }, parallel);
  await page.focus('#start');
  await page.keyboard.press('Enter');
}

describe('<step-up-dialog> in headless Chromium', () => {
  let app: StepUpTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    app = await startStepUpTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  beforeEach(async () => {
    app.reset();
    context = await browser.newContext();
    consoleErrors = [];
    context.on('console', (message) => {
      // The refusals themselves are logged by the browser as failed loads: they are the protocol.
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
    await context.addInitScript(() => {
      const observed = { cspViolations: [] as string[] };
      (window as unknown as { observed: typeof observed }).observed = observed;
      document.addEventListener('securitypolicyviolation', (event) => {
        observed.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    page = await context.newPage();
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const cdp = await context.newCDPSession(page);
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
    await page.goto(app.url);
    await page.waitForFunction(
      () => (window as unknown as PageWindow).api !== undefined,
      undefined,
      WAIT,
    );
  });

  afterEach(async () => {
    const violations = await page.evaluate(
      () => (window as unknown as PageWindow).observed.cspViolations,
    );
    await context.close();
    expect({ violations, consoleErrors }).toEqual({ violations: [], consoleErrors: [] });
  });

  it('confirms with a passkey by keyboard, retries the request, and gives focus back', async () => {
    const enrolled = await page.evaluate(() =>
      (window as unknown as PageWindow).stepUp.enrolPasskey({ name: 'This laptop' }),
    );
    expect(enrolled.name).toBe('This laptop');

    await startTransfers(page);
    await dialogOpen(page);
    const labels = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      const dialog = root.querySelector('dialog')!;
      const text = (id: string) => root.getElementById(id)?.textContent;
      return {
        title: text(dialog.getAttribute('aria-labelledby')!),
        describedBy: dialog.getAttribute('aria-describedby'),
        actionShown: root.getElementById('action')!.checkVisibility(),
        modal: dialog.matches(':modal'),
        radius: getComputedStyle(dialog).borderTopLeftRadius,
      };
    });
    expect(labels).toEqual({
      title: 'Confirm it’s you',
      describedBy: 'description action error',
      actionShown: false, // the route is not bound to one action
      modal: true,
      radius: '10px', // the adopted stylesheet applies under the policy
    });
    expect(await focused(page)).toBe('dialog #passkey');

    await page.keyboard.press('Enter');
    expect(await outcomes(page)).toEqual([{ status: 200, body: { ok: true, n: 0 } }]);
    expect(app.state.passkeyVerified).toBe(true);
    expect(await focused(page)).toBe('page #start');
    const confirmations = app.state.received.filter(({ path }) => path.startsWith('/auth/step-up'));
    expect(confirmations.map(({ path }) => path)).toEqual([
      '/auth/step-up/passkey/options',
      '/auth/step-up/passkey',
    ]);
    for (const { cookie, csrf, contentType, body } of confirmations) {
      expect({ cookie, csrf, contentType }).toEqual({
        cookie: 'sid=session-1',
        csrf: 'csrf-1',
        contentType: 'application/json',
      });
      expect(app.state.tickets.has(body?.ticket as string)).toBe(true);
    }
  });

  /** The dialog's action line, whether it is shown, and what comes before the methods. */
  function actionShown(at: Page) {
    return at.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      const action = root.getElementById('action')!;
      const password = root.getElementById('password')!;
      return {
        text: action.textContent,
        summary: root.getElementById('action-summary')!.textContent,
        visible: action.checkVisibility(),
        beforeMethods: Boolean(
          action.compareDocumentPosition(password) & Node.DOCUMENT_POSITION_FOLLOWING,
        ),
        images: root.querySelectorAll('img').length + document.querySelectorAll('img').length,
      };
    });
  }

  it('says which action the user confirms, above the ways to confirm', async () => {
    app.reset({ actionSummary: 'Transfer 50 EUR to Bob' });
    await startTransfers(page);
    await dialogOpen(page);
    expect(await actionShown(page)).toEqual({
      text: 'You are confirming: Transfer 50 EUR to Bob',
      summary: 'Transfer 50 EUR to Bob',
      visible: true,
      beforeMethods: true,
      images: 0,
    });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    expect(await outcomes(page)).toEqual([{ status: 200, body: { ok: true, n: 0 } }]);
  });

  it('shows a summary that holds markup as text, never as HTML', async () => {
    const summary = 'Transfer 50 EUR to <img src=x onerror="document.title=\'pwned\'"> Bob';
    app.reset({ actionSummary: summary });
    await startTransfers(page);
    await dialogOpen(page);
    expect(await actionShown(page)).toEqual({
      text: `You are confirming: ${summary}`,
      summary,
      visible: true,
      beforeMethods: true,
      images: 0,
    });
    expect(await page.title()).toBe('Transfers');
    await page.keyboard.press('Escape');
    expect(await outcomes(page)).toEqual([{ error: 'ReauthCancelledError' }]);
  });

  it('takes the label before the summary from the texts', async () => {
    app.reset({ actionSummary: 'Transfer 50 EUR to Bob' });
    await page.evaluate(() => {
      const { stepUp } = window as unknown as {
        stepUp: {
          createReauthFetch(options: object): (url: string, init: object) => Promise<Response>;
          stepUpDialog(options: object): unknown;
        };
      };
      const api = stepUp.createReauthFetch({
        onReauthRequired: stepUp.stepUpDialog({ texts: { action: 'Sie bestätigen:' } }),
      });
      (window as unknown as PageWindow).pending = api('/api/transfers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: 7 }),
      }).then(
        async (response) => [{ status: response.status, body: await response.json() }],
        (error: Error) => [{ error: error.name }],
      );
    });
    await dialogOpen(page);
    expect((await actionShown(page)).text).toBe('Sie bestätigen: Transfer 50 EUR to Bob');
    await page.keyboard.press('Escape');
    expect(await outcomes(page)).toEqual([{ error: 'ReauthCancelledError' }]);
  });

  it('takes the password, announces a wrong one, then asks for the code', async () => {
    app.reset({ hasCode: true });
    await startTransfers(page);
    await dialogOpen(page);
    expect(await focused(page)).toBe('dialog #password');
    const autocomplete = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      return ['password', 'code'].map((id) =>
        root.getElementById(id)!.getAttribute('autocomplete'),
      );
    });
    expect(autocomplete).toEqual(['current-password webauthn', 'one-time-code']);

    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    expect(await errorShown(page)).toEqual({
      role: 'alert',
      text: 'That password is not right. Try again.',
    });
    expect(await focused(page)).toBe('dialog #password');

    await page.keyboard.type(PASSWORD); // the wrong one is selected: typing replaces it
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('step-up-dialog')?.shadowRoot?.activeElement?.id === 'code',
      undefined,
      WAIT,
    );
    await page.keyboard.type(CODE);
    await page.keyboard.press('Enter');

    expect(await outcomes(page)).toEqual([{ status: 200, body: { ok: true, n: 0 } }]);
    expect(await focused(page)).toBe('page #start');
    const sent = app.state.received
      .filter(({ path }) => path === '/auth/step-up/password')
      .map(({ body }) => ({ ...body, ticket: typeof body?.ticket }));
    expect(sent).toEqual([
      { ticket: 'string', password: 'not-the-password' },
      { ticket: 'string', password: PASSWORD },
      { ticket: 'string', code: CODE },
    ]);
  });

  it('keeps Tab inside the dialog, and Escape cancels and gives focus back', async () => {
    await startTransfers(page);
    await dialogOpen(page);
    expect(await focused(page)).toBe('dialog #password');
    const stops: string[] = [];
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      stops.push(await focused(page));
    }
    expect(stops).toEqual([
      'dialog #submit',
      'dialog #provider',
      'dialog #cancel',
      'dialog #password',
      'dialog #cancel',
      'dialog #provider',
    ]);

    await page.keyboard.press('Escape');
    expect(await outcomes(page)).toEqual([{ error: 'ReauthCancelledError' }]);
    expect(await focused(page)).toBe('page #start');
    expect(app.state.received.map(({ path }) => path)).toEqual(['/api/transfers']);
  });

  it('opens one dialog for requests refused together, and retries them all after it', async () => {
    await startTransfers(page, 3);
    await dialogOpen(page);
    await eventually(
      () => app.state.received.filter(({ path }) => path === '/api/transfers').length === 3,
    );
    expect(await page.evaluate(() => document.querySelectorAll('step-up-dialog').length)).toBe(1);

    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    const results = await outcomes(page);
    expect(results).toEqual([0, 1, 2].map((n) => ({ status: 200, body: { ok: true, n } })));
    const paths = app.state.received.map(({ path }) => path);
    expect(paths.filter((path) => path === '/auth/step-up/password')).toHaveLength(1);
    expect(paths.filter((path) => path === '/api/transfers')).toHaveLength(6);
  });

  it('without a way to confirm in the page, offers only Continue; Escape cancels', async () => {
    app.reset({ offersStepUp: false });
    await startTransfers(page);
    await dialogOpen(page);
    expect(await focused(page)).toBe('dialog #provider');
    const shown = await page.evaluate(() => {
      const root = document.querySelector('step-up-dialog')!.shadowRoot!;
      return [...root.querySelectorAll('button, input')]
        .filter((control) => control.closest('[hidden]') === null)
        .map((control) => control.textContent || control.id);
    });
    expect(shown).toEqual(['Continue', 'Cancel']);
    await page.keyboard.press('Escape');
    expect(await outcomes(page)).toEqual([{ error: 'ReauthCancelledError' }]);
    expect(await focused(page)).toBe('page #start');
  });

  it('"Use another way" continues in the provider’s popup', async () => {
    await startTransfers(page);
    await dialogOpen(page);
    await page.keyboard.press('Tab'); // submit
    await page.keyboard.press('Tab'); // provider
    expect(await focused(page)).toBe('dialog #provider');
    const popup = context.waitForEvent('page', WAIT);
    await page.keyboard.press('Enter');
    expect((await popup).url()).toBe(`${app.url}/authorize`);
    await page.waitForFunction(() => !document.querySelector('step-up-dialog'), undefined, WAIT);
  });
});
