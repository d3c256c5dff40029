import { createHmac } from 'node:crypto';
import { type AuthKitEmulator, type WebhookDelivery } from 'authkit-emulator';
import {
  MemoryReauthStore,
  ReauthModule,
  type ReauthModuleOptions,
  type ReauthStore,
} from 'nest-workos-reauth';
import {
  type INestApplication,
  type LoggerService,
  Module,
  type NestApplicationOptions,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type WorkOS } from '@workos-inc/node';
import { STORE_KEYS } from '../../libs/reauth/src/core/constants';
import { startEmulatorWithSdk } from '../support/emulator';
import { FaultyStore } from '../support/faulty-store';
import { type HttpBrowser } from '../support/http-browser';
import { pageJson } from '../support/page-json';
import { freePort } from '../support/ports';
import { COOKIE_PASSWORD, signInToApp } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';
import { WorkOSEventsRoutes } from './workos-events.routes';

const SECRET = 'whsec_test_0123456789abcdefghij';
const EVENTS_PATH = '/auth/workos/events';
const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const BOB = { email: 'bob@example.com', password: 'bob-password', totpSecret: 'JBSWY3DPEHPK3PXP' };

interface Instance {
  app: INestApplication;
  url: string;
  redirectUri: string;
  emulator: AuthKitEmulator;
}

interface EventsDeployment {
  emulator: AuthKitEmulator;
  workos: WorkOS;
  instances: Instance[];
  store: ReauthStore;
  close(): Promise<void>;
}

/**
 * Instances of an app created as the events route needs (`rawBody: true`, unless `rawBody` says
 * otherwise), sharing one store, behind one emulator that sends its events to the first instance,
 * as WorkOS sends them to one URL behind a load balancer.
 */
async function startEventsDeployment(
  setup: {
    instances?: number;
    adapter?: 'express' | 'fastify';
    rawBody?: boolean;
    store?: (now: () => number) => ReauthStore;
    reauth?: Partial<ReauthModuleOptions>;
    logger?: LoggerService;
    webhookSecret?: string;
  } = {},
): Promise<EventsDeployment> {
  const ports: number[] = [];
  for (let i = 0; i < (setup.instances ?? 1); i++) ports.push(await freePort());
  const redirectUris = ports.map((port) => `http://localhost:${port}/auth/callback`);
  const { emulator, workos } = await startEmulatorWithSdk({
    redirectUris,
    webhooks: [{ url: `http://localhost:${ports[0]}${EVENTS_PATH}`, secret: SECRET }],
    webhookRetryDelaysMs: [20, 20],
  });
  const now = () => emulator.now() * 1000;
  const store = setup.store?.(now) ?? new MemoryReauthStore({ now });
  const instances: Instance[] = [];
  for (const [i, port] of ports.entries()) {
    @Module({
      imports: [
        ReauthModule.forRoot({
          apiKey: emulator.apiKey,
          clientId: emulator.clientId,
          apiHostname: '127.0.0.1',
          port: emulator.port,
          https: false,
          redirectUri: redirectUris[i],
          cookiePassword: COOKIE_PASSWORD,
          now,
          store,
          stepUp: { password: true },
          providerSignals: { workosWebhookSecret: setup.webhookSecret ?? SECRET },
          ...setup.reauth,
        }),
      ],
      controllers: [WorkOSEventsRoutes],
    })
    class InstanceModule {}

    const moduleRef = await Test.createTestingModule({ imports: [InstanceModule] }).compile();
    const options: NestApplicationOptions = {
      logger: setup.logger ?? false,
      rawBody: setup.rawBody ?? true,
    };
    const app =
      setup.adapter === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options)
        : moduleRef.createNestApplication(options);
    await app.listen(port, '127.0.0.1');
    instances.push({
      app,
      url: `http://localhost:${port}`,
      redirectUri: redirectUris[i],
      emulator,
    });
  }
  return {
    emulator,
    workos,
    instances,
    store,
    close: async () => {
      for (const instance of instances) await instance.app.close();
      await emulator.close();
    },
  };
}

/** The request a copy of a session cookie makes, from anywhere. */
const withCookie = (instance: Instance, sealed: string, path = '/signed-in') =>
  fetch(`${instance.url}${path}`, {
    headers: { cookie: `wos-session=${sealed}`, accept: 'application/json' },
    redirect: 'manual',
  });
