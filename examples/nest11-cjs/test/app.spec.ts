import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { ReauthModule, type ReauthRequiredEvent } from 'nest-workos-reauth';
import { startReauthTestKit, type ReauthTestKit } from 'nest-workos-reauth/testing';
import request from 'supertest';
import { AppController } from '../src/app.controller';
import { ReauthRequiredLog } from '../src/reauth-required.log';

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
    if (log.received.length > 0) return log.received[0];
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no reauth.required event after 100 turns of the event loop');
}

describe('AppController', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;
  let log: ReauthRequiredLog;

  beforeAll(async () => {
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

  afterAll(async () => {
    await app?.close();
    await kit?.close();
  });

  const api = () => request(app.getHttpServer());

  it('serves public routes to anyone', async () => {
    await api().get('/').expect(200, { app: 'nest11-cjs' });
  });

  it('lets a user who signed in 4 minutes ago through @RequireRecentAuth(300)', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 240 });

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(200);

    expect(res.body).toEqual({
      userId: expect.stringMatching(/^user_/),
      authTime: kit.clock.nowSeconds() - 240,
    });
  });

  it('asks a user who signed in 10 minutes ago to re-authenticate', async () => {
    const token = await kit.accessToken({ signedInSecondsAgo: 600 });
    log.clear();

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(401);

    expect(res.body).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge: 300 });
    expect(res.body.reauthUrl).toContain('max_age=300');
    expect(res.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');

    // The audit event, on the app's EventEmitter2 (@OnEvent): who and why, never the token.
    const event = await firstEvent(log);
    expect(event).toMatchObject({
      type: 'reauth.required',
      reason: 'stale',
      maxAge: 300,
      userId: userIdOf(token),
      route: expect.stringMatching(/:AppController\.profile$/),
    });
    expect(event.time).toEqual(new Date(kit.clock.now()));
    // Not toContain: a failed expectation would print the token.
    expect(JSON.stringify(event).includes(token)).toBe(false);
  });

  it('lets freshness run out when the clock moves', async () => {
    const token = await kit.accessToken({ expiresIn: 3600 });
    await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(200);

    kit.advanceClock(301);

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(401);
    expect(res.body).toMatchObject({ reason: 'stale' });
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
    expect(res.body).toMatchObject({ reason: 'stale' });
  });

  it('sends a browser without a session to sign in', async () => {
    const res = await api()
      .get('/account')
      .set('Accept', 'text/html')
      .set('Sec-Fetch-Mode', 'navigate')
      .expect(302);

    expect(res.headers.location).toContain('/user_management/authorize?');
  });
});
