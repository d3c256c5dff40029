import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { GraphQLModule } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { ReauthModule, type ReauthRequiredEvent } from 'nest-workos-reauth';
import { startReauthTestKit, type ReauthTestKit } from 'nest-workos-reauth/testing';
import request from 'supertest';
import { AccountResolver } from '../src/account.resolver.js';
import { AppController } from '../src/app.controller.js';
import { graphqlOptions } from '../src/graphql.config.js';
import { ReauthRequiredLog } from '../src/reauth-required.log.js';

/** The user id (`sub`) an access token names. */
function userIdOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub;
}

/**
 * The first event the log received. The library delivers events a turn of the event loop after
 * the request's decision, so this waits a bounded number of turns rather than a fixed time.
 */
async function firstEvent(log: ReauthRequiredLog): Promise<ReauthRequiredEvent> {
  for (let turn = 0; turn < 100; turn++) {
    const [event] = log.received;
    if (event) return event;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no reauth.required event after 100 turns of the event loop');
}

describe('AppController', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;
  let log: ReauthRequiredLog;

  before(async () => {
    // A local AuthKit emulator and a clock that only moves when the test moves it.
    kit = await startReauthTestKit();
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), ReauthModule.forRoot(kit.moduleOptions())],
      controllers: [AppController],
      providers: [ReauthRequiredLog],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    log = app.get(ReauthRequiredLog);
  });

  after(async () => {
    await app?.close();
    await kit?.close();
  });

  const api = () => request(app.getHttpServer());

  it('serves public routes to anyone', async () => {
    await api().get('/').expect(200, { app: 'nest12-esm' });
  });

  it('lets a user who signed in 4 minutes ago through @RequireRecentAuth(300)', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 240 });

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(200);

    assert.match(res.body.userId, /^user_/);
    assert.equal(res.body.authTime, kit.clock.nowSeconds() - 240);
  });

  it('asks a user who signed in 10 minutes ago to re-authenticate', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 600 });
    log.clear();

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(401);

    assert.equal(res.body.error, 'reauth_required');
    assert.equal(res.body.reason, 'stale');
    assert.equal(res.body.maxAge, 300);
    assert.match(res.body.reauthUrl, /[?&]max_age=300(&|$)/);
    assert.match(res.headers['www-authenticate'], /error="insufficient_user_authentication"/);

    // The audit event, on the app's EventEmitter2 (@OnEvent): who and why, never the token.
    const event = await firstEvent(log);
    assert.equal(event.type, 'reauth.required');
    assert.equal(event.reason, 'stale');
    assert.equal(event.maxAge, 300);
    assert.equal(event.userId, userIdOf(token));
    assert.match(event.route ?? '', /:AppController\.profile$/);
    assert.deepEqual(event.time, new Date(kit.clock.now()));
    // Not assert.doesNotMatch: a failed assertion would print the token.
    assert.equal(JSON.stringify(event).includes(token), false);
  });

  it('lets freshness run out when the clock moves', async () => {
    const token = await kit.accessToken({ expiresIn: 3600 });
    await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(200);

    kit.advanceClock(301);

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(401);
    assert.equal(res.body.reason, 'stale');
  });

  it('accepts the session cookie for signed-in routes and same-origin form posts', async () => {
    const cookie = await kit.sessionCookie({ signedInSecondsAgo: 60 });

    await api().get('/account').set('Cookie', cookie).expect(200);
    await api()
      .post('/account/email')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ email: 'new@example.com' })
      .expect(200);
  });

  it('keeps a stale session signed in, but not for sensitive actions', async () => {
    const cookie = await kit.sessionCookie({ signedInSecondsAgo: 600 });

    await api().get('/account').set('Cookie', cookie).expect(200);
    const res = await api().get('/api/profile').set('Cookie', cookie).expect(401);
    assert.equal(res.body.reason, 'stale');
  });

  it('sends a browser without a session to sign in', async () => {
    const res = await api()
      .get('/account')
      .set('Accept', 'text/html')
      .set('Sec-Fetch-Mode', 'navigate')
      .expect(302);

    assert.match(res.headers.location, /\/user_management\/authorize\?/);
  });
});