const withBearer = (instance: Instance, token: string, path = '/signed-in') =>
  fetch(`${instance.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** The access token a sealed session holds, and its session id (`sid`). */
async function tokenOf(
  deployment: EventsDeployment,
  sealed: string,
): Promise<{ token: string; sid: string }> {
  const session = await deployment.workos.userManagement.getSessionFromCookie({
    sessionData: sealed,
    cookiePassword: COOKIE_PASSWORD,
  });
  const token = session!.accessToken;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    sid: string;
  };
  return { token, sid: claims.sid };
}

async function sealedIn(browser: HttpBrowser, instance: Instance): Promise<string> {
  const cookie = (await browser.jar.getCookieString(instance.url))
    .split('; ')
    .find((c) => c.startsWith('wos-session='))!;
  return cookie.slice('wos-session='.length);
}

async function expectSignedOut(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'reauth_required', reason: 'unauthenticated' });
}

async function expectTokenRefused(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
}

/** A delivery as WorkOS makes one: the event's JSON, signed with `secret` at `t` (ms). */
function signedDelivery(
  event: Record<string, unknown> | string,
  options: { t: number; secret?: string; body?: string; signature?: string | null } = { t: 0 },
) {
  const body = options.body ?? (typeof event === 'string' ? event : JSON.stringify(event));
  const v1 = createHmac('sha256', options.secret ?? SECRET)
    .update(`${options.t}.${body}`)
    .digest('hex');
  const signature =
    options.signature === undefined ? `t=${options.t}, v1=${v1}` : options.signature;
  return { body, signature };
}

function post(
  instance: Instance,
  delivery: { body: string; signature: string | null },
  contentType = 'application/json',
) {
  return fetch(`${instance.url}${EVENTS_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(delivery.signature === null ? {} : { 'workos-signature': delivery.signature }),
    },
    body: delivery.body,
  });
}

const statusesOf = (deliveries: WebhookDelivery[]) =>
  deliveries.map((delivery) => [
    delivery.event,
    delivery.state,
    delivery.attempts.map((attempt) => attempt.status),
  ]);

