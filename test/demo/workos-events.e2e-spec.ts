import { createHmac } from 'node:crypto';
import { type AuthKitEmulator, type WebhookDelivery } from 'authkit-emulator';
import { type WorkOS } from '@workos-inc/node';
import { startDemo, WORKOS_EVENTS_PATH, type RunningDemo } from '../../src/demo';
import { type DemoHttpAdapter } from '../../src/demo.config';
import {
  sdkFor,
  signInThroughPages,
  startEmulatorWithSdk,
  type Credentials,
} from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';
import { freePort } from '../support/ports';

// Each test signs in through the emulator's pages, more than once: generous on a loaded machine.
jest.setTimeout(30_000);

const COOKIE_PASSWORD = 'test-demo-cookie-password-of-32-characters';
const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const DAVE: Credentials = { email: 'dave@strict.example.com', password: 'dave-password' };
const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const JSON_ACCEPT = { accept: 'application/json' };

/** Who `/api/me` says the caller is. */
interface Me {
  userId: string;
  sessionId: string;
}

/** What the emulator's deliveries came to: the event, its state, each attempt's status. */
const outcomes = (deliveries: WebhookDelivery[]) =>
  deliveries.map(({ event, state, attempts }) => [event, state, attempts.map((a) => a.status)]);

/** Signing in and out of a running demo, as a browser does. */
function demoBrowsers(running: () => { demo: RunningDemo; emulator: AuthKitEmulator }) {
  const page = (path: string) => `${running().demo.url}${path}`;

  async function signIn(who: Credentials): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const anonymous = await browser.get(page('/account'), HTML);
    expect(anonymous.status).toBe(302);
    const callback = await signInThroughPages(
      browser,
      anonymous.location!,
      who,
      running().emulator,
      page('/auth/callback'),
    );
    const back = await browser.get(callback.href, HTML);
    expect([back.status, back.location]).toEqual([303, page('/account')]);
    return browser;
  }

  async function me(browser: HttpBrowser): Promise<Me> {
    const res = await browser.get(page('/api/me'), JSON_ACCEPT);
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as Me;
  }

  /** The browser's cookie is refused: a page sends it to sign in, the API answers 401. */
  async function expectSignedOut(browser: HttpBrowser): Promise<void> {
    const account = await browser.get(page('/account'), HTML);
    expect(account.status).toBe(302);
    expect(account.location!.startsWith(running().emulator.url)).toBe(true);
    const api = await browser.get(page('/api/me'), JSON_ACCEPT);
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text)).toMatchObject({
      error: 'reauth_required',
      reason: 'unauthenticated',
    });
  }

  return { page, signIn, me, expectSignedOut };
}

