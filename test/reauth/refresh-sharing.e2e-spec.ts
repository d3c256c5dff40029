import { MemoryReauthStore } from 'nest-workos-reauth';
import { STORE_KEYS } from '../../libs/reauth/src/core/constants';
import { FaultyStore, fillUp } from '../support/faulty-store';
import { COOKIE_PASSWORD, signInToApp } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';

const JSON_ACCEPT = { accept: 'application/json' };
const withCookie = (instance: AppInstance, sealed: string) =>
  fetch(`${instance.url}/signed-in`, {
    headers: { cookie: `wos-session=${sealed}`, ...JSON_ACCEPT },
    redirect: 'manual',
  });
const newSessions = (res: Response) =>
  res.headers.getSetCookie().filter((cookie) => cookie.startsWith('wos-session=Fe26'));

describe('Sharing a refresh is best-effort', () => {
  let deployment: Deployment | undefined;
  afterEach(async () => {
    await deployment?.close();
    deployment = undefined;
  });

  it('refreshes without sharing when the store is full, and logs that it is full', async () => {
    const logger = new RecordingLogger();
    let store!: MemoryReauthStore;
    deployment = await startDeployment({
      logger,
      store: (now) => (store = new MemoryReauthStore({ maxEntries: 20, now })),
    });
    const [instance] = deployment.instances;
    const { sealedSession } = await signInToApp(instance);
    await fillUp(store);
    deployment.emulator.advanceClock(400);
    const res = await withCookie(instance, sealedSession);
    expect(res.status).toBe(200);
    expect(newSessions(res)).toHaveLength(1);
    expect(logger.lines).toContain(
      'Sharing a refreshed session through the store failed: the store is full (20 live entries); going on without sharing',
    );
  });

  it('refreshes without sharing when the store rejects, and logs it', async () => {
    const logger = new RecordingLogger();
    let store!: FaultyStore;
    deployment = await startDeployment({
      logger,
      store: (now) =>
        (store = new FaultyStore(
          { methods: ['get', 'set'], prefixes: [STORE_KEYS.refresh] },
          { now },
        )),
    });
    const [instance] = deployment.instances;
    const { sealedSession } = await signInToApp(instance);
    deployment.emulator.advanceClock(400);
    const res = await withCookie(instance, sealedSession);
    expect(res.status).toBe(200);
    expect(newSessions(res)).toHaveLength(1);
    expect(store.refused.length).toBeGreaterThan(0);
    expect(logger.lines).toContain(
      'Sharing a refreshed session through the store failed with Error (ECONNRESET); going on without sharing',
    );
  });
});

describe('A shared refresh belongs to the cookie it came from', () => {
  let deployment: Deployment;
  const emulatorLog: string[] = [];
  const refreshes = () =>
    emulatorLog.filter((line) => line.startsWith('POST /user_management/authenticate')).length;

  beforeEach(async () => {
    emulatorLog.length = 0;
    deployment = await startDeployment({
      instances: 2,
      store: (now) => new MemoryReauthStore({ now }),
      emulator: { log: (line) => emulatorLog.push(line) },
    });
  });
  afterEach(() => deployment.close());

  it('is handed to the same cookie on another instance, without a second refresh', async () => {
    const [first, second] = deployment.instances;
    const { sealedSession } = await signInToApp(first);
    deployment.emulator.advanceClock(400);
    const before = refreshes();
    const one = await withCookie(first, sealedSession);
    const other = await withCookie(second, sealedSession);
    expect([one.status, other.status]).toEqual([200, 200]);
    expect(newSessions(other)).toEqual(newSessions(one));
    expect(refreshes() - before).toBe(1);
  });

  it('is made once when two instances get the same expired cookie at the same moment', async () => {
    const [first, second] = deployment.instances;
    const { sealedSession } = await signInToApp(first);
    deployment.emulator.advanceClock(400);
    // A slow token endpoint: both requests are in flight together, as the calls of one page load
    // spread over two instances are. Each refresh token is single-use.
    deployment.emulator.setFaults({ authenticate: { latencyMs: 300 } });
    const before = refreshes();
    const [one, other] = await Promise.all([
      withCookie(first, sealedSession),
      withCookie(second, sealedSession),
    ]);
    deployment.emulator.setFaults({});
    expect([one.status, other.status]).toEqual([200, 200]);
    // Neither answer clears the session: the browser keeps the renewed one, whichever lands last.
    for (const res of [one, other]) {
      expect(res.headers.getSetCookie().join()).not.toMatch(/wos-session=;/);
    }
    expect(newSessions(other)).toEqual(newSessions(one));
    expect(refreshes() - before).toBe(1);
  });

  it('is not handed to another cookie holding the same refresh token', async () => {
    const [first, second] = deployment.instances;
    const { sealedSession } = await signInToApp(first);
    const contents = await deployment.workos.userManagement.getSessionFromCookie({
      sessionData: sealedSession,
      cookiePassword: COOKIE_PASSWORD,
    });
    // The SDK's own sealing (private in its types): the same session in a different cookie.
    const sdk = deployment.workos.userManagement as unknown as {
      sealSessionDataFromAuthenticationResponse(input: {
        authenticationResponse: unknown;
        cookiePassword: string;
      }): Promise<string>;
    };
    const resealed = await sdk.sealSessionDataFromAuthenticationResponse({
      authenticationResponse: contents,
      cookiePassword: COOKIE_PASSWORD,
    });
    expect(resealed).not.toBe(sealedSession);
    deployment.emulator.advanceClock(400);
    expect((await withCookie(first, sealedSession)).status).toBe(200);
    const res = await withCookie(second, resealed);
    expect(res.status).toBe(401);
    expect(newSessions(res)).toEqual([]);
  });
});