describe('WorkOS session events end sessions in the app', () => {
  let deployment: EventsDeployment;
  let instance: Instance;

  beforeEach(async () => {
    deployment = await startEventsDeployment();
    [instance] = deployment.instances;
  });
  afterEach(() => deployment.close());

  it('refuses the session AuthKit revoked, by cookie and by Bearer token, and forgets its step-up proofs', async () => {
    const { browser } = await signInToApp(instance, '/signed-in', ALICE);
    deployment.emulator.advanceClock(400);
    const page = pageJson(browser, instance.url);
    const offer = (await page('GET', '/fresh')).body.stepUp as { ticket: string };
    const confirmed = await page('POST', '/auth/step-up/password', {
      ticket: offer.ticket,
      password: ALICE.password,
    });
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    const sealed = await sealedIn(browser, instance);
    const { token, sid } = await tokenOf(deployment, sealed);
    const proof = `${STORE_KEYS.factor}${sid}:password`;
    expect(await deployment.store.get(proof)).toBeDefined();
    expect((await withCookie(instance, sealed, '/fresh')).status).toBe(200);
    expect((await withBearer(instance, token)).status).toBe(200);

    // The password check's own AuthKit session ended as it was made: its event came first.
    const before = (await deployment.emulator.webhooksSettled()).length;
    // An admin ends the session at WorkOS; WorkOS tells the app.
    await deployment.workos.userManagement.revokeSession({ sessionId: sid });
    const deliveries = await deployment.emulator.webhooksSettled();
    expect(statusesOf(deliveries.slice(before))).toEqual([['session.revoked', 'delivered', [200]]]);

    await expectSignedOut(await withCookie(instance, sealed));
    await expectTokenRefused(await withBearer(instance, token));
    expect(await deployment.store.get(proof)).toBeUndefined();
  });

  it('keeps the user’s other sessions, and other users, signed in', async () => {
    const ended = await signInToApp(instance, '/signed-in', ALICE);
    const other = await signInToApp(instance, '/signed-in', ALICE);
    const bob = await signInToApp(instance, '/signed-in', BOB);
    const { sid } = await tokenOf(deployment, ended.sealedSession);
    await deployment.workos.userManagement.revokeSession({ sessionId: sid });
    await deployment.emulator.webhooksSettled();
    await expectSignedOut(await withCookie(instance, ended.sealedSession));
    expect((await withCookie(instance, other.sealedSession)).status).toBe(200);
    expect((await withCookie(instance, bob.sealedSession)).status).toBe(200);
  });

  it('ends every session of a deleted user signed in before the deletion; a sign-in after it works', async () => {
    const first = await signInToApp(instance, '/signed-in', ALICE);
    const second = await signInToApp(instance, '/signed-in', ALICE);
    const bob = await signInToApp(instance, '/signed-in', BOB);
    const { token } = await tokenOf(deployment, first.sealedSession);
    const aliceId = (await (await withBearer(instance, token)).json()) as { sub: string };

    deployment.emulator.advanceClock(1);
    await deployment.workos.userManagement.deleteUser(aliceId.sub);
    expect(statusesOf(await deployment.emulator.webhooksSettled())).toEqual([
      ['user.deleted', 'delivered', [200]],
    ]);
    await expectSignedOut(await withCookie(instance, first.sealedSession));
    await expectSignedOut(await withCookie(instance, second.sealedSession));
    await expectTokenRefused(await withBearer(instance, token));
    expect((await withCookie(instance, bob.sealedSession)).status).toBe(200);

    // The same account again, a second later: its new sessions are its own.
    deployment.emulator.advanceClock(1);
    expect(deployment.emulator.addUser(ALICE)).toBe(aliceId.sub);
    const again = await signInToApp(instance, '/signed-in', ALICE);
    expect((await withCookie(instance, again.sealedSession)).status).toBe(200);
    await expectSignedOut(await withCookie(instance, first.sealedSession));
  });

  it('ignores other events, and a replayed event id, with a 200', async () => {
    const target = await signInToApp(instance, '/signed-in', ALICE);
    const kept = await signInToApp(instance, '/signed-in', ALICE);
    const { sid } = await tokenOf(deployment, target.sealedSession);
    const { sid: keptSid } = await tokenOf(deployment, kept.sealedSession);
    const t = deployment.emulator.now() * 1000;
    const event = (id: string, name: string, sessionId: string) => ({
      id,
      event: name,
      data: { object: 'session', id: sessionId, user_id: 'user_x' },
      created_at: new Date(t).toISOString(),
    });

    const created = await post(
      instance,
      signedDelivery(event('event_1', 'session.created', keptSid), { t }),
    );
    expect([created.status, await created.json()]).toEqual([200, { received: true }]);
    expect((await withCookie(instance, kept.sealedSession)).status).toBe(200);

    const revoked = await post(
      instance,
      signedDelivery(event('event_2', 'session.revoked', sid), { t }),
    );
    expect(revoked.status).toBe(200);
    await expectSignedOut(await withCookie(instance, target.sealedSession));

    // The same event id again, signed anew as WorkOS's retries are: nothing more happens, even
    // when its body names another session.
    for (const replay of [
      signedDelivery(event('event_2', 'session.revoked', sid), { t: t + 1000 }),
      signedDelivery(event('event_2', 'session.revoked', keptSid), { t: t + 2000 }),
    ]) {
      const res = await post(instance, replay);
      expect([res.status, await res.json()]).toEqual([200, { received: true }]);
    }
    expect((await withCookie(instance, kept.sealedSession)).status).toBe(200);
  });
});

