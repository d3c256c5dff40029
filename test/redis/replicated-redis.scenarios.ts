import { type RedisReauthStore } from 'nest-workos-reauth/redis';
import { signInThroughPages } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';
import { COOKIE_PASSWORD, signInToApp } from '../support/reauth-app';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';
import { logOut, sessionCookies, withBearer, withCookie } from '../support/deployment-requests';

/** A replicated Redis as the scenarios use it: stores on it, and the failover of its master. */
export interface ReplicatedRedis {
  /** A store for one app instance; the instance's module closes it, `close` the rest. */
  store(): RedisReauthStore;
  /**
   * How many replicas of the master holding the revocation list acknowledge every write it took
   * so far, waiting up to `timeoutMs` (a write of its own, then `WAIT`).
   */
  acknowledged(timeoutMs: number): Promise<number>;
  /** Cuts that master's replica off: it keeps what it has, and still takes over. */
  detachReplica(): Promise<void>;
  /** SIGKILLs that master, as a crash would. */
  killMaster(): Promise<void>;
  /** Until its replica serves the revocation list in its place. */
  waitForFailover(): Promise<void>;
  /** Closes the clients the stores did not own, then stops the servers. */
  close(): Promise<void>;
}

const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

/**
 * Two app instances sharing one store on `redis`, each with a client of its own: the first
 * answers from its local view of ended sessions while the store's channel is proven (the
 * default), the second asks the store on every request (`revocationView: false`), so that what
 * the second says is what the store holds.
 */
function twoInstances(redis: ReplicatedRedis): Promise<Deployment> {
  let made = 0;
  return startDeployment({
    instances: 2,
    reauth: () => ({ store: redis.store(), ...(made++ === 0 ? {} : { revocationView: false }) }),
  });
}

/** A signed-in session, as a cookie and as the access token inside it. */
async function sessionOn(deployment: Deployment, instance: AppInstance) {
  const { browser, sealedSession } = await signInToApp(instance);
  const session = await deployment.workos.userManagement.getSessionFromCookie({
    sessionData: sealedSession,
    cookiePassword: COOKIE_PASSWORD,
  });
  return { browser, sealedSession, accessToken: session!.accessToken };
}

type Probe = [label: string, ask: () => Promise<Response>];

/**
 * Asks every probe again and again until stopped, each at most one request at a time, and
 * returns the statuses each one got, in order.
 */