describe('AccountResolver (Apollo, @nestjs/graphql 14)', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;

  before(async () => {
    kit = await startReauthTestKit();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ReauthModule.forRoot(kit.moduleOptions()),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...graphqlOptions() }),
      ],
      providers: [AccountResolver],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  after(async () => {
    await app?.close();
    await kit?.close();
  });

  const ACCOUNT = '{ app account { userId signedInAt recoveryCodes } }';

  /** A GraphQL query over HTTP, as an SPA's fetch sends it. */
  const graphql = (query: string, token?: string) => {
    const req = request(app.getHttpServer()).post('/graphql').send({ query });
    return token ? req.auth(token, { type: 'bearer' }) : req;
  };

  it('resolves every field for a user who signed in 4 minutes ago', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 240 });

    const res = await graphql(ACCOUNT, token).expect(200);

    assert.equal(res.body.errors, undefined);
    assert.equal(res.body.data.app, 'nest12-esm');
    assert.equal(res.body.data.account.userId, userIdOf(token));
    assert.deepEqual(res.body.data.account.recoveryCodes, [
      `${userIdOf(token)}-1`,
      `${userIdOf(token)}-2`,
    ]);
    assert.equal(res.headers['www-authenticate'], undefined);
  });

  it('refuses only the guarded field of a stale sign-in, with the challenge and a re-auth URL', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 600 });

    const res = await graphql(ACCOUNT, token).expect(200);

    assert.equal(res.body.data.app, 'nest12-esm');
    assert.equal(res.body.data.account.userId, userIdOf(token));
    assert.equal(res.body.data.account.recoveryCodes, null);
    assert.equal(res.body.errors.length, 1);
    const [error] = res.body.errors;
    assert.deepEqual(error.path, ['account', 'recoveryCodes']);
    assert.equal(error.extensions.code, 'REAUTH_REQUIRED');
    assert.equal(error.extensions.reason, 'stale');
    assert.equal(error.extensions.maxAge, 300);
    const reauthUrl = new URL(error.extensions.reauthUrl);
    assert.equal(reauthUrl.pathname, '/user_management/authorize');
    assert.equal(reauthUrl.searchParams.get('max_age'), '300');
    assert.equal(reauthUrl.searchParams.get('redirect_uri'), kit.redirectUri);
    assert.equal(
      res.headers['www-authenticate'],
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    // The cookie that binds the re-auth URL to this browser: the callback refuses it without.
    const cookies = [res.headers['set-cookie'] ?? []].flat();
    assert.equal(cookies.filter((cookie) => cookie.startsWith('wos-reauth=')).length, 1);
    // Not assert.doesNotMatch: a failed assertion would print the token.
    assert.equal(JSON.stringify(res.body).includes(token), false);
  });

  it('asks an anonymous caller to sign in', async () => {
    const res = await graphql('{ app account { userId } }').expect(200);

    assert.deepEqual(res.body.data, { app: 'nest12-esm', account: null });
    assert.equal(res.body.errors[0].extensions.code, 'REAUTH_REQUIRED');
    assert.equal(res.body.errors[0].extensions.reason, 'unauthenticated');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  });

  it('refuses to start when field resolvers would run without guards', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ReauthModule.forRoot(kit.moduleOptions()),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          ...graphqlOptions(),
          fieldResolverEnhancers: [],
        }),
      ],
      providers: [AccountResolver],
    }).compile();
    const unguarded = moduleRef.createNestApplication({ logger: false });
    try {
      await assert.rejects(
        unguarded.init(),
        /AccountResolver\.recoveryCodes is a GraphQL field resolver/,
      );
    } finally {
      await unguarded.close().catch(() => undefined);
    }
  });
});