describe('Deliveries the events route refuses', () => {
  let deployment: EventsDeployment;
  let instance: Instance;
  let logger: RecordingLogger;
  let sealed: string;
  let event: Record<string, unknown>;
  let now: number;

  beforeEach(async () => {
    logger = new RecordingLogger();
    deployment = await startEventsDeployment({
      logger,
      reauth: { providerSignals: { workosWebhookSecret: SECRET, perAddressPerMinute: 100 } },
    });
    [instance] = deployment.instances;
    sealed = (await signInToApp(instance, '/signed-in', ALICE)).sealedSession;
    const { sid } = await tokenOf(deployment, sealed);
    now = deployment.emulator.now() * 1000;
    event = {
      id: 'event_01REFUSALS',
      event: 'session.revoked',
      data: { object: 'session', id: sid, user_id: 'user_x', status: 'revoked' },
      created_at: new Date(now).toISOString(),
    };
  });
  afterEach(() => deployment.close());

  /** Posts the delivery, checks the answer, then that the session still works. */
  async function expectRefused(
    delivery: { body: string; signature: string | null },
    status: number,
    error: string | undefined,
    contentType?: string,
  ): Promise<void> {
    const res = await post(instance, delivery, contentType);
    const text = await res.text();
    expect([
      res.status,
      error === undefined ? undefined : (JSON.parse(text) as { error: string }).error,
    ]).toEqual([status, error]);
    expect(text).not.toContain(SECRET);
    expect((await withCookie(instance, sealed)).status).toBe(200);
  }

  it.each([
    ['another secret', { secret: 'whsec_another_secret_entirely_0000' }, 'signature_mismatch'],
    ['a signature of another body', { signedBody: '{"id":"event_other"}' }, 'signature_mismatch'],
    ['a stale timestamp', { age: 181_000 }, 'timestamp_stale'],
    ['a timestamp in the future', { age: -181_000 }, 'timestamp_in_future'],
    ['no signature', { signature: null }, 'signature_missing'],
    ['a malformed signature', { signature: 't=soon, v1=abc' }, 'signature_malformed'],
  ] as const)('refuses %s with a 400, and logs why', async (_case, change, error) => {
    const signed = signedDelivery(event, {
      t: now - ('age' in change ? change.age : 0),
      secret: 'secret' in change ? change.secret : undefined,
      body: 'signedBody' in change ? change.signedBody : undefined,
      signature: 'signature' in change ? change.signature : undefined,
    });
    await expectRefused({ body: JSON.stringify(event), signature: signed.signature }, 400, error);
    expect(logger.lines).toContain(`Refused a WorkOS event: ${error}`);
    for (const line of logger.lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('event_01REFUSALS');
    }
  });

  it('refuses a body that is not JSON, with or without a JSON media type', async () => {
    await expectRefused(
      signedDelivery('not json', { t: now }),
      415,
      'unsupported_media_type',
      'text/plain',
    );
    const res = await post(instance, signedDelivery('{"id": not json', { t: now }));
    expect(res.status).toBe(400);
    expect((await withCookie(instance, sealed)).status).toBe(200);
  });

  it('refuses signed JSON that is not an event', async () => {
    await expectRefused(signedDelivery({ ...event, data: [] }, { t: now }), 400, 'malformed_event');
    await expectRefused(
      signedDelivery(JSON.stringify([event]), { t: now }),
      400,
      'malformed_event',
    );
  });

  it('refuses an oversized body with a 413', async () => {
    const padded = { ...event, padding: 'x'.repeat(70 * 1024) };
    await expectRefused(signedDelivery(padded, { t: now }), 413, 'payload_too_large');
    const huge = { ...event, padding: 'x'.repeat(200 * 1024) };
    const res = await post(instance, signedDelivery(huge, { t: now }));
    expect(res.status).toBe(413);
    expect((await withCookie(instance, sealed)).status).toBe(200);
  });
});

describe('The events route’s limits and configuration', () => {
  it('answers 429 past the per-address limit, before checking signatures', async () => {
    const deployment = await startEventsDeployment({
      reauth: { providerSignals: { workosWebhookSecret: SECRET, perAddressPerMinute: 3 } },
    });
    try {
      const [instance] = deployment.instances;
      const bad = { body: '{}', signature: 't=1, v1=00' };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(instance, bad)).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
      const limited = await post(instance, bad);
      expect(limited.status).toBe(429);
      expect((await limited.json()) as object).toMatchObject({ error: 'too_many_requests' });
      // A minute later the address may send again.
      deployment.emulator.advanceClock(61);
      expect((await post(instance, bad)).status).toBe(400);
    } finally {
      await deployment.close();
    }
  });

  it('answers 404 when no webhook secret is configured', async () => {
    const deployment = await startEventsDeployment({ reauth: { providerSignals: {} } });
    try {
      const [instance] = deployment.instances;
      const res = await post(instance, signedDelivery({ id: 'event_1' }, { t: Date.now() }));
      expect(res.status).toBe(404);
    } finally {
      await deployment.close();
    }
  });

  it('refuses deliveries with a clear 400, and says once how to fix it, when the app keeps no raw body', async () => {
    const logger = new RecordingLogger();
    const deployment = await startEventsDeployment({ rawBody: false, logger });
    try {
      const [instance] = deployment.instances;
      const { sealedSession } = await signInToApp(instance, '/signed-in', ALICE);
      const { sid } = await tokenOf(deployment, sealedSession);
      await deployment.workos.userManagement.revokeSession({ sessionId: sid });
      expect(statusesOf(await deployment.emulator.webhooksSettled())).toEqual([
        ['session.revoked', 'failed', [400, 400, 400]],
      ]);
      const now = deployment.emulator.now() * 1000;
      const res = await post(instance, signedDelivery({ id: 'event_1' }, { t: now }));
      expect((await res.json()) as object).toMatchObject({
        error: 'raw_body_missing',
        message: expect.stringContaining('rawBody: true') as string,
      });
      const advice = logger.lines.filter((line) => line.includes('rawBody: true'));
      expect(advice).toHaveLength(1);
      expect(advice[0]).toContain('NestFactory.create');
      // The session is not ended here: the store never heard of the event.
      expect((await withCookie(instance, sealedSession)).status).toBe(200);
    } finally {
      await deployment.close();
    }
  });

  it('answers 503 while the store cannot record the end, and acts on WorkOS’s retry once it can', async () => {
    let failures = 1;
    const deployment = await startEventsDeployment({
      store: (now) =>
        new (class extends MemoryReauthStore {
          override set(key: string, value: string, ttlSeconds: number): Promise<void> {
            if (key.startsWith(STORE_KEYS.revokedSession) && failures-- > 0) {
              return Promise.reject(
                Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' }),
              );
            }
            return super.set(key, value, ttlSeconds);
          }
        })({ now }),
    });
    try {
      const [instance] = deployment.instances;
      const { sealedSession } = await signInToApp(instance, '/signed-in', ALICE);
      const { sid } = await tokenOf(deployment, sealedSession);
      await deployment.workos.userManagement.revokeSession({ sessionId: sid });
      expect(statusesOf(await deployment.emulator.webhooksSettled())).toEqual([
        ['session.revoked', 'delivered', [503, 200]],
      ]);
      await expectSignedOut(await withCookie(instance, sealedSession));
    } finally {
      await deployment.close();
    }
  });

  it('answers 503 for as long as the store fails, and ends nothing', async () => {
    const deployment = await startEventsDeployment({
      store: (now) =>
        new FaultyStore({ methods: ['set'], prefixes: [STORE_KEYS.revokedSession] }, { now }),
    });
    try {
      const [instance] = deployment.instances;
      const { sealedSession } = await signInToApp(instance, '/signed-in', ALICE);
      const { sid } = await tokenOf(deployment, sealedSession);
      await deployment.workos.userManagement.revokeSession({ sessionId: sid });
      expect(statusesOf(await deployment.emulator.webhooksSettled())).toEqual([
        ['session.revoked', 'failed', [503, 503, 503]],
      ]);
      const t = deployment.emulator.now() * 1000;
      const res = await post(
        instance,
        signedDelivery(
          {
            id: 'event_1',
            event: 'session.revoked',
            data: { id: sid },
            created_at: new Date(t).toISOString(),
          },
          { t },
        ),
      );
      expect([res.status, res.headers.get('retry-after')]).toEqual([
        503,
        expect.stringMatching(/^\d+$/),
      ]);
    } finally {
      await deployment.close();
    }
  });
});

