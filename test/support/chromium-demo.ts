import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type RunningDemo } from '../../src/demo';
import { launchChromium } from './chromium';
import { startTestDemo } from './demo';

/** A demo and headless Chromium for a test file; a fresh browser context (and page) per test. */
export interface ChromiumDemo {
  demo: RunningDemo;
  page: Page;
  emulatorUrl(): string;
  /** Moves the emulator's clock, which the demo reads too, through its test control. */
  advance(seconds: number): Promise<unknown>;
}

export function useChromiumDemo(viewport: { width: number; height: number }): ChromiumDemo {
  let browser: Browser;
  let context: BrowserContext;
  const env = {
    emulatorUrl: () => env.demo.emulator!.url,
    advance: (seconds: number) =>
      env.page.request.post(`${env.emulatorUrl()}/__emulator/clock`, {
        data: { advanceSeconds: seconds },
      }),
  } as ChromiumDemo;

  beforeAll(async () => {
    env.demo = await startTestDemo();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env.demo?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport });
    env.page = await context.newPage();
  });
  afterEach(() => context.close());
  return env;
}
