import type { ReauthInfo } from 'step-up-fetch';
import { askedByStepUpFetch } from '../support/declining-reauth-fetch';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { ROUTES } from './step-up-fetch.routes';

/**
 * What the browser helper tells the app (`onReauthRequired`) about the library's real refusals,
 * for each reason: the helper runs in Node against a real app, with `fetch` and a window whose
 * origin is the app's.
 */
describe('step-up-fetch against the library’s refusals', () => {
  let scenario: ScenarioApp;

  beforeAll(async () => {
    scenario = await startScenarioApp(ROUTES);
  });
  afterAll(() => scenario?.close());

  /** The info the helper asks the app with (the app declines) for `path`. */
  function askedFor(path: string, headers: Record<string, string> = {}): Promise<ReauthInfo> {
    return askedByStepUpFetch(scenario.url, `${scenario.url}${path}`, { headers });
  }

  it('gives maxAge for an unauthenticated refusal, whose challenge has no max_age', async () => {
    const info = await askedFor('/fresh');
    expect(info).toMatchObject({ reason: 'unauthenticated', maxAge: 300, challenge: undefined });
    expect(new URL(info.url).searchParams.get('max_age')).toBe('300');
  });

  it('gives maxAge for a token that fails verification', async () => {
    const info = await askedFor('/fresh', { authorization: 'Bearer not.a.token' });
    expect(info).toMatchObject({ reason: 'invalid_token', maxAge: 300 });
  });

  it('gives the challenge’s max_age for a stale sign-in', async () => {
    const { sealedSession } = await signInToApp(scenario);
    scenario.emulator.advanceClock(301);
    const info = await askedFor('/strict/overrides', { cookie: `wos-session=${sealedSession}` });
    expect(info).toMatchObject({ reason: 'stale', maxAge: 120, challenge: { maxAge: 120 } });
  });

  it('gives no maxAge for a route that only needs a sign-in', async () => {
    const info = await askedFor('/signed-in');
    expect(info.reason).toBe('unauthenticated');
    expect(info.maxAge).toBeUndefined();
  });
});