describe.each<DemoHttpAdapter>(['express', 'fastify'])(
  'The demo on %s: sessions ended at AuthKit',
  (adapter) => {
    let demo: RunningDemo;
    let emulator: AuthKitEmulator;
    beforeAll(async () => {
      const port = await freePort();
      demo = await startDemo(
        {
          port,
          httpAdapter: adapter,
          provider: 'emulator',
          emulatorPort: 0,
          testControls: false,
          apiKey: '',
          clientId: '',
          redirectUri: `http://localhost:${port}/auth/callback`,
          cookiePassword: COOKIE_PASSWORD,
        },
        { logger: false },
      );
      emulator = demo.emulator!;
    });
    afterAll(() => demo?.close());

    const { page, signIn, me, expectSignedOut } = demoBrowsers(() => ({ demo, emulator }));

    it('sends the emulator’s webhooks to the demo’s own events route, secret unseen', () => {
      expect(emulator.webhookEndpoints()).toEqual([
        {
          id: expect.any(String),
          url: `http://127.0.0.1:${new URL(demo.url).port}${WORKOS_EVENTS_PATH}`,
          events: ['session.revoked', 'user.deleted'],
        },
      ]);
    });

    it('signs the browser out at its next request once “End this session at AuthKit” is answered by AuthKit’s webhook', async () => {
      const alice = await signIn(ALICE);
      const account = await alice.get(page('/account'), HTML);
      expect(account.status).toBe(200);
      expect(account.text).toContain('id="ended-at-workos"');
      expect(account.text).toContain('<form method="post" action="/account/end-at-authkit">');
      expect(account.text).toContain('End this session at AuthKit');
      const before = (await emulator.webhooksSettled()).length;

      const ended = await alice.request(page('/account/end-at-authkit'), {
        method: 'POST',
        form: {},
        headers: { ...HTML, origin: demo.url, referer: page('/account') },
      });
      expect(ended.status).toBe(200);
      expect(ended.text).toContain('id="ended-at-authkit"');
      // The demo leaves the cookie alone: AuthKit's webhook is what signs the browser out.
      expect(ended.headers.getSetCookie()).toEqual([]);

      const deliveries = (await emulator.webhooksSettled()).slice(before);
      expect(outcomes(deliveries)).toEqual([['session.revoked', 'delivered', [200]]]);
      // The access token has not expired (no time has passed): only the event refuses it.
      await expectSignedOut(alice);
    });

    it('refuses the button from another site, and ends nothing', async () => {
      const alice = await signIn(ALICE);
      const before = (await emulator.webhooksSettled()).length;
      const forged = await alice.request(page('/account/end-at-authkit'), {
        method: 'POST',
        form: {},
        headers: { ...HTML, origin: 'https://attacker.example' },
      });
      expect(forged.status).toBe(403);
      expect(await emulator.webhooksSettled()).toHaveLength(before);
      expect((await alice.get(page('/account'), HTML)).status).toBe(200);
    });

    it('ends every session of a user deleted at WorkOS, and no one else’s', async () => {
      const daveHere = await signIn(DAVE);
      const daveThere = await signIn(DAVE);
      const alice = await signIn(ALICE);
      const { userId } = await me(daveHere);
      const before = (await emulator.webhooksSettled()).length;

      // What an admin does in the WorkOS dashboard, through the SDK.
      await sdkFor(emulator).userManagement.deleteUser(userId);
      const deliveries = (await emulator.webhooksSettled()).slice(before);
      expect(outcomes(deliveries)).toEqual([['user.deleted', 'delivered', [200]]]);

      await expectSignedOut(daveHere);
      await expectSignedOut(daveThere);
      expect((await alice.get(page('/account'), HTML)).status).toBe(200);
    });

    it('refuses a forged delivery with a 400, and ends nothing', async () => {
      const alice = await signIn(ALICE);
      const { userId, sessionId } = await me(alice);
      const t = emulator.now() * 1000;
      const body = JSON.stringify({
        id: 'event_forged',
        event: 'session.revoked',
        data: { object: 'session', id: sessionId, user_id: userId },
        created_at: new Date(t).toISOString(),
      });
      const post = (signature?: string) =>
        fetch(page(WORKOS_EVENTS_PATH), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(signature === undefined ? {} : { 'workos-signature': signature }),
          },
          body,
        });
      const wrongKey = createHmac('sha256', 'not-the-demo-webhook-secret')
        .update(`${t}.${body}`)
        .digest('hex');

      for (const [signature, reason] of [
        [`t=${t}, v1=${wrongKey}`, 'signature_mismatch'],
        [undefined, 'signature_missing'],
      ] as const) {
        const res = await post(signature);
        expect([reason, res.status]).toEqual([reason, 400]);
        expect(await res.json()).toMatchObject({ statusCode: 400, error: reason });
      }

      expect(await me(alice)).toMatchObject({ userId, sessionId });
      expect((await alice.get(page('/account'), HTML)).status).toBe(200);
    });
  },
);

describe('The demo with WorkOS from the environment: WORKOS_WEBHOOK_SECRET', () => {
  const SECRET = 'whsec_demo_0123456789abcdefghij';
  let demo: RunningDemo;
  let emulator: AuthKitEmulator;
  let workos: WorkOS;

  // A separate emulator stands for WorkOS, its webhook endpoint configured as in the dashboard.
  beforeAll(async () => {
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/auth/callback`;
    ({ emulator, workos } = await startEmulatorWithSdk({
      redirectUris: [redirectUri],
      webhooks: [{ url: `http://127.0.0.1:${port}${WORKOS_EVENTS_PATH}`, secret: SECRET }],
    }));
    demo = await startDemo(
      {
        port,
        provider: 'workos',
        emulatorPort: 0,
        testControls: false,
        apiKey: emulator.apiKey,
        clientId: emulator.clientId,
        redirectUri,
        cookiePassword: COOKIE_PASSWORD,
        apiHostname: '127.0.0.1',
        apiPort: emulator.port,
        apiHttps: false,
        workosWebhookSecret: SECRET,
      },
      { logger: false, now: () => emulator.now() * 1000 },
    );
  });
  afterAll(async () => {
    await demo?.close();
    await emulator?.close();
  });

  const { page, signIn, me, expectSignedOut } = demoBrowsers(() => ({ demo, emulator }));

  it('explains sessions ended at WorkOS, without the emulator-only button or route', async () => {
    const alice = await signIn(ALICE);
    const account = await alice.get(page('/account'), HTML);
    expect(account.text).toContain('id="ended-at-workos"');
    expect(account.text).not.toContain('end-at-authkit');
    const route = await alice.request(page('/account/end-at-authkit'), {
      method: 'POST',
      form: {},
      headers: { ...HTML, origin: demo.url },
    });
    expect(route.status).toBe(404);
  });

  it('signs the browser out once WorkOS’s session.revoked arrives', async () => {
    const alice = await signIn(ALICE);
    const { sessionId } = await me(alice);
    const before = (await emulator.webhooksSettled()).length;
    await workos.userManagement.revokeSession({ sessionId });
    const deliveries = (await emulator.webhooksSettled()).slice(before);
    expect(outcomes(deliveries)).toEqual([['session.revoked', 'delivered', [200]]]);
    await expectSignedOut(alice);
  });
});
