import type { Server } from 'node:http';
import request from 'supertest';
import { type RunningDemo } from '../../src/demo';
import { startTestDemo } from '../support/demo';

describe('The demo JSON API', () => {
  let demo: RunningDemo;
  let server: Server;

  beforeAll(async () => {
    demo = await startTestDemo();
    server = demo.app.getHttpServer() as Server;
  });
  afterAll(() => demo.close());

  const token = (age: number) =>
    demo.emulator!.mintAccessToken({
      email: 'alice@example.com',
      authTime: demo.emulator!.now() - age,
    });

  it('describes the signed-in user at /api/me', async () => {
    const res = await request(server)
      .get('/api/me')
      .auth(await token(10_000), { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: expect.stringMatching(/^user_/),
      sessionId: expect.stringMatching(/^session_/),
      role: 'admin',
      authTime: expect.any(Number),
    });
  });

  it('makes a transfer with a fresh sign-in and validates the body', async () => {
    const fresh = await token(10);
    const ok = await request(server)
      .post('/api/transfers')
      .auth(fresh, { type: 'bearer' })
      .send({ amount: 25.5, to: 'savings' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ amount: 25.5, to: 'savings', status: 'completed' });

    for (const body of [
      {},
      { amount: -1, to: 'x' },
      { amount: 1, to: '' },
      { amount: 'ten', to: 'x' },
      { amount: 1, to: 'x', admin: true },
    ]) {
      const bad = await request(server)
        .post('/api/transfers')
        .auth(fresh, { type: 'bearer' })
        .send(body);
      expect(bad.status).toBe(400);
    }
  });

  it('takes JSON only: a form-encoded or untyped transfer gets 415 and moves nothing', async () => {
    const fresh = await token(10);
    const before = await request(server).get('/api/me').auth(fresh, { type: 'bearer' });
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'amount=5&to=mallory'],
      ['text/plain', '{"amount":5,"to":"mallory"}'],
      ['multipart/form-data; boundary=x', '--x--'],
    ]) {
      const res = await request(server)
        .post('/api/transfers')
        .auth(fresh, { type: 'bearer' })
        .set('content-type', type)
        .send(body);
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ statusCode: 415 });
    }
    const after = await request(server).get('/api/me').auth(fresh, { type: 'bearer' });
    expect(after.body.transfers).toBe(before.body.transfers);
  });

  it('sends its pages and answers uncached and unframeable', async () => {
    for (const path of ['/', '/api/me', '/spa']) {
      const res = await request(server)
        .get(path)
        .auth(await token(10), { type: 'bearer' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('answers a stale transfer with the RFC 9470 challenge', async () => {
    const res = await request(server)
      .post('/api/transfers')
      .auth(await token(301), { type: 'bearer' })
      .send({ amount: 1, to: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('max_age="300"');
    expect(res.body).toMatchObject({ reason: 'stale', maxAge: 300, reauthUrl: expect.any(String) });
  });

  it('moves the library’s clock with the emulator’s test control', async () => {
    const fresh = await demo.emulator!.mintAccessToken({
      email: 'alice@example.com',
      authTime: demo.emulator!.now(),
      expiresIn: 3600,
    });
    expect(
      (
        await request(server)
          .post('/api/transfers')
          .auth(fresh, { type: 'bearer' })
          .send({ amount: 1, to: 'x' })
      ).status,
    ).toBe(201);
    await fetch(`${demo.emulator!.url}/__emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 301 }),
    });
    // The same (unexpired) token is now stale for the app too.
    const later = await request(server)
      .post('/api/transfers')
      .auth(fresh, { type: 'bearer' })
      .send({ amount: 1, to: 'x' });
    expect(later.status).toBe(401);
    expect(later.body).toMatchObject({ reason: 'stale' });
  });
});
