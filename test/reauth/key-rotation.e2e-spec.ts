import { type AuthKitEmulator } from 'authkit-emulator';
import { WorkOS } from '@workos-inc/node';
import { JwksRelay, withJwksUrl } from '../support/jwks-relay';
import { signInToApp } from '../support/reauth-app';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';

const ALICE = 'alice@example.com';
const JSON_ACCEPT = { accept: 'application/json' };
const newSessions = (headers: Headers) =>
  headers.getSetCookie().filter((cookie) => cookie.startsWith('wos-session=Fe26'));

/** The same token under a header naming a key the provider never had. */
function withForgedKid(token: string, kid: string): string {
  const [, payload, signature] = token.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A deployment whose key set is fetched through `relay`. */
function throughRelay(relay: JwksRelay) {
  return (emulator: AuthKitEmulator) => {
    relay.upstream = `${emulator.url}/sso/jwks/${emulator.clientId}`;
    const sdk = new WorkOS(emulator.apiKey, {
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      clientId: emulator.clientId,
    });
    return { workos: withJwksUrl(sdk, relay.url) };
  };
}

describe('A key rotation keeps users signed in', () => {
  let deployment: Deployment;
  let instance: AppInstance;
  let relay: JwksRelay;

  beforeEach(async () => {
    relay = await JwksRelay.start();
    deployment = await startDeployment({ reauth: throughRelay(relay) });
    [instance] = deployment.instances;
  });
  afterEach(async () => {
    await deployment.close();
    await relay.close();
  });

  const bearer = (token: string) =>
    fetch(`${instance.url}/signed-in`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts a refreshed token under a new key while forged kids keep the key set just fetched', async () => {
    const { browser } = await signInToApp(instance);
    deployment.emulator.advanceClock(400); // the session's access token has expired
    const minted = await deployment.emulator.mintAccessToken({
      email: ALICE,
      authTime: deployment.emulator.now(),
    });
    const fetchesBefore = relay.requests;
    expect((await bearer(withForgedKid(minted, 'key_forged_1'))).status).toBe(401);
    expect(relay.requests).toBe(fetchesBefore + 1); // the cooldown starts now
    await deployment.emulator.rotateKeys();

    const refreshed = await browser.get(`${instance.url}/signed-in`, JSON_ACCEPT);
    expect(refreshed.status).toBe(200);
    expect(newSessions(refreshed.headers)).toHaveLength(1);
    expect(relay.requests).toBe(fetchesBefore + 2);
    // Forged kids still wait for the cooldown.
    expect((await bearer(withForgedKid(minted, 'key_forged_2'))).status).toBe(401);
    expect(relay.requests).toBe(fetchesBefore + 2);
  });

  it('answers 503 with the refreshed session when its token cannot be verified yet, and the session goes on', async () => {
    const { browser } = await signInToApp(instance);
    deployment.emulator.advanceClock(400);
    await deployment.emulator.rotateKeys();
    relay.failWith = 500;

    const unavailable = await browser.get(`${instance.url}/signed-in`, JSON_ACCEPT);
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.text)).toMatchObject({ error: 'reauth_unavailable' });
    expect(newSessions(unavailable.headers)).toHaveLength(1);

    relay.failWith = undefined;
    deployment.emulator.advanceClock(1); // the first failure's backoff
    const recovered = await browser.get(`${instance.url}/signed-in`, JSON_ACCEPT);
    expect(recovered.status).toBe(200);
    // The browser kept the session refreshed with the 503: nothing was refreshed again.
    expect(newSessions(recovered.headers)).toEqual([]);
  });
});

describe('A failing key set is fetched with backoff', () => {
  let deployment: Deployment;
  let instance: AppInstance;
  let relay: JwksRelay;

  beforeEach(async () => {
    relay = await JwksRelay.start();
    relay.failWith = 500;
    deployment = await startDeployment({ reauth: throughRelay(relay) });
    [instance] = deployment.instances;
  });
  afterEach(async () => {
    await deployment.close();
    await relay.close();
  });

  const burst = async (token: string, count = 20) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      statuses.push(
        (
          await fetch(`${instance.url}/signed-in`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      );
    }
    return [...new Set(statuses)];
  };

  it('fetches at most once per delay, doubling the delay, and serves again once it answers', async () => {
    const token = await deployment.emulator.mintAccessToken({
      email: ALICE,
      authTime: deployment.emulator.now(),
    });
    expect(await burst(token)).toEqual([503]);
    expect(relay.requests).toBe(1);
    deployment.emulator.advanceClock(1); // delay 1 s passed
    expect(await burst(token)).toEqual([503]);
    expect(relay.requests).toBe(2);
    deployment.emulator.advanceClock(1); // delay now 2 s: not yet
    expect(await burst(token)).toEqual([503]);
    expect(relay.requests).toBe(2);
    deployment.emulator.advanceClock(1);
    expect(await burst(token)).toEqual([503]);
    expect(relay.requests).toBe(3);

    relay.failWith = undefined;
    deployment.emulator.advanceClock(3); // delay now 4 s: not yet
    expect(await burst(token, 5)).toEqual([503]);
    expect(relay.requests).toBe(3);
    deployment.emulator.advanceClock(1);
    expect(await burst(token)).toEqual([200]);
    expect(relay.requests).toBe(4);
  });
});