function keepAsking(probes: Probe[]): { stop(): Promise<Map<string, number[]>> } {
  const seen = new Map<string, number[]>(probes.map(([label]) => [label, []]));
  let stopped = false;
  const loops = probes.map(async ([label, ask]) => {
    while (!stopped) {
      const res = await ask();
      await res.arrayBuffer();
      seen.get(label)!.push(res.status);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return seen;
    },
  };
}

/** Until `ask` gets anything but a 503: the store must come back by itself, and soon. */
async function answersAgain(ask: () => Promise<Response>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const res = await ask();
    await res.arrayBuffer();
    if (res.status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the instance still answers 503, 20 s after the failover');
}

/** The statuses in `statuses` that are not `allowed`, each once. */
const unexpected = (statuses: number[], allowed: number[]) =>
  [...new Set(statuses)].filter((status) => !allowed.includes(status));

/**
 * Declares the scenarios a deployment on a replicated Redis must pass: a re-auth and a sign-out
 * that cross instances, and failovers of the master holding the revocation list, whether or not
 * its replica received the last sign-out. `shared` is one Redis for the crossing scenarios;
 * `fresh` starts a new one for each failover.
 */
export function describeReplicatedRedisScenarios(
  shared: () => ReplicatedRedis,
  fresh: () => Promise<ReplicatedRedis>,
): void {
  describe('two instances sharing the store', () => {
    let deployment: Deployment;

    beforeAll(async () => {
      deployment = await twoInstances(shared());
    });
    afterAll(() => deployment?.close());

    it('completes on the second instance a re-auth started on the first, and refuses replays on both', async () => {
      const [one, two] = deployment.instances;
      const { emulator } = deployment;
      const { browser } = await signInToApp(one, '/fresh');
      emulator.advanceClock(301);
      const stale = await browser.get(`${one.url}/fresh`, NAVIGATE);
      expect(stale.status).toBe(302);
      const callback = await signInThroughPages(
        browser,
        stale.location!,
        ALICE,
        emulator,
        one.redirectUri,
      );
      // Behind a load balancer the callback may reach any instance: here, the second.
      const done = await browser.get(`${two.url}/auth/callback${callback.search}`, NAVIGATE);
      expect(done.status).toBe(303);
      for (const instance of [one, two]) {
        expect((await browser.get(`${instance.url}/fresh`, NAVIGATE)).status).toBe(200);
      }

      // The binding cookie without the session, as a browser replaying the state would hold.
      const binding = (await browser.jar.getCookieString(callback.href))
        .split('; ')
        .filter((cookie) => !cookie.startsWith('wos-session='))
        .join('; ');
      for (const instance of [one, two]) {
        // The same authorization URL signed in again: the same state with a new code.
        const again = await signInThroughPages(
          new HttpBrowser(),
          stale.location!,
          ALICE,
          emulator,
          one.redirectUri,
        );
        const replay = await new HttpBrowser().get(`${instance.url}/auth/callback${again.search}`, {
          ...NAVIGATE,
          cookie: binding,
        });
        expect(replay.status).toBe(400);
        expect(replay.text).toContain('state_replayed');
      }
    });

    it('refuses on the second instance a session signed out on the first', async () => {
      const [one, two] = deployment.instances;
      const out = await sessionOn(deployment, one);
      for (const instance of [one, two]) {
        expect((await withCookie(instance, '/fresh', out.sealedSession)).status).toBe(200);
      }
      expect((await logOut(out.browser, one)).status).toBe(303);
      for (const instance of [one, two]) {
        const copy = await withCookie(instance, '/fresh', out.sealedSession);
        expect(copy.status).toBe(401);
        expect(await copy.json()).toMatchObject({ reason: 'unauthenticated' });
        const bearer = await withBearer(instance, '/signed-in', out.accessToken);
        expect(bearer.status).toBe(401);
        expect(await bearer.json()).toMatchObject({ reason: 'invalid_token' });
      }
    });
  });

  /** Signs one session out on the first instance, with another left signed in on the second. */
  async function signOutOne(running: Deployment) {
    const [one, two] = running.instances;
    const out = await sessionOn(running, one);
    const live = await sessionOn(running, two);
    for (const instance of [one, two]) {
      expect((await withBearer(instance, '/signed-in', live.accessToken)).status).toBe(200);
    }
    expect((await logOut(out.browser, one)).status).toBe(303);
    for (const instance of [one, two]) {
      expect((await withBearer(instance, '/signed-in', out.accessToken)).status).toBe(401);
    }
    return { out, live };
  }
  type Sessions = Awaited<ReturnType<typeof signOutOne>>;

  /**
   * Kills the master while both instances are asked about both sessions; returns what each probe
   * got, once the replica has taken over and each instance answers again.
   */
  async function failOver(
    redis: ReplicatedRedis,
    running: Deployment,
    { out, live }: Sessions,
  ): Promise<Map<string, number[]>> {
    const probes: Probe[] = running.instances.flatMap((instance, i): Probe[] => [
      [`signed-out cookie on ${i}`, () => withCookie(instance, '/signed-in', out.sealedSession)],
      [`signed-out token on ${i}`, () => withBearer(instance, '/signed-in', out.accessToken)],
      [`live token on ${i}`, () => withBearer(instance, '/signed-in', live.accessToken)],
    ]);
    const asking = keepAsking(probes);
    try {
      await redis.killMaster();
      await redis.waitForFailover();
      for (const instance of running.instances) {
        await answersAgain(() => withBearer(instance, '/signed-in', live.accessToken));
      }
    } catch (error) {
      // No request outlives a failed test.
      await asking.stop();
      throw error;
    }
    return asking.stop();
  }

  /** Until `ask` answers `status` (bounded), for what an instance learns at its next heartbeat. */
  async function until(status: number, ask: () => Promise<Response>): Promise<void> {
    const deadline = Date.now() + 10_000;
    let last = 0;
    while (Date.now() < deadline) {
      const res = await ask();
      await res.arrayBuffer();
      last = res.status;
      if (last === status) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`answered ${last}, never ${status}`);
  }

  describe('a failover of the master holding the revocation list', () => {
    let redis: ReplicatedRedis | undefined;
    let deployment: Deployment | undefined;

    afterEach(async () => {
      await deployment?.close();
      await redis?.close();
      deployment = undefined;
      redis = undefined;
    });

    it('keeps refusing on both instances a sign-out the replica acknowledged, and serves the rest without a refresh', async () => {
      redis = await fresh();
      deployment = await twoInstances(redis);
      const sessions = await signOutOne(deployment);
      expect(await redis.acknowledged(5000)).toBe(1);

      const during = await failOver(redis, deployment, sessions);
      for (const [label, statuses] of during) {
        // Refused or unavailable while the master is gone; a live session is never refused.
        const allowed = label.startsWith('live') ? [200, 503] : [401, 503];
        expect({ label, unexpected: unexpected(statuses, allowed) }).toEqual({
          label,
          unexpected: [],
        });
      }

      for (const instance of deployment.instances) {
        const copy = await withCookie(instance, '/signed-in', sessions.out.sealedSession);
        expect(copy.status).toBe(401);
        expect(await copy.json()).toMatchObject({ reason: 'unauthenticated' });
        const bearer = await withBearer(instance, '/signed-in', sessions.out.accessToken);
        expect(bearer.status).toBe(401);
        expect(await bearer.json()).toMatchObject({ reason: 'invalid_token' });
        // The replica kept the generation too: the live session is vouched for as it is.
        const kept = await withCookie(instance, '/signed-in', sessions.live.sealedSession);
        expect(kept.status).toBe(200);
        expect(sessionCookies(kept)).toEqual([]);
        expect((await withBearer(instance, '/signed-in', sessions.live.accessToken)).status).toBe(
          200,
        );
      }
    });

    it('fails closed when the replica received nothing since the instances started: every session is checked with the provider', async () => {
      redis = await fresh();
      await redis.detachReplica();
      deployment = await twoInstances(redis);
      const sessions = await signOutOne(deployment);
      // Neither the store's generation nor the sign-out reached the replica.
      expect(await redis.acknowledged(300)).toBe(0);

      const during = await failOver(redis, deployment, sessions);
      for (const [label, statuses] of during) {
        // A live token turns unvouched (401) once the loss shows; never a 500, and never a 200
        // for the session signed out.
        const allowed = label.startsWith('live') ? [200, 401, 503] : [401, 503];
        expect({ label, unexpected: unexpected(statuses, allowed) }).toEqual({
          label,
          unexpected: [],
        });
      }
      const [one, two] = deployment.instances;
      // The first instance notices the loss at its next heartbeat, the second at once.
      for (const instance of [one, two]) {
        await until(401, () => withBearer(instance, '/signed-in', sessions.live.accessToken));
      }

      // A token issued in the second the loss was seen may be older than the loss.
      deployment.emulator.advanceClock(2);
      for (const instance of [one, two]) {
        // Unvouched: the provider is asked (a refresh), and it refuses the session it ended.
        const copy = await withCookie(instance, '/signed-in', sessions.out.sealedSession);
        expect(copy.status).toBe(401);
        expect(await copy.json()).toMatchObject({ reason: 'unauthenticated' });
        const bearer = await withBearer(instance, '/signed-in', sessions.out.accessToken);
        expect(bearer.status).toBe(401);
        expect(await bearer.json()).toMatchObject({ reason: 'invalid_token' });
        // A Bearer token issued before the loss cannot be refreshed here: its client needs a new one.
        const liveBearer = await withBearer(instance, '/signed-in', sessions.live.accessToken);
        expect(liveBearer.status).toBe(401);
        expect(await liveBearer.json()).toMatchObject({ reason: 'invalid_token' });
      }
      // The live session goes on after one refresh, on either instance.
      const kept = await withCookie(one, '/signed-in', sessions.live.sealedSession);
      expect(kept.status).toBe(200);
      const refreshed = sessionCookies(kept);
      expect(refreshed).toHaveLength(1);
      const next = refreshed[0].split(';')[0].slice('wos-session='.length);
      const again = await withCookie(two, '/signed-in', next);
      expect(again.status).toBe(200);
      expect(sessionCookies(again)).toEqual([]);
    });
  });

  describe('a failover to a replica that holds the generation but not the last sign-out', () => {
    let redis: ReplicatedRedis;
    let deployment: Deployment;
    let sessions: Sessions;
    let during: Map<string, number[]>;

    beforeAll(async () => {
      redis = await fresh();
      deployment = await twoInstances(redis);
      // Both instances know the generation, and the replica holds it.
      const [one, two] = deployment.instances;
      const warm = await sessionOn(deployment, one);
      expect((await withBearer(two, '/signed-in', warm.accessToken)).status).toBe(200);
      expect(await redis.acknowledged(5000)).toBe(1);
      await redis.detachReplica();
      sessions = await signOutOne(deployment);
      expect(await redis.acknowledged(300)).toBe(0);
      during = await failOver(redis, deployment, sessions);
    });
    afterAll(async () => {
      await deployment?.close();
      await redis?.close();
    });

    it('refuses it again on the instance that recorded it, from its memory of ended sessions, once its channel is proven', async () => {
      const [one] = deployment.instances;
      await until(401, () => withCookie(one, '/signed-in', sessions.out.sealedSession));
      const bearer = await withBearer(one, '/signed-in', sessions.out.accessToken);
      expect(bearer.status).toBe(401);
      expect(await bearer.json()).toMatchObject({ reason: 'invalid_token' });
    });

    // The store counts ends with each one, in one step: the replica's count is lower than the
    // one both instances read before the failover, so each sees the loss on its next read of the
    // store, and the instance that recorded the end also remembers it.
    it('never lets it pass on any instance, during the failover or after it', async () => {
      for (const [label, statuses] of during) {
        if (!label.startsWith('signed-out')) continue;
        expect({ label, passed: statuses.includes(200) }).toEqual({ label, passed: false });
      }
      for (const instance of deployment.instances) {
        expect((await withCookie(instance, '/signed-in', sessions.out.sealedSession)).status).toBe(
          401,
        );
        expect((await withBearer(instance, '/signed-in', sessions.out.accessToken)).status).toBe(
          401,
        );
      }
    });
  });
}
