import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (the `chromium` package); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with the flags this sandbox needs: no sandbox as root, no background calls home. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (bash .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const SCREENSHOTS = join(__dirname, '..', '..', 'artifacts', 'screenshots');

/** Saves numbered screenshots of a scenario's steps under artifacts/screenshots/<scenario>/. */
export class Screenshots {
  private step = 0;
  private readonly dir: string;

  constructor(scenario: string) {
    this.dir = join(SCREENSHOTS, scenario.replace(/[^a-z0-9-]+/gi, '-').toLowerCase());
    mkdirSync(this.dir, { recursive: true });
  }

  async take(page: Page, name: string): Promise<void> {
    this.step += 1;
    const file = `${String(this.step).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(this.dir, file), fullPage: true });
  }
}
