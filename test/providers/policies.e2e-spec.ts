import { type ReauthModuleOptions } from 'nest-workos-reauth';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { startRig, type Person, type ProviderRig, type RigName } from '../support/provider-rigs';
import { LEVELS, PolicyController } from '../reauth/policies.routes';

const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const JSON_ACCEPT = { accept: 'application/json' };
const RIGS: readonly RigName[] = ['authkit-emulator', 'oidc-provider'];

/** Alice works for org_A, Bob for org_B, on both providers. */
const ORGANIZATIONS = {
  emulatorOptions: {
    users: [
      { email: 'alice@example.com', password: 'alice-password', organizationId: 'org_A' },
      {
        email: 'bob@example.com',
        password: 'bob-password',
        totpSecret: 'JBSWY3DPEHPK3PXP',
        organizationId: 'org_B',
      },
    ],
  },
  oidcOptions: {
    extraAccessTokenClaims: { user_alice: { org_id: 'org_A' }, user_bob: { org_id: 'org_B' } },
  },
};

const ORG_A_SIXTY = {
  resolve: (organization: string) => (organization === 'org_A' ? { maxAge: 60 } : undefined),
};

describe.each(RIGS)('Policies on %s', (rigName) => {
  let rig: ProviderRig | undefined;
  let browser: HttpBrowser;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function start(
    options: Partial<ReauthModuleOptions> = {},
    oidcClaims: Record<string, Record<string, unknown>> = ORGANIZATIONS.oidcOptions
      .extraAccessTokenClaims,
  ): Promise<void> {
    rig = await startRig(rigName, {
      controllers: [PolicyController],
      emulatorOptions: ORGANIZATIONS.emulatorOptions,
      oidcOptions: { extraAccessTokenClaims: oidcClaims },
      reauth: { levels: LEVELS, defaultLevel: 'moderate', ...options },
    });
    browser = new HttpBrowser();
  }

  const api = (path: string) => browser.get(`${rig!.url}${path}`, JSON_ACCEPT);
  const body = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;

  /** Signs `who` in at the provider, then lets `seconds` pass. */
  async function signInAged(seconds: number, who: Person = 'alice'): Promise<void> {
    const start = await browser.get(
      `${rig!.url}/auth/login?returnTo=${encodeURIComponent('/policies/signed-in')}`,
      HTML,
    );
    expect(start.status).toBe(302);
    const callback = await rig!.authenticateAt(browser, start.location!, who);
    expect((await browser.get(callback.href, HTML)).status).toBe(303);
    if (seconds > 0) await rig!.advanceClock(seconds);
  }

  function expectRefused(res: BrowserResponse, maxAge: number): void {
    expect(res.status).toBe(401);
    expect(body(res)).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge });
    expect(res.headers.get('www-authenticate')).toContain(`max_age="${maxAge}"`);
  }

  describe('named levels', () => {
    beforeEach(() => start());

    it('refuses the strict level at 301 s, asking for max_age 300', async () => {
      await signInAged(301);
      expectRefused(await api('/policies/strict'), 300);
      expectRefused(await api('/policies/delete-project'), 300);
    });

    // The OpenID provider's clock runs in real time between the sign-in and the request: a margin
    // of 10 s keeps a slow machine from ageing the sign-in past the boundary.
    it('lets the strict level through at 290 s', async () => {
      await signInAged(290);
      expect((await api('/policies/strict')).status).toBe(200);
      expect((await api('/policies/delete-project')).status).toBe(200);
    });

    it('gives @RequireRecentAuth() the default level (3600 s)', async () => {
      await signInAged(3590);
      expect((await api('/policies/default')).status).toBe(200);
      await rig!.advanceClock(11);
      expectRefused(await api('/policies/default'), 3600);
    });
  });

  describe('a sliding level (maxAge 600, cap 1800)', () => {
    beforeEach(() => start());

    it('stays open while used within maxAge, up to the cap after the proof', async () => {
      await signInAged(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      await rig!.advanceClock(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      await rig!.advanceClock(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      await rig!.advanceClock(301);
      expectRefused(await api('/policies/sudo'), 600);
    });

    it('does not extend a window that nothing used: refused at 601 s', async () => {
      await signInAged(601);
      expectRefused(await api('/policies/sudo'), 600);
    });
  });

  describe('organization rules', () => {
    it('tightens the route for org_A: refused at 120 s with max_age 60', async () => {
      await start({ organizationPolicy: ORG_A_SIXTY, explainRefusals: { header: true } });
      await signInAged(120);
      const res = await api('/policies/strict');
      expectRefused(res, 60);
      expect(res.headers.get('reauth-explain')).toContain(
        'rules=level strict, organization org_A; needs=max_age=60',
      );
    });

    it('leaves the route as it is for org_B: through at 120 s', async () => {
      await start({ organizationPolicy: ORG_A_SIXTY });
      await signInAged(120, 'bob');
      expect((await api('/policies/strict')).status).toBe(200);
    });

    it('never loosens: an answer of maxAge 100000 leaves the level’s 300', async () => {
      await start({ organizationPolicy: { resolve: () => ({ maxAge: 100_000 }) } });
      await signInAged(301);
      expectRefused(await api('/policies/strict'), 300);
    });

    if (rigName === 'oidc-provider') {
      it.each<[string, unknown]>([
        ['a number', 42],
        ['an array', ['org_A']],
      ])(
        'fails closed on an org_id claim the provider issues as %s',
        async (_label, organization) => {
          await start(
            { organizationPolicy: ORG_A_SIXTY },
            { user_alice: { org_id: organization } },
          );
          await signInAged(10);
          const res = await api('/policies/strict');
          expect(res.status).toBe(503);
          expect(body(res)).toMatchObject({ error: 'reauth_unavailable' });
        },
      );
    }
  });
});
