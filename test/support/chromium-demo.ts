import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { type PasskeyDatabase } from '../../src/passkey-database';
import { launchChromium } from './chromium';
import { openTestPasskeyDatabase, startTestDemo } from './demo';

/** A demo and headless Chromium for a test file; a fresh browser context (and page) per test. */
export interface ChromiumDemo {
  demo: RunningDemo;
  context: BrowserContext;
  page: Page;
  emulatorUrl(): string;
  /** Moves the emulator's clock, which the demo reads too, through its test control. */
  advance(seconds: number): Promise<unknown>;
}

export interface ChromiumDemoOptions {
  /**
   * Keep passkeys in the embedded PostgreSQL (PGlite) as `npm start` does, instead of in memory.
   */
  pglite?: boolean;
}

export function useChromiumDemo(
  viewport: { width: number; height: number },
  options: ChromiumDemoOptions = {},
): ChromiumDemo {
  let browser: Browser;
  let database: PasskeyDatabase | undefined;
  const env = {
    emulatorUrl: () => env.demo.emulator!.url,
    advance: (seconds: number) =>
      env.page.request.post(`${env.emulatorUrl()}/__emulator/clock`, {
        data: { advanceSeconds: seconds },
      }),
  } as ChromiumDemo;

  beforeAll(async () => {
    if (options.pglite) database = await openTestPasskeyDatabase();
    env.demo = await startTestDemo({ passkeys: database?.credentials });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env.demo?.close();
    await database?.close();
  });
  beforeEach(async () => {
    env.context = await browser.newContext({ viewport });
    env.page = await env.context.newPage();
  });
  afterEach(() => env.context.close());
  return env;
}
