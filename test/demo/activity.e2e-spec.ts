import { type RunningDemo } from '../../src/demo';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { startTestDemo } from '../support/demo';

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const BOB: Credentials = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

interface Entry {
  type: string;
  time: string;
  action?: string;
  reason?: string;
  maxAge?: number;
}

describe('The demo’s sign-in activity page', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startTestDemo();
  });
  afterAll(() => demo.close());

  const page = (path: string) => `${demo.url}${path}`;

  async function signIn(who: Credentials): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const anonymous = await browser.get(page('/account'), HTML);
    expect(anonymous.status).toBe(302);
    await authenticate(browser, anonymous.location!, who);
    return browser;
  }

  async function authenticate(
    browser: HttpBrowser,
    location: string,
    who: Credentials,
  ): Promise<BrowserResponse> {
    const callback = await signInThroughPages(
      browser,
      location,
      who,
      demo.emulator!,
      page('/auth/callback'),
    );
    const back = await browser.get(callback.href, HTML);
    expect(back.status).toBe(303);
    return back;
  }

  /** The user's history; events land just after the response that caused them. */
  async function activityOf(browser: HttpBrowser, settledWhen: (entries: Entry[]) => boolean) {
    for (let i = 0; i < 100; i++) {
      const res = await browser.get(page('/api/activity'), { accept: 'application/json' });
      expect(res.status).toBe(200);
      const { activity } = JSON.parse(res.text) as { activity: Entry[] };
      if (settledWhen(activity)) return activity;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('the activity never settled');
  }

  it('shows each user their own step-ups: the interrupted email change, and nobody else’s', async () => {
    const alice = await signIn(ALICE);
    demo.emulator!.advanceClock(310);
    const posted = await alice.request(page('/account/email'), {
      method: 'POST',
      form: { email: 'alice.activity@example.com' },
      headers: { ...HTML, origin: demo.url, referer: page('/account/security') },
    });
    expect(posted.status).toBe(303);
    await authenticate(alice, posted.location!, ALICE);
    const bob = await signIn(BOB);

    const mine = await activityOf(alice, (entries) =>
      entries.some((entry) => entry.type === 'reauth.completed' && entry.maxAge === 300),
    );
    expect(
      mine.map(({ type, action, reason, maxAge }) => ({ type, action, reason, maxAge })),
    ).toEqual([
      { type: 'reauth.completed', action: 'Change email', reason: undefined, maxAge: 300 },
      { type: 'reauth.started', action: 'Change email', reason: undefined, maxAge: 300 },
      { type: 'reauth.required', action: 'Change email', reason: 'stale', maxAge: 300 },
      // The expired token in the cookie was renewed on the way.
      { type: 'session.refreshed', action: undefined, reason: undefined, maxAge: undefined },
      // The sign-in that /account asked for.
      {
        type: 'reauth.completed',
        action: 'Open your account',
        reason: undefined,
        maxAge: undefined,
      },
    ]);
    const theirs = await activityOf(bob, (entries) => entries.length > 0);
    expect(theirs.map((entry) => entry.type)).toEqual(['reauth.completed']);

    const html = await alice.get(page('/account/activity'), HTML);
    expect(html.status).toBe(200);
    expect(html.text).toContain('<td>Confirmed it’s you</td>');
    expect(html.text).toContain('<td>Change email</td>');
    expect(html.text).toContain('<td>stale</td>');
    expect(html.text).not.toContain('alice.activity@example.com');
  });

  it('asks an anonymous visitor to sign in', async () => {
    const browser = new HttpBrowser();
    expect((await browser.get(page('/account/activity'), HTML)).status).toBe(302);
    expect((await browser.get(page('/api/activity'), { accept: 'application/json' })).status).toBe(
      401,
    );
  });
});
