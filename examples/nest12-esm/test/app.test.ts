import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ReauthModule } from 'nest-workos-reauth';
import { startReauthTestKit, type ReauthTestKit } from 'nest-workos-reauth/testing';
import request from 'supertest';
import { AppController } from '../src/app.controller.js';

describe('AppController', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;

  before(async () => {
    // A local AuthKit emulator and a clock that only moves when the test moves it.
    kit = await startReauthTestKit();
    const moduleRef = await Test.createTestingModule({
      imports: [ReauthModule.forRoot(kit.moduleOptions())],
      controllers: [AppController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
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

    const res = await api().get('/api/profile').auth(token, { type: 'bearer' }).expect(401);

    assert.equal(res.body.error, 'reauth_required');
    assert.equal(res.body.reason, 'stale');
    assert.equal(res.body.maxAge, 300);
    assert.match(res.body.reauthUrl, /[?&]max_age=300(&|$)/);
    assert.match(res.headers['www-authenticate'], /error="insufficient_user_authentication"/);
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
