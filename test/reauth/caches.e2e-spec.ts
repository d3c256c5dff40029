import { signInToApp, type ScenarioApp, startScenarioApp } from '../support/reauth-app';
import { ROUTES } from './caches.routes';

const ALICE = 'alice@example.com';

describe('Caches never change a security decision', () => {
  let scenario: ScenarioApp;
  const emulatorLog: string[] = [];

  beforeEach(async () => {
    emulatorLog.length = 0;
    scenario = await startScenarioApp(ROUTES, {
      emulator: { keyRotationGraceSeconds: 60, log: (line) => emulatorLog.push(line) },
    });
  });
  afterEach(() => scenario.close());

  const signedIn = (token: string) =>
    fetch(`${scenario.url}/signed-in`, { headers: { authorization: `Bearer ${token}` } });
  const jwksFetches = () => emulatorLog.filter((line) => line.startsWith('GET /sso/jwks/')).length;
  const mint = (expiresIn: number) =>
    scenario.emulator.mintAccessToken({
      email: ALICE,
      authTime: scenario.emulator.now(),
      expiresIn,
    });

  it('refuses a token once it expires, after it was accepted (and cached)', async () => {
    const token = await mint(60);
    expect((await signedIn(token)).status).toBe(200);
    expect((await signedIn(token)).status).toBe(200);
    scenario.emulator.advanceClock(64); // within the 5 s tolerance
    expect((await signedIn(token)).status).toBe(200);
    scenario.emulator.advanceClock(1); // exp + tolerance
    const res = await signedIn(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
  });

  it('refuses a token whose key was rotated away, after it was accepted (and cached)', async () => {
    const token = await mint(7200);
    expect((await signedIn(token)).status).toBe(200);
    await scenario.emulator.rotateKeys();
    expect((await signedIn(token)).status).toBe(200);
    // Past the provider's grace period and the key set's maximum age: the old key is gone.
    scenario.emulator.advanceClock(601);
    const res = await signedIn(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
    // A token under the new key is fine.
    expect((await signedIn(await mint(300))).status).toBe(200);
  });

  it('refuses a tampered copy of a token that was accepted (and cached)', async () => {
    const token = await mint(300);
    expect((await signedIn(token)).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    const flipped = signature[10] === 'A' ? 'B' : 'A';
    const tamperedSignature = `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const tamperedPayload = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'user_01MALLORY' })).toString('base64url')}.${signature}`;
    for (const forged of [tamperedSignature, tamperedPayload, `${token}x`]) {
      const res = await signedIn(forged);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
    }
    expect((await signedIn(token)).status).toBe(200);
  });

  it('refuses a session cookie altered anywhere but its end, after the original was accepted (and cached)', async () => {
    const { sealedSession } = await signInToApp(scenario);
    const withCookie = (value: string) =>
      fetch(`${scenario.url}/signed-in`, {
        headers: { accept: 'application/json', cookie: `wos-session=${value}` },
      });
    expect((await withCookie(sealedSession)).status).toBe(200);
    expect((await withCookie(sealedSession)).status).toBe(200);
    // The opened-cookie cache is looked up by the cookie's last 64 characters: copies that share
    // them but differ before must be opened (and refused) in full.
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const middle = Math.floor(sealedSession.length / 2);
    const altered = [
      sealedSession.slice(0, middle) +
        flip(sealedSession[middle]) +
        sealedSession.slice(middle + 1),
      flip(sealedSession[0]) + sealedSession.slice(1),
      `x${sealedSession}`,
      sealedSession.slice(1),
    ];
    for (const value of altered) {
      expect(value.slice(-64)).toBe(sealedSession.slice(-64));
      const res = await withCookie(value);
      expect(res.status).toBe(401);
      // Not ours: the cookie is cleared.
      expect(res.headers.getSetCookie().join()).toMatch(/wos-session=;/);
    }
    expect((await withCookie(sealedSession)).status).toBe(200);
  });

  it('fetches the key set once, and once more (shared) when a new kid appears', async () => {
    const token = await mint(300);
    await Promise.all(Array.from({ length: 10 }, () => signedIn(token)));
    expect(jwksFetches()).toBe(1);
    await scenario.emulator.rotateKeys();
    scenario.emulator.advanceClock(6); // past the refetch cooldown
    const rotated = await mint(300);
    const results = await Promise.all(Array.from({ length: 10 }, () => signedIn(rotated)));
    expect(results.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect(jwksFetches()).toBe(2);
  });

  it('does not refetch the key set for forged kids within the cooldown', async () => {
    const token = await mint(300);
    expect((await signedIn(token)).status).toBe(200);
    const [, payload, signature] = token.split('.');
    const forgedHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key_forged' })).toString(
      'base64url',
    );
    for (let i = 0; i < 20; i++) {
      expect((await signedIn(`${forgedHeader}.${payload}.${signature}`)).status).toBe(401);
    }
    expect(jwksFetches()).toBe(1);
  });
});
