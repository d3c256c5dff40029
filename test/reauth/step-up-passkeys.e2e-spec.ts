import {
  MemoryPasskeyCredentialStore,
  MemoryReauthStore,
  type PasskeyCredential,
} from 'nest-workos-reauth';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import type { HttpBrowser } from '../support/http-browser';
import { pageJson, type JsonAnswer } from '../support/page-json';
import {
  assertPasskey,
  createPasskey,
  type SoftwareCredential,
} from '../support/software-authenticator';
import { ROUTES } from './step-up.routes';

/** A credential store whose database can be made to fail, like one that went down. */
class FailingCredentials extends MemoryPasskeyCredentialStore {
  down = false;
  override listByUser(userId: string): Promise<PasskeyCredential[]> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED')) : super.listByUser(userId);
  }
  override findById(id: string): Promise<PasskeyCredential | undefined> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED')) : super.findById(id);
  }
}

/** A store that loses the factor ledger, as a Redis failover without persistence would. */
class LossyStore extends MemoryReauthStore {
  lost = false;
  override get(key: string): Promise<string | undefined> {
    return this.lost && key.startsWith('reauth:factor:')
      ? Promise.resolve(undefined)
      : super.get(key);
  }
}

describe('Confirming with a passkey inside the page', () => {
  let scenario: ScenarioApp;
  let credentials: FailingCredentials;
  let store: LossyStore;

  beforeEach(async () => {
    credentials = new FailingCredentials();
    scenario = await startScenarioApp(ROUTES, {
      reauth: (emulator, { url }) => ({
        store: (store = new LossyStore({ now: () => emulator.now() * 1000 })),
        stepUp: {
          passkeys: { rpId: 'localhost', rpName: 'Scenario', origins: [url], credentials },
        },
      }),
    });
  });
  afterEach(() => scenario.close());

  const call = (browser: HttpBrowser, method: string, path: string, body?: unknown) =>
    pageJson(browser, scenario.url)(method, path, body);

  const ceremony = (challenge: unknown) => ({
    challenge: String(challenge),
    origin: scenario.url,
    rpId: 'localhost',
  });

  async function enrol(browser: HttpBrowser, name = 'Laptop'): Promise<SoftwareCredential> {
    const options = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
    expect(options.status).toBe(200);
    const { credential, response } = createPasskey(ceremony(options.body.challenge));
    const created = await call(browser, 'POST', '/auth/passkeys', { name, response });
    expect(created.status).toBe(201);
    return credential;
  }

  /** The refusal of a stale request, with what it offers. */
  async function refusal(browser: HttpBrowser, method = 'GET', path = '/fresh') {
    const res = await call(browser, method, path, method === 'GET' ? undefined : { amount: 1 });
    expect(res.status).toBe(401);
    return res.body.stepUp as {
      ticket: string;
      methods: { kind: string; optionsUrl?: string; confirmUrl?: string; url?: string }[];
    };
  }

  async function confirm(
    browser: HttpBrowser,
    credential: SoftwareCredential,
    ticket?: string,
    tweak: Partial<Parameters<typeof assertPasskey>[1]> = {},
  ): Promise<JsonAnswer> {
    const options = await call(browser, 'POST', '/auth/step-up/passkey/options', { ticket });
    expect(options.status).toBe(200);
    const response = assertPasskey(credential, { ...ceremony(options.body.challenge), ...tweak });
    return call(browser, 'POST', '/auth/step-up/passkey', { ticket, response });
  }

  it('confirms a stale session without leaving the page, and the retried request passes', async () => {
    const { browser } = await signInToApp(scenario);
    const credential = await enrol(browser);
    scenario.emulator.advanceClock(400);

    const offer = await refusal(browser);
    expect(offer.methods.map((m) => m.kind)).toEqual(['passkey', 'password', 'provider']);
    expect(offer.methods[0]).toEqual({
      kind: 'passkey',
      optionsUrl: '/auth/step-up/passkey/options',
      confirmUrl: '/auth/step-up/passkey',
    });
    const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {
      ticket: offer.ticket,
    });
    expect(options.body).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.body.allowCredentials).toEqual([
      { id: credential.id.toString('base64url'), type: 'public-key', transports: ['internal'] },
    ]);
    const confirmed = await call(browser, 'POST', '/auth/step-up/passkey', {
      ticket: offer.ticket,
      response: assertPasskey(credential, ceremony(options.body.challenge)),
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'confirmed',
      method: 'passkey',
      amr: ['hwk', 'user', 'mfa'],
    });
    expect(confirmed.headers.get('cache-control')).toBe('no-store');
    expect((await call(browser, 'GET', '/fresh')).status).toBe(200);

    // The proof ages like a sign-in: 300 s later the route asks again.
    scenario.emulator.advanceClock(301);
    expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
  });

  it('shows the session freshness per factor', async () => {
    const { browser } = await signInToApp(scenario);
    const signedInAt = scenario.emulator.now();
    const credential = await enrol(browser);
    scenario.emulator.advanceClock(100);
    const before = await call(browser, 'GET', '/auth/step-up');
    expect(before.body).toEqual({
      userId: expect.any(String),
      now: signedInAt + 100,
      methods: ['passkey', 'password'],
      factors: { provider: { at: signedInAt } },
    });
    expect((await confirm(browser, credential)).status).toBe(200);
    const after = await call(browser, 'GET', '/auth/step-up');
    expect(after.body.factors).toEqual({
      provider: { at: signedInAt },
      passkey: { at: signedInAt + 100, amr: ['hwk', 'user', 'mfa'], expiresAt: signedInAt + 3700 },
    });
  });

  it('grants a max_age=0 route exactly one request per confirmation', async () => {
    const { browser } = await signInToApp(scenario);
    const credential = await enrol(browser);
    const offer = await refusal(browser, 'POST', '/close-account');
    expect((await confirm(browser, credential, offer.ticket)).status).toBe(200);
    expect((await call(browser, 'POST', '/close-account', {})).status).toBe(201);
    expect((await call(browser, 'POST', '/close-account', {})).status).toBe(401);
    // Without the route's ticket a confirmation leaves no grant for it.
    expect((await confirm(browser, credential)).status).toBe(200);
    expect((await call(browser, 'POST', '/close-account', {})).status).toBe(401);
  });

  it('satisfies a second-factor route on WorkOS, whose tokens carry no amr', async () => {
    const { browser } = await signInToApp(scenario);
    const credential = await enrol(browser);
    const res = await call(browser, 'GET', '/mfa');
    expect(res.status).toBe(401);
    expect(res.body.reason).toBe('insufficient_assurance');
    expect((await confirm(browser, credential)).status).toBe(200);
    expect((await call(browser, 'GET', '/mfa')).status).toBe(200);
  });

  it('offers only what a route accepts', async () => {
    const { browser } = await signInToApp(scenario);
    await enrol(browser);
    scenario.emulator.advanceClock(400);
    const passkeyOnly = await refusal(browser, 'GET', '/passkey-only');
    expect(passkeyOnly.methods.map((m) => m.kind)).toEqual(['passkey', 'provider']);
    const providerOnly = await call(browser, 'GET', '/provider-only');
    expect(providerOnly.status).toBe(401);
    expect(providerOnly.body.stepUp).toBeUndefined();
  });

  it('leaves a route that asks for an acr to the provider: a proof in the page shows none', async () => {
    const { browser } = await signInToApp(scenario);
    const credential = await enrol(browser);
    const res = await call(browser, 'GET', '/acr');
    expect(res.status).toBe(401);
    expect(res.body.stepUp).toBeUndefined();
    expect((await confirm(browser, credential)).status).toBe(200);
    expect((await call(browser, 'GET', '/acr')).status).toBe(401);
  });

  it('does not offer a passkey to a user without one, and refuses to start one', async () => {
    const { browser } = await signInToApp(scenario);
    scenario.emulator.advanceClock(400);
    const offer = await refusal(browser);
    expect(offer.methods.map((m) => m.kind)).toEqual(['password', 'provider']);
    const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
    expect(options.status).toBe(400);
    expect(options.body.error).toBe('no_passkey');
  });

  describe('refuses', () => {
    let browser: HttpBrowser;
    let credential: SoftwareCredential;

    beforeEach(async () => {
      ({ browser } = await signInToApp(scenario));
      credential = await enrol(browser);
      scenario.emulator.advanceClock(400);
    });

    async function expectRefused(res: JsonAnswer, error: string): Promise<void> {
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(error);
      expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
    }

    it('another user’s credential', async () => {
      const bob = await signInToApp(scenario, '/signed-in', {
        email: 'bob@example.com',
        password: 'bob-password',
        totpSecret: 'JBSWY3DPEHPK3PXP',
      });
      const bobs = await enrol(bob.browser, 'Bob’s key');
      await expectRefused(await confirm(browser, bobs), 'unknown_credential');
    });

    it('an assertion replayed', async () => {
      const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      const first = await call(browser, 'POST', '/auth/step-up/passkey', { response });
      expect(first.status).toBe(200);
      scenario.emulator.advanceClock(400);
      await expectRefused(
        await call(browser, 'POST', '/auth/step-up/passkey', { response }),
        'challenge_expired',
      );
    });

    it('a challenge issued to another session', async () => {
      const other = await signInToApp(scenario);
      const options = await call(other.browser, 'POST', '/auth/step-up/passkey/options', {});
      expect(options.status).toBe(200);
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      await expectRefused(
        await call(browser, 'POST', '/auth/step-up/passkey', { response }),
        'challenge_expired',
      );
    });

    it('an expired challenge', async () => {
      const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
      scenario.emulator.advanceClock(121);
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      await expectRefused(
        await call(browser, 'POST', '/auth/step-up/passkey', { response }),
        'challenge_expired',
      );
    });

    it('an assertion without user verification', async () => {
      await expectRefused(
        await confirm(browser, credential, undefined, { userVerified: false }),
        'passkey_not_verified',
      );
    });

    it('a wrong origin, or a wrong RP ID', async () => {
      await expectRefused(
        await confirm(browser, credential, undefined, { origin: 'http://evil.localhost:1' }),
        'passkey_not_verified',
      );
      await expectRefused(
        await confirm(browser, credential, undefined, { rpId: 'example.com' }),
        'passkey_not_verified',
      );
    });

    it('a counter that goes backwards', async () => {
      credential.counter = 5;
      const fresh = await confirm(browser, credential); // counter 6, recorded
      expect(fresh.status).toBe(200);
      scenario.emulator.advanceClock(400);
      await expectRefused(
        await confirm(browser, credential, undefined, { counter: 3 }),
        'passkey_not_verified',
      );
    });

    it('a proof after sign-out', async () => {
      const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
      const signedIn = await browser.jar.getCookieString(scenario.url);
      const out = await call(browser, 'POST', '/auth/logout');
      expect(out.status).toBe(303);
      // The old cookie, kept by an attacker, names a session that has ended.
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      const res = await fetch(`${scenario.url}/auth/step-up/passkey`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          origin: scenario.url,
          cookie: signedIn,
        },
        body: JSON.stringify({ response }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { reason: string }).reason).toBe('unauthenticated');
    });

    it('a ledger entry the store lost: the route asks again', async () => {
      expect((await confirm(browser, credential)).status).toBe(200);
      expect((await call(browser, 'GET', '/fresh')).status).toBe(200);
      store.lost = true;
      expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
    });

    it('a ticket of another session', async () => {
      const other = await signInToApp(scenario);
      scenario.emulator.advanceClock(400);
      const theirs = await refusal(other.browser);
      const res = await call(browser, 'POST', '/auth/step-up/passkey/options', {
        ticket: theirs.ticket,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_ticket');
    });

    it('malformed WebAuthn JSON, oversized fields and unknown credential ids, with 400s', async () => {
      const options = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
      const good = assertPasskey(credential, ceremony(options.body.challenge));
      const bodies: unknown[] = [
        [],
        { response: 'x' },
        { response: { ...good, id: 'not base64url!' } },
        { response: { ...good, rawId: 'AAAA' } },
        { response: { ...good, type: 'password' } },
        {
          response: {
            ...good,
            response: { ...(good.response as object), signature: 'A'.repeat(20_000) },
          },
        },
        {
          response: { ...good, response: { ...(good.response as object), clientDataJSON: 'e30' } },
        },
        { response: good, ticket: 'x'.repeat(5000) },
      ];
      for (const body of bodies) {
        const res = await call(browser, 'POST', '/auth/step-up/passkey', body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      const unknown = { ...good, id: 'AAAAAAAA', rawId: 'AAAAAAAA' };
      const res = await call(browser, 'POST', '/auth/step-up/passkey', { response: unknown });
      expect([res.status, res.body.error]).toEqual([400, 'unknown_credential']);
    });

    it('everything while the credential database is down: 503, nothing passes', async () => {
      credentials.down = true;
      const offer = await refusal(browser);
      expect(offer.methods.map((m) => m.kind)).toEqual(['password', 'provider']);
      const res = await call(browser, 'POST', '/auth/step-up/passkey/options', {});
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
      expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
    });
  });

  describe('enrolment', () => {
    it('needs a recent sign-in at the provider, not an in-page proof', async () => {
      const { browser } = await signInToApp(scenario);
      const credential = await enrol(browser);
      scenario.emulator.advanceClock(400);
      expect((await confirm(browser, credential)).status).toBe(200);
      const res = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ reason: 'stale', maxAge: 300 });
      expect(res.body.reauthUrl).toEqual(expect.any(String));
      expect(res.body.stepUp).toBeUndefined();
    });

    it('lists, renames and deletes only the user’s own passkeys', async () => {
      const { browser } = await signInToApp(scenario);
      const credential = await enrol(browser, 'Laptop');
      const id = credential.id.toString('base64url');
      const list = await call(browser, 'GET', '/auth/passkeys');
      expect(list.body).toEqual({
        passkeys: [
          {
            id,
            name: 'Laptop',
            createdAt: scenario.emulator.now(),
            deviceType: 'singleDevice',
            backedUp: false,
          },
        ],
      });
      const renamed = await call(browser, 'PATCH', `/auth/passkeys/${id}`, { name: 'Work laptop' });
      expect(renamed.body).toMatchObject({ id, name: 'Work laptop' });

      const bob = await signInToApp(scenario, '/signed-in', {
        email: 'bob@example.com',
        password: 'bob-password',
        totpSecret: 'JBSWY3DPEHPK3PXP',
      });
      expect((await call(bob.browser, 'PATCH', `/auth/passkeys/${id}`, { name: 'x' })).status).toBe(
        404,
      );
      expect((await call(bob.browser, 'DELETE', `/auth/passkeys/${id}`)).status).toBe(404);
      expect((await call(bob.browser, 'GET', '/auth/passkeys')).body).toEqual({ passkeys: [] });

      expect((await call(browser, 'DELETE', `/auth/passkeys/${id}`)).status).toBe(204);
      expect((await call(browser, 'GET', '/auth/passkeys')).body).toEqual({ passkeys: [] });
    });

    it('refuses a registration answered for another challenge, origin or without verification', async () => {
      const { browser } = await signInToApp(scenario);
      const options = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
      const wrongOrigin = createPasskey({
        ...ceremony(options.body.challenge),
        origin: 'http://localhost:1',
      });
      const res = await call(browser, 'POST', '/auth/passkeys', {
        name: 'x',
        response: wrongOrigin.response,
      });
      expect([res.status, res.body.error]).toEqual([400, 'passkey_not_verified']);
      const options2 = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
      const unverified = createPasskey({
        ...ceremony(options2.body.challenge),
        userVerified: false,
      });
      const res2 = await call(browser, 'POST', '/auth/passkeys', {
        name: 'x',
        response: unverified.response,
      });
      expect([res2.status, res2.body.error]).toEqual([400, 'passkey_not_verified']);
      const stale = createPasskey(ceremony(options.body.challenge));
      const res3 = await call(browser, 'POST', '/auth/passkeys', {
        name: 'x',
        response: stale.response,
      });
      expect([res3.status, res3.body.error]).toEqual([400, 'challenge_expired']);
    });
  });
});
