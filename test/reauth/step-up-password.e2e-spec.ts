import { totpAt, wrongTotpAt } from '../support/emulator';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import type { HttpBrowser } from '../support/http-browser';
import { pageJson } from '../support/page-json';
import { ROUTES } from './step-up.routes';

const BOB = { email: 'bob@example.com', password: 'bob-password', totpSecret: 'JBSWY3DPEHPK3PXP' };
const CAROL = { email: 'carol@sso.example.com' };

describe('Confirming with the AuthKit password inside the page', () => {
  let scenario: ScenarioApp;

  beforeEach(async () => {
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({
        stepUp: { password: true },
        signInLimits: { perUser: 4, perAddress: 100, windowSeconds: 600 },
      }),
    });
  });
  afterEach(() => scenario.close());

  const call = (browser: HttpBrowser, method: string, path: string, body?: unknown) =>
    pageJson(browser, scenario.url)(method, path, body);

  const password = (browser: HttpBrowser, body: unknown) =>
    call(browser, 'POST', '/auth/step-up/password', body);

  async function staleOffer(browser: HttpBrowser, path = '/fresh') {
    scenario.emulator.advanceClock(400);
    const res = await call(browser, 'GET', path);
    expect(res.status).toBe(401);
    return res.body.stepUp as { ticket: string; methods: { kind: string }[] } | undefined;
  }

  it('confirms alice with her password; the session WorkOS made for the check never reaches her', async () => {
    const { browser } = await signInToApp(scenario);
    const offer = await staleOffer(browser);
    const before = await browser.jar.getCookieString(scenario.url);
    expect(offer!.methods.map((m) => m.kind)).toEqual(['password', 'provider']);
    const res = await password(browser, { ticket: offer!.ticket, password: 'alice-password' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'confirmed', method: 'password', amr: ['pwd'] });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/token|eyJ/i);
    expect(await browser.jar.getCookieString(scenario.url)).toBe(before);
    expect((await call(browser, 'GET', '/fresh')).status).toBe(200);
    // A password is one factor: a second-factor route still asks, and so does a route that
    // takes passkeys only.
    expect((await call(browser, 'GET', '/mfa')).status).toBe(401);
    expect((await call(browser, 'GET', '/passkey-only')).status).toBe(401);
  });

  it('confirms bob with his password, then his TOTP code: a second factor on WorkOS', async () => {
    const { browser } = await signInToApp(scenario, '/signed-in', BOB);
    const offer = await staleOffer(browser, '/mfa');
    const first = await password(browser, { ticket: offer!.ticket, password: BOB.password });
    expect(first.body).toEqual({ status: 'code_required', factor: 'totp' });
    const wrong = await password(browser, {
      ticket: offer!.ticket,
      code: wrongTotpAt(BOB.totpSecret, scenario.emulator.now()),
    });
    expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_code']);
    const code = totpAt(BOB.totpSecret, scenario.emulator.now());
    const done = await password(browser, { ticket: offer!.ticket, code });
    expect(done.body).toMatchObject({ status: 'confirmed', amr: ['pwd', 'otp', 'mfa'] });
    expect((await call(browser, 'GET', '/mfa')).status).toBe(200);
    // The pending step was used up.
    const again = await password(browser, { code });
    expect([again.status, again.body.error]).toEqual([400, 'challenge_expired']);
  });

  it('offers carol (SSO) no password: her page goes to the provider', async () => {
    const { browser } = await signInToApp(scenario, '/signed-in', CAROL);
    expect(await staleOffer(browser)).toBeUndefined();
    const status = await call(browser, 'GET', '/auth/step-up');
    expect(status.body.methods).toEqual([]);
    const tried = await password(browser, { password: 'anything' });
    expect([tried.status, tried.body.error]).toEqual([400, 'method_unavailable']);
  });

  it('never confirms with another account’s password', async () => {
    const { browser } = await signInToApp(scenario);
    await staleOffer(browser);
    const res = await password(browser, { password: BOB.password });
    expect([res.status, res.body.error]).toEqual([400, 'invalid_credentials']);
    expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
  });

  it('counts wrong passwords against the sign-in limits: then even the right one waits', async () => {
    const { browser } = await signInToApp(scenario);
    await staleOffer(browser);
    // The sign-in itself counted once: three wrong passwords reach the limit of four.
    for (let i = 0; i < 3; i++) {
      expect((await password(browser, { password: `wrong-${i}` })).status).toBe(400);
    }
    const limited = await password(browser, { password: 'alice-password' });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('too_many_attempts');
    expect(limited.headers.get('retry-after')).toBe('600');
    expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
  });

  it('answers bad input with 400s, and an unreachable WorkOS with a 503', async () => {
    const { browser } = await signInToApp(scenario);
    await staleOffer(browser);
    for (const body of [
      {},
      { password: '' },
      { password: 'x'.repeat(1025) },
      { password: 'a', code: '123456' },
      { code: 'abc' },
      { password: 42 },
      { password: 'alice-password', ticket: 'forged' },
    ]) {
      const res = await password(browser, body);
      expect(res.status).toBe(400);
    }
    scenario.emulator.setFaults({ authenticate: { status: 503 } });
    const down = await password(browser, { password: 'alice-password' });
    expect(down.status).toBe(503);
    expect((await call(browser, 'GET', '/fresh')).status).toBe(401);
  });
});
