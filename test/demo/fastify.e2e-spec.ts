import { startDemo, type RunningDemo } from '../../src/demo';
import { signInThroughPages } from '../support/emulator';
import { HttpBrowser, findForm, type BrowserResponse } from '../support/http-browser';
import { freePort } from '../support/ports';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
const ALICE = { email: 'alice@example.com', password: 'alice-password' };

describe('The demo on Fastify (HTTP_ADAPTER=fastify)', () => {
  let demo: RunningDemo;
  let redirectUri: string;
  let browser: HttpBrowser;

  beforeAll(async () => {
    const port = await freePort();
    redirectUri = `http://localhost:${port}/auth/callback`;
    demo = await startDemo(
      {
        port,
        httpAdapter: 'fastify',
        provider: 'emulator',
        emulatorPort: 0,
        testControls: true,
        apiKey: '',
        clientId: '',
        redirectUri,
        cookiePassword: 'test-demo-cookie-password-of-32-characters',
      },
      { logger: false },
    );
  });
  afterAll(() => demo?.close());
  beforeEach(() => {
    browser = new HttpBrowser();
  });

  const page = (path: string) => `${demo.url}${path}`;
  const navigate = (path: string) => browser.get(page(path), HTML);
  const post = (path: string, form: Record<string, string>, from: string) =>
    browser.request(page(path), {
      method: 'POST',
      form,
      headers: { ...HTML, origin: demo.url, referer: page(from) },
    });
  const authenticate = async (location: string): Promise<BrowserResponse> => {
    const callback = await signInThroughPages(
      browser,
      location,
      ALICE,
      demo.emulator!,
      redirectUri,
    );
    return browser.get(callback.href, HTML);
  };
  const signIn = async () => {
    const anonymous = await navigate('/account');
    expect(anonymous.status).toBe(302);
    expect(anonymous.location!.startsWith(demo.emulator!.url)).toBe(true);
    const back = await authenticate(anonymous.location!);
    expect(back.status).toBe(303);
    expect(back.location).toBe(page('/account'));
  };
  const token = (age: number) =>
    demo.emulator!.mintAccessToken({ email: ALICE.email, authTime: demo.emulator!.now() - age });

  it('runs on Fastify', () => {
    expect(demo.app.getHttpAdapter().getType()).toBe('fastify');
  });

  it('signs in through the embedded emulator and shows the account', async () => {
    await signIn();
    const account = await navigate('/account');
    expect(account.status).toBe(200);
    expect(account.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(account.text).toContain(`<dd id="email">${ALICE.email}</dd>`);
    const home = await navigate('/');
    expect(home.text).toContain('id="email"');
  });

  it('sends a stale page to sign in again and back', async () => {
    await signIn();
    expect((await navigate('/account/security')).status).toBe(200);
    demo.emulator!.advanceClock(301);
    const stale = await navigate('/account/security');
    expect(stale.status).toBe(302);
    const url = new URL(stale.location!);
    expect(url.origin).toBe(demo.emulator!.url);
    expect(url.searchParams.get('max_age')).toBe('300');
    const back = await authenticate(stale.location!);
    expect(back.location).toBe(page('/account/security'));
    const fresh = await navigate('/account/security');
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('open for another');
  });

  it('restores an email change posted while stale, then saves it', async () => {
    await signIn();
    demo.emulator!.advanceClock(301);
    const posted = await post(
      '/account/email',
      { email: 'alice.new@example.com' },
      '/account/security',
    );
    expect(posted.status).toBe(303);
    expect(posted.location!.startsWith(demo.emulator!.url)).toBe(true);
    const back = await authenticate(posted.location!);
    expect(back.location).toBe(page('/account/security'));

    const restored = await navigate('/account/security');
    expect(restored.status).toBe(200);
    expect(restored.text).toContain('Your change is filled in below');
    const form = findForm(restored.text, '/account/email');
    expect(form.fields.email).toBe('alice.new@example.com');

    const bad = await post('/account/email', { email: 'not an address' }, '/account/security');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(bad.text).toContain('That is not an email address.');

    const saved = await post('/account/email', form.fields, '/account/security');
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(page('/account/security?saved=1'));
    expect((await navigate('/account/security?saved=1')).text).toContain(
      '<dd id="email">alice.new@example.com</dd>',
    );
  });

  it('asks again before deleting the account, continues, and signs out', async () => {
    await signIn();
    demo.emulator!.advanceClock(5);
    const refused = await post('/account/delete', { confirm: 'DELETE' }, '/account');
    expect(refused.status).toBe(303);
    const back = await authenticate(refused.location!);
    expect(back.location).toBe(page('/account'));
    const confirmed = await navigate('/account');
    expect(confirmed.text).toContain('id="delete-now"');

    const deleted = await post('/account/delete', { confirm: 'DELETE' }, '/account');
    expect(deleted.status).toBe(200);
    expect(deleted.text).toContain('id="deleted"');
    expect(deleted.headers.getSetCookie().join()).toMatch(/wos-session=; Max-Age=0/);
    expect((await navigate('/account')).status).toBe(302);
  });

  it('answers the JSON API with the RFC 9470 challenge, and takes JSON only', async () => {
    const anonymous = await browser.get(page('/api/me'), JSON_ACCEPT);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    const stale = await fetch(page('/api/transfers'), {
      method: 'POST',
      headers: {
        ...JSON_ACCEPT,
        'content-type': 'application/json',
        authorization: `Bearer ${await token(301)}`,
      },
      body: JSON.stringify({ amount: 1, to: 'x' }),
    });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    expect(await stale.json()).toMatchObject({
      error: 'reauth_required',
      reason: 'stale',
      maxAge: 300,
      reauthUrl: expect.stringContaining(demo.emulator!.url),
    });

    const fresh = await token(10);
    const made = await fetch(page('/api/transfers'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fresh}` },
      body: JSON.stringify({ amount: 25.5, to: 'savings' }),
    });
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ amount: 25.5, to: 'savings', status: 'completed' });

    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'amount=5&to=mallory'],
      ['text/plain', '{"amount":5,"to":"mallory"}'],
      ['multipart/form-data; boundary=x', '--x--'],
    ]) {
      const res = await fetch(page('/api/transfers'), {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${fresh}` },
        body,
      });
      expect([type, res.status]).toEqual([type, 415]);
    }
  });

  it('sends its pages uncached and unframeable', async () => {
    const bearer = { authorization: `Bearer ${await token(10)}` };
    for (const path of ['/', '/api/me', '/spa', '/account']) {
      const res = await fetch(page(path), { headers: bearer });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    // A route's own Cache-Control wins over the middleware's, on Fastify as on Express.
    const bundle = await fetch(page('/assets/step-up-fetch.js'));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(bundle.headers.get('cache-control')).toBe('no-cache');
    expect(await bundle.text()).toContain('nest-reauth');
  });
});
