import { Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import { unsealState } from '../../libs/reauth/src/core';
import { IdentityProvider } from '../../libs/reauth/src/providers/identity-provider';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { startRig, type ProviderRig, type RigName } from '../support/provider-rigs';
import { COOKIE_PASSWORD } from '../support/reauth-app';
import {
  handlerCalls,
  INVOICE_ROUTE,
  PaymentRoutes,
  TRANSFER_ROUTE,
} from '../reauth/action-binding.routes';

// Real providers and apps start per test: slow on a loaded machine, never waited on by time.
jest.setTimeout(60_000);

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** What a browser's form posts: every value a string. */
const FIFTY_TO_BOB = { amount: '50', payee: 'Bob' };
const SUMMARY = 'Transfer 50 EUR to Bob';

/** The digest a confirmation of a transfer commits to, computed independently of the library. */
function transferDigest(fields: { amount: unknown; payee: unknown }): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        'POST',
        TRANSFER_ROUTE,
        [
          ['amount', fields.amount],
          ['payee', fields.payee],
        ],
      ]),
    )
    .digest('base64url');
}

/** Signing in, a form's transfer, and the way to the provider and back, on one rig. */
function pages(rig: () => ProviderRig, browser: () => HttpBrowser) {
  const app = (path: string) => `${rig().url}${path}`;
  const navigate = (path: string) => browser().get(app(path), HTML);
  const callback = (url: URL) => browser().get(url.href, HTML);
  return {
    app,
    navigate,
    callback,
    json: (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>,
    stateOf: (url: string) =>
      unsealState(new URL(url).searchParams.get('state')!, COOKIE_PASSWORD, rig().nowSeconds()),
    async signIn(): Promise<void> {
      const start = await navigate('/auth/login?returnTo=%2Fpayments%2Fform');
      expect(start.status).toBe(302);
      const done = await callback(await rig().authenticateAt(browser(), start.location!));
      expect(done.status).toBe(303);
    },
    /** The transfer form on `/payments/form`, submitted. */
    postTransfer: (form: Record<string, string>) =>
      browser().request(app('/payments/transfer'), {
        method: 'POST',
        form,
        headers: { ...HTML, referer: app('/payments/form'), origin: rig().url },
      }),
  };
}

describe.each(['authkit-emulator', 'oidc-provider'] as RigName[])(
  'A transfer bound to its action, re-authenticated at %s',
  (rigName) => {
    let rig: ProviderRig;
    let browser: HttpBrowser;
    const page = pages(
      () => rig,
      () => browser,
    );

    beforeEach(async () => {
      rig = await startRig(rigName, { controllers: [PaymentRoutes] });
      browser = new HttpBrowser();
      await page.signIn();
      handlerCalls.transfer = 0;
    });
    afterEach(() => rig.close());

    /** The transfer refused, then re-authenticated at the provider, back on the form page. */
    async function reauthenticated(): Promise<void> {
      const refused = await page.postTransfer(FIFTY_TO_BOB);
      expect(refused.status).toBe(303);
      const back = await page.callback(await rig.authenticateAt(browser, refused.location!));
      expect(back.status).toBe(303);
      expect(back.location).toBe(page.app('/payments/form'));
    }

    it('sends the posted transfer to the provider with its summary and action in the state', async () => {
      const refused = await page.postTransfer(FIFTY_TO_BOB);
      expect(refused.status).toBe(303);
      const url = new URL(refused.location!);
      expect(url.origin).not.toBe(rig.url);
      expect(url.searchParams.get('max_age')).toBe('0');
      expect(await page.stateOf(url.href)).toMatchObject({
        maxAge: 0,
        returnTo: '/payments/form',
        route: `${TRANSFER_ROUTE}#${transferDigest(FIFTY_TO_BOB)}`,
        summary: SUMMARY,
        action: FIFTY_TO_BOB,
      });
      expect(handlerCalls.transfer).toBe(0);
    });

    it('restores the confirmed transfer on the form page, once', async () => {
      await reauthenticated();
      expect(page.json(await page.navigate('/payments/form'))).toEqual({
        restored: FIFTY_TO_BOB,
      });
      expect(page.json(await page.navigate('/payments/form'))).toEqual({ restored: null });
    });

    it('lets the resubmitted transfer through once', async () => {
      await reauthenticated();
      const done = await page.postTransfer(FIFTY_TO_BOB);
      expect(done.status).toBe(201);
      expect(page.json(done)).toEqual({ done: true, ...FIFTY_TO_BOB });
      const again = await page.postTransfer(FIFTY_TO_BOB);
      expect(again.status).toBe(303);
      expect(new URL(again.location!).origin).not.toBe(rig.url);
      expect(handlerCalls.transfer).toBe(1);
    });

    it('refuses another amount with the grant of the sign-in for 50', async () => {
      await reauthenticated();
      const more = await page.postTransfer({ amount: '500', payee: 'Bob' });
      expect(more.status).toBe(303);
      expect(await page.stateOf(more.location!)).toMatchObject({
        summary: 'Transfer 500 EUR to Bob',
      });
      expect(handlerCalls.transfer).toBe(0);
      // The refusal did not use the grant up: it is the action's own.
      expect((await page.postTransfer(FIFTY_TO_BOB)).status).toBe(201);
    });
  },
);

describe('A bound transfer at an OpenID Provider with Rich Authorization Requests', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;
  let warnings: jest.SpyInstance;
  const page = pages(
    () => rig,
    () => browser,
  );
  const details = [
    {
      type: 'step_up_action',
      identifier: transferDigest(FIFTY_TO_BOB),
      summary: SUMMARY,
      fields: FIFTY_TO_BOB,
    },
  ];

  beforeAll(async () => {
    rig = await startRig('oidc-provider', {
      controllers: [PaymentRoutes],
      oidcOptions: { richAuthorizationRequests: true },
    });
  });
  afterAll(() => rig.close());
  beforeEach(async () => {
    await rig.oidc!.reset();
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    browser = new HttpBrowser();
    await page.signIn();
    handlerCalls.transfer = 0;
  });
  afterEach(() => warnings.mockRestore());

  /** The access token of the browser's session cookie. */
  async function sessionAccessToken(): Promise<string> {
    const cookie = (await browser.jar.getCookies(rig.url)).find((c) => c.key === 'wos-session');
    const session = await rig.app.get(IdentityProvider).unseal(cookie!.value);
    return session!.accessToken;
  }

  it('asks the provider to authorize the action as authorization_details', async () => {
    const refused = await page.postTransfer(FIFTY_TO_BOB);
    expect(refused.status).toBe(303);
    const sent = new URL(refused.location!).searchParams.get('authorization_details');
    expect(JSON.parse(sent!)).toEqual(details);
  });

  it('lets the transfer through once with a token that carries the authorized action', async () => {
    const refused = await page.postTransfer(FIFTY_TO_BOB);
    const back = await page.callback(await rig.authenticateAt(browser, refused.location!));
    expect(back.status).toBe(303);
    expect(await rig.oidc!.lastConsent()).toEqual(details);
    expect(decodeJwt(await sessionAccessToken()).authorization_details).toEqual(details);
    expect((await page.postTransfer(FIFTY_TO_BOB)).status).toBe(201);
    expect((await page.postTransfer(FIFTY_TO_BOB)).status).toBe(303);
    expect(handlerCalls.transfer).toBe(1);
  });

  it('refuses the sign-in when the provider does not confirm the action, and nothing passes', async () => {
    await rig.oidc!.authorizationDetailsResponse('omit');
    const refused = await page.postTransfer(FIFTY_TO_BOB);
    const back = await page.callback(await rig.authenticateAt(browser, refused.location!));
    expect(back.status).toBe(401);
    expect(back.location).toBeUndefined();
    expect(back.text).toContain('action_not_authorized');
    expect(warnings).toHaveBeenCalledWith(
      'The identity provider did not authorize the bound action',
    );
    expect((await page.postTransfer(FIFTY_TO_BOB)).status).toBe(303);
    expect(handlerCalls.transfer).toBe(0);
  });

  it('confirms an action whose fields are too large to send, with the fields left out', async () => {
    handlerCalls.invoice = 0;
    const invoice = { amount: '75', reference: 'R'.repeat(1_950) };
    const post = () =>
      browser.request(page.app('/payments/invoice'), {
        method: 'POST',
        form: invoice,
        headers: { ...HTML, referer: page.app('/payments/form'), origin: rig.url },
      });
    const refused = await post();
    expect(refused.status).toBe(303);
    const sent = new URL(refused.location!).searchParams.get('authorization_details');
    expect(JSON.parse(sent!)).toEqual([
      {
        type: 'step_up_action',
        identifier: createHash('sha256')
          .update(JSON.stringify(['POST', INVOICE_ROUTE, Object.entries(invoice)]))
          .digest('base64url'),
        summary: 'Pay 75 EUR',
        fields: {},
      },
    ]);
    const back = await page.callback(await rig.authenticateAt(browser, refused.location!));
    expect(back.status).toBe(303);
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(303);
    expect(handlerCalls.invoice).toBe(1);
  });
});