describe('WorkOS events on instances sharing a store', () => {
  it('ends the session on every instance, whichever one the event reached', async () => {
    const deployment = await startEventsDeployment({ instances: 2 });
    try {
      const [first, second] = deployment.instances;
      const { sealedSession } = await signInToApp(second, '/signed-in', ALICE);
      const { token, sid } = await tokenOf(deployment, sealedSession);
      for (const instance of [first, second]) {
        expect((await withCookie(instance, sealedSession)).status).toBe(200);
        expect((await withBearer(instance, token)).status).toBe(200);
      }
      await deployment.workos.userManagement.revokeSession({ sessionId: sid });
      const [delivery] = await deployment.emulator.webhooksSettled();
      expect(delivery).toMatchObject({ url: `${first.url}${EVENTS_PATH}`, state: 'delivered' });
      for (const instance of [first, second]) {
        await expectSignedOut(await withCookie(instance, sealedSession));
        await expectTokenRefused(await withBearer(instance, token));
      }
    } finally {
      await deployment.close();
    }
  });
});

describe('WorkOS events on Fastify', () => {
  it('ends the session AuthKit revoked, verified on the raw body Fastify keeps', async () => {
    const deployment = await startEventsDeployment({ adapter: 'fastify' });
    try {
      const [instance] = deployment.instances;
      const { sealedSession } = await signInToApp(instance, '/signed-in', ALICE);
      const { token, sid } = await tokenOf(deployment, sealedSession);
      expect((await withBearer(instance, token)).status).toBe(200);
      await deployment.workos.userManagement.revokeSession({ sessionId: sid });
      expect(statusesOf(await deployment.emulator.webhooksSettled())).toEqual([
        ['session.revoked', 'delivered', [200]],
      ]);
      await expectSignedOut(await withCookie(instance, sealedSession));
      await expectTokenRefused(await withBearer(instance, token));
    } finally {
      await deployment.close();
    }
  });

  it('refuses deliveries with a clear 400 when the app keeps no raw body', async () => {
    const deployment = await startEventsDeployment({ adapter: 'fastify', rawBody: false });
    try {
      const [instance] = deployment.instances;
      const t = deployment.emulator.now() * 1000;
      const res = await post(instance, signedDelivery({ id: 'event_1' }, { t }));
      expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([
        400,
        'raw_body_missing',
      ]);
    } finally {
      await deployment.close();
    }
  });
});
