import { startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { ROUTES } from './impersonation.routes';

describe('tokens with an act claim (someone acting as the user)', () => {
  let scenario: ScenarioApp;
  const act = { sub: 'user_support_agent' };

  beforeAll(async () => {
    scenario = await startScenarioApp(ROUTES);
  });
  afterAll(() => scenario.close());

  const call = async (path: string, claims: Record<string, unknown>) => {
    const token = await scenario.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: scenario.emulator.now(),
      claims,
    });
    return fetch(`${scenario.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  };

  it('are refused on @RequireRecentAuth routes with 403, however fresh', async () => {
    const res = await call('/fresh', { act });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      statusCode: 403,
      error: 'reauth_forbidden',
      reason: 'impersonation_not_allowed',
      message:
        'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
    });
  });

  it('pass @RequireSignIn routes, and routes that allow them', async () => {
    expect((await call('/signed-in', { act })).status).toBe(200);
    const res = await call('/support/notes', { act });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ act });
  });

  it('can be allowed for the whole module', async () => {
    const lenient = await startScenarioApp(ROUTES, {
      reauth: () => ({ allowImpersonation: true }),
    });
    try {
      const token = await lenient.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: lenient.emulator.now(),
        claims: { act },
      });
      const res = await fetch(`${lenient.url}/fresh`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });
});
