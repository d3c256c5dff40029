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

  it("applies the organization's rule: Dave's organization asks again after 60 s, Alice's after 300 s", async () => {
    const signedIn = (email: string, age: number) =>
      demo.emulator!.mintAccessToken({ email, authTime: demo.emulator!.now() - age });
    const transfer = async (email: string, age: number) =>
      request(server)
        .post('/api/transfers')
        .auth(await signedIn(email, age), { type: 'bearer' })
        .send({ amount: 1, to: 'savings' });
    const dave = await transfer('dave@strict.example.com', 120);
    expect(dave.status).toBe(401);
    expect(dave.body).toMatchObject({ reason: 'stale', maxAge: 60 });
    expect((await transfer('dave@strict.example.com', 30)).status).toBe(201);
    expect((await transfer('alice@example.com', 120)).status).toBe(201);
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

  it('sends its pages and answers uncached, unframeable, and under a strict policy', async () => {
    for (const path of ['/', '/api/me', '/spa', '/account/passkeys']) {
      const res = await request(server)
        .get(path)
        .auth(await token(10), { type: 'bearer' });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'",
      );
    }
  });

  it('serves the pages’ stylesheet and scripts from its own origin, and nothing else there', async () => {
    const page = await request(server)
      .get('/account/passkeys')
      .auth(await token(10), { type: 'bearer' });
    expect(page.text).toContain('<link rel="stylesheet" href="/assets/demo.css">');
    expect(page.text).toContain('<script type="module" src="/assets/passkeys.js"></script>');
    expect(page.text).not.toMatch(/<script>|<style>|style="/);
    for (const [path, type] of [
      ['/assets/demo.css', 'text/css; charset=utf-8'],
      ['/assets/spa.js', 'text/javascript; charset=utf-8'],
      ['/assets/security.js', 'text/javascript; charset=utf-8'],
      ['/assets/passkeys.js', 'text/javascript; charset=utf-8'],
    ]) {
      const res = await request(server).get(path);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, type]);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    for (const path of ['/assets/nope.js', '/assets/__proto__', '/assets/constructor']) {
      const res = await request(server).get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('changes the email over JSON when fresh, refuses a bad one, and asks again when stale', async () => {
    const send = async (age: number, body: unknown) =>
      request(server)
        .post('/account/email')
        .auth(await token(age), { type: 'bearer' })
        .set('accept', 'application/json')
        .send(body as object);
    const ok = await send(10, { email: ' alice.json@example.com ' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ email: 'alice.json@example.com' });
    for (const email of ['', 'not-an-email', 'a@'.repeat(200), 42, null]) {
      const bad = await send(10, { email });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        statusCode: 400,
        error: 'invalid_email',
        message: 'That is not an email address.',
      });
    }
    const stale = await send(301, { email: 'alice.stale@example.com' });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ reason: 'stale', reauthUrl: expect.any(String) });
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
