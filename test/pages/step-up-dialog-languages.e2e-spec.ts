import { STEP_UP_DIALOG_LANGUAGES, type StepUpDialogLanguage } from 'step-up-fetch';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, Screenshots } from '../support/chromium';
import { startStepUpTestApp, type StepUpTestApp } from '../client/step-up-dialog.server';

/**
 * The default `<step-up-dialog>` of step-up-fetch in each shipped language, in headless
 * Chromium under the test page's strict CSP: chosen by the page's `lang`, by the browser's
 * languages when the page names none, or by the `language` option; the app's `texts` still
 * replace single texts, and a language the dialog does not speak falls back to English.
 */

jest.setTimeout(120_000);

const WAIT = { timeout: 30_000 };
const LANGUAGES: StepUpDialogLanguage[] = ['en', 'de', 'fr', 'es'];

/** What the open dialog shows. */
interface DialogTexts {
  lang: string;
  title: string;
  description: string;
  passwordLabel: string;
  submit: string;
  provider: string;
  cancel: string;
  action: string;
}

async function openDialog(page: Page): Promise<DialogTexts> {
  await page.waitForFunction(
    () => document.querySelector('step-up-dialog')?.shadowRoot?.querySelector('dialog')?.open,
    undefined,
    WAIT,
  );
  return page.evaluate(() => {
    const root = document.querySelector('step-up-dialog')!.shadowRoot!;
    const text = (selector: string) => root.querySelector(selector)?.textContent ?? '';
    return {
      lang: root.querySelector('dialog')!.lang,
      title: text('#title'),
      description: text('#description'),
      passwordLabel: text('label[for="password"]'),
      submit: text('button[type="submit"]'),
      provider: text('#provider'),
      cancel: text('#cancel'),
      action: text('#action'),
    };
  });
}

/** Cancels with Escape and waits for the dialog to be gone. */
async function cancel(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('step-up-dialog'), undefined, WAIT);
}

describe('<step-up-dialog> in each language, in headless Chromium', () => {
  let app: StepUpTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    app = await startStepUpTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openPage(locale: string): Promise<void> {
    app.reset({ actionSummary: 'Transfer 50 EUR to Bob' });
    context = await browser.newContext({ locale });
    problems = [];
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => {
        seen.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(app.url);
    await page.waitForFunction(
      () => (window as unknown as { api?: unknown }).api !== undefined,
      undefined,
      WAIT,
    );
  }

  afterEach(async () => {
    const violations = await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect([...problems, ...violations]).toEqual([]);
    await context?.close();
  });

  /** Sets the page's `lang` (or removes it), then starts a transfer the server refuses. */
  async function start(lang: string | null): Promise<void> {
    await page.evaluate((value) => {
      if (value === null) document.documentElement.removeAttribute('lang');
      else document.documentElement.lang = value;
    }, lang);
    await page.click('#start');
  }

  const expected = (language: StepUpDialogLanguage): DialogTexts => {
    const texts = STEP_UP_DIALOG_LANGUAGES[language];
    return {
      lang: language,
      title: texts.title,
      description: texts.description,
      passwordLabel: texts.password,
      submit: texts.submit,
      provider: texts.useProvider,
      cancel: texts.cancel,
      action: `${texts.action} Transfer 50 EUR to Bob`,
    };
  };

  it.each(LANGUAGES)('speaks the page’s language: lang="%s"', async (language) => {
    // The browser prefers another language: the page's own wins.
    await openPage(language === 'de' ? 'fr-FR' : 'de-DE');
    await start(language);
    expect(await openDialog(page)).toEqual(expected(language));
    await new Screenshots(`step-up-dialog-${language}`).take(page, 'dialog');
    await cancel(page);
  });

  it('speaks the browser’s language when the page names none', async () => {
    await openPage('fr-CA');
    await start(null);
    expect(await openDialog(page)).toEqual(expected('fr'));
    await cancel(page);
  });

  it('falls back to English for a language it does not speak', async () => {
    await openPage('ja-JP');
    await start('ja');
    expect(await openDialog(page)).toEqual(expected('en'));
    await cancel(page);
  });

  it('takes the language option over the page’s, with the app’s own texts over it', async () => {
    await openPage('de-DE');
    await page.evaluate(() => {
      const { stepUp } = window as unknown as {
        stepUp: {
          createReauthFetch(options: object): (url: string, init: object) => Promise<Response>;
          stepUpDialog(options: object): unknown;
        };
      };
      const api = stepUp.createReauthFetch({
        onReauthRequired: stepUp.stepUpDialog({
          language: 'es',
          texts: { title: 'Confirma la transferencia' },
        }),
      });
      void api('/api/transfers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' },
        body: '{}',
      }).catch(() => undefined);
    });
    expect(await openDialog(page)).toEqual({
      ...expected('es'),
      title: 'Confirma la transferencia',
    });
    await cancel(page);
  });
});
