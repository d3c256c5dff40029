import formBody from '@fastify/formbody';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AuthClaims,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type ReauthRequest,
} from 'nest-workos-reauth';
import { unsealState } from '../../libs/reauth/src/core';
import { HttpBrowser, send, type BrowserResponse } from '../support/http-browser';
import { startRig, type ProviderRig } from '../support/provider-rigs';
import { COOKIE_PASSWORD } from '../support/reauth-app';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };

interface TransferForm {
  amount?: unknown;
  to?: unknown;
}

/** What the transfer form held: its two fields, as strings. */
function transferDraft(request: { body?: unknown }): { amount: string; to: string } {
  const form = (request.body ?? {}) as TransferForm;
  return {
    amount: typeof form.amount === 'string' ? form.amount : '',
    to: typeof form.to === 'string' ? form.to : '',
  };
}

@Controller()
class FastifyController {
  constructor(private readonly reauth: ReauthService) {}

  @Get('public')
  public() {
    return { ok: true };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('form')
  @RequireSignIn()
  async form(@Req() request: ReauthRequest, @Res({ passthrough: true }) response: unknown) {
    return { restored: (await this.reauth.takeRestoredAction(request, response)) ?? null };
  }

  /** Sets a cookie of the app's own through `@fastify/cookie`'s `reply.setCookie`. */
  @Get('theme')
  @RequireSignIn()
  theme(
    @Req() request: ReauthRequest & { cookies?: Record<string, string | undefined> },
    @Res({ passthrough: true }) reply: { setCookie(name: string, value: string): unknown },
  ) {
    reply.setCookie('theme', 'dark');
    return { cookies: Object.keys(request.cookies ?? {}).sort() };
  }

  @Post('transfer')
  @RequireRecentAuth(300, { action: transferDraft })
  transfer(@Body() body: TransferForm) {
    return { done: true, amount: body.amount, to: body.to };
  }
}

/**
 * `@fastify/cookie`, as an app may register it: the library does not need it (it reads the
 * `Cookie` header itself). 11.0 is required by its CommonJS `cookie` dependency: later releases
 * load it with `import()`, which Jest does not run.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fastifyCookie = require('@fastify/cookie') as unknown;

describe('On Fastify (@nestjs/platform-fastify)', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  const start = async (setup: Partial<Parameters<typeof startRig>[1]> = {}) => {
    rig = await startRig('authkit-emulator', {
      controllers: [FastifyController],
      adapter: 'fastify',
      ...setup,
    });
    browser = new HttpBrowser();
  };
  afterEach(() => rig?.close());

  const app = (path: string) => `${rig.url}${path}`;
  const navigate = (path: string, headers: Record<string, string> = {}) =>
    browser.get(app(path), { ...HTML, ...headers });
  const callback = (url: URL) => browser.get(url.href, HTML);
  const cookieNamed = (res: BrowserResponse, name: string) =>
    res.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  const stateOf = (url: string) =>
    unsealState(new URL(url).searchParams.get('state')!, COOKIE_PASSWORD, rig.nowSeconds());

  const signIn = async (returnTo = '/public') => {
    const started = await navigate(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(started.status).toBe(302);
    const done = await callback(await rig.authenticateAt(browser, started.location!));
    expect(done.status).toBe(303);
    expect(cookieNamed(done, 'wos-session')).toBeDefined();
    return done;
  };

  describe('cookies', () => {
    beforeEach(() => start());

    it('treats a malformed or oversized Cookie header as anonymous, never a 500', async () => {
      const malformed = [
        'wos-session=',
        'wos-session=%',
        'wos-session=%E0%A4%A',
        'wos-session="unterminated',
        '=;;=; ;wos-session',
        'wos-session=Fe26.2**not*a*sealed*session',
        'wos-session=a; wos-session=b',
        `wos-session=${'A'.repeat(5000)}`,
        `wos-session=\u00ff\u00fe; wos-reauth=\u00e9`,
        Array.from({ length: 300 }, (_, i) => `c${i}=${'x'.repeat(30)}`).join('; '),
      ];
      for (const cookie of malformed) {
        const api = await send(app('/fresh'), 'GET', { ...JSON_ACCEPT, cookie });
        expect([cookie.slice(0, 40), api.status]).toEqual([cookie.slice(0, 40), 401]);
        expect(JSON.parse(api.text)).toMatchObject({ reason: 'unauthenticated' });
        expect(api.headers.get('www-authenticate')).toBe('Bearer');
        const page = await send(app('/fresh'), 'GET', { ...HTML, cookie });
        expect([cookie.slice(0, 40), page.status]).toEqual([cookie.slice(0, 40), 302]);
        const callbackWithIt = await send(app('/auth/callback?code=c&state=s.t.a.t.e'), 'GET', {
          ...HTML,
          cookie,
        });
        expect(callbackWithIt.status).toBe(400);
      }
    });

    it('answers a Cookie header over the server’s header limit with a 4xx, never a 500', async () => {
      const res = await send(app('/fresh'), 'GET', {
        ...JSON_ACCEPT,
        cookie: `wos-session=${'A'.repeat(20_000)}`,
      });
      expect(res.status).toBe(431);
    });

    it('sends every Set-Cookie of a response: a refreshed session and the binding', async () => {
      await signIn();
      // The access token expires (the session refreshes), and the sign-in is too old for /fresh.
      await rig.advanceClock(400);
      const res = await navigate('/fresh');
      expect(res.status).toBe(302);
      const setCookies = res.headers.getSetCookie();
      expect(setCookies).toHaveLength(2);
      expect(cookieNamed(res, 'wos-session')).toMatch(/HttpOnly/);
      expect(cookieNamed(res, 'wos-reauth')).toMatch(/HttpOnly/);
      expect(res.headers.get('cache-control')).toBe('no-store');

      const back = await callback(await rig.authenticateAt(browser, res.location!));
      expect(back.status).toBe(303);
      expect(back.location).toBe(app('/fresh'));
      expect((await navigate('/fresh')).status).toBe(200);
    });

    it('works with @fastify/cookie registered alongside, its cookies and ours all sent', async () => {
      await rig.close();
      await start({
        configure: async (nest) => {
          await (nest as NestFastifyApplication).register(
            fastifyCookie as Parameters<NestFastifyApplication['register']>[0],
          );
        },
      });
      await signIn('/fresh');
      expect((await navigate('/fresh')).status).toBe(200);
      const theme = await navigate('/theme', JSON_ACCEPT);
      expect(JSON.parse(theme.text)).toEqual({ cookies: ['wos-reauth', 'wos-session'] });
      expect(theme.headers.getSetCookie()).toEqual([expect.stringMatching(/^theme=dark/)]);

      await rig.advanceClock(400);
      // The guard's refreshed session and the app's own cookie, in one response.
      const refreshed = await navigate('/theme', JSON_ACCEPT);
      expect(refreshed.status).toBe(200);
      expect(cookieNamed(refreshed, 'wos-session')).toBeDefined();
      expect(cookieNamed(refreshed, 'theme')).toMatch(/^theme=dark/);
      await rig.advanceClock(400);
      const stale = await navigate('/fresh');
      expect(stale.status).toBe(302);
      expect(stale.headers.getSetCookie()).toHaveLength(2);
    });
  });

  describe('forms', () => {
    it('restores a form post’s action with Nest’s own form parser', async () => {
      await start();
      await restoresTheTransfer();
    });

    it('restores a form post’s action with @fastify/formbody (Nest’s parser off)', async () => {
      await start({
        bodyParser: false,
        configure: async (nest) => {
          await (nest as NestFastifyApplication).register(formBody);
        },
      });
      await restoresTheTransfer();
      // And a fresh post goes through to the handler with the parsed body.
      const done = await browser.request(app('/transfer'), {
        method: 'POST',
        form: { amount: '7', to: 'checking' },
        headers: { ...JSON_ACCEPT, origin: rig.url },
      });
      expect(done.status).toBe(201);
      expect(JSON.parse(done.text)).toEqual({ done: true, amount: '7', to: 'checking' });
    });

    it('without any form parser, Fastify refuses a form post with 415 before the guard', async () => {
      await start({ bodyParser: false });
      await signIn('/form');
      await rig.advanceClock(301);
      const posted = await browser.request(app('/transfer'), {
        method: 'POST',
        form: { amount: '125', to: 'savings' },
        headers: { ...HTML, referer: app('/form'), origin: rig.url },
      });
      expect(posted.status).toBe(415);
    });

    async function restoresTheTransfer(): Promise<void> {
      await signIn('/form');
      await rig.advanceClock(301);
      const posted = await browser.request(app('/transfer'), {
        method: 'POST',
        form: { amount: '125', to: 'savings' },
        headers: { ...HTML, referer: app('/form'), origin: rig.url },
      });
      expect(posted.status).toBe(303);
      expect((await stateOf(posted.location!)).returnTo).toBe('/form');
      const back = await callback(await rig.authenticateAt(browser, posted.location!));
      expect(back.location).toBe(app('/form'));
      const restored = await navigate('/form', JSON_ACCEPT);
      expect(JSON.parse(restored.text)).toEqual({ restored: { amount: '125', to: 'savings' } });
      expect(JSON.parse((await navigate('/form', JSON_ACCEPT)).text)).toEqual({ restored: null });
    }
  });

  describe('confirmation inside the page', () => {
    beforeEach(() => start({ reauth: { stepUp: { password: true } } }));

    const json = async (method: string, path: string, body?: unknown) => {
      const res = await send(
        app(path),
        method,
        {
          ...JSON_ACCEPT,
          origin: rig.url,
          cookie: await browser.jar.getCookieString(app(path)),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body === undefined ? undefined : JSON.stringify(body),
      );
      for (const cookie of res.headers.getSetCookie())
        await browser.jar.setCookie(cookie, app(path));
      return { status: res.status, headers: res.headers, body: JSON.parse(res.text || '{}') };
    };

    it('confirms a password in the page and lets the retried request through', async () => {
      await signIn();
      await rig.advanceClock(400);
      const refused = await json('GET', '/fresh');
      expect(refused.status).toBe(401);
      const { ticket, methods } = refused.body.stepUp as { ticket: string; methods: unknown[] };
      expect(methods).toEqual([
        { kind: 'password', confirmUrl: '/auth/step-up/password' },
        { kind: 'provider', url: refused.body.reauthUrl },
      ]);
      const wrong = await json('POST', '/auth/step-up/password', { ticket, password: 'nope' });
      expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_credentials']);
      expect(wrong.headers.get('cache-control')).toBe('no-store');
      const confirmed = await json('POST', '/auth/step-up/password', {
        ticket,
        password: 'alice-password',
      });
      expect(confirmed.body).toMatchObject({ status: 'confirmed', method: 'password' });
      expect((await json('GET', '/fresh')).status).toBe(200);
      const status = await json('GET', '/auth/step-up');
      expect(Object.keys(status.body.factors as object).sort()).toEqual(['password', 'provider']);
      expect((await json('DELETE', '/auth/passkeys/x')).status).toBe(404);
    });
  });

  describe('the routes the module mounts', () => {
    beforeEach(() => start());

    it('login: 302 to the provider with the binding cookie, returnTo kept or replaced', async () => {
      const res = await navigate('/auth/login?returnTo=%2Ffresh%3Ftab%3D2');
      expect(res.status).toBe(302);
      expect(res.location!.startsWith(rig.emulator!.url)).toBe(true);
      expect(cookieNamed(res, 'wos-reauth')).toMatch(/HttpOnly; SameSite=Lax/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect((await stateOf(res.location!)).returnTo).toBe('/fresh?tab=2');

      for (const unsafe of ['//evil.example/', 'https://evil.example/', '/caf\u00e9', '/a/../b']) {
        const refused = await navigate(`/auth/login?returnTo=${encodeURIComponent(unsafe)}`);
        expect(refused.status).toBe(302);
        expect((await stateOf(refused.location!)).returnTo).toBe('/');
      }
      const back = await callback(await rig.authenticateAt(browser, res.location!));
      expect(back.status).toBe(303);
      expect(back.location).toBe(app('/fresh?tab=2'));
    });

    it('answers HEAD requests as GET ones, without a body', async () => {
      const login = await send(app('/auth/login?returnTo=%2Ffresh'), 'HEAD', HTML);
      expect(login.status).toBe(302);
      expect(login.headers.getSetCookie()).toHaveLength(1);
      expect(login.text).toBe('');

      const page = await send(app('/fresh'), 'HEAD', HTML);
      expect(page.status).toBe(302);
      expect(new URL(page.headers.get('location')!).searchParams.get('max_age')).toBe('300');
      const api = await send(app('/fresh'), 'HEAD', JSON_ACCEPT);
      expect(api.status).toBe(401);
      expect(api.headers.get('www-authenticate')).toBe('Bearer');
      expect(api.text).toBe('');

      const failed = await send(app('/auth/callback?state=not-a-state'), 'HEAD', HTML);
      expect(failed.status).toBe(400);
      expect(failed.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(failed.text).toBe('');
    });

    it('logout: clears the cookie and goes to the provider; refuses other sites', async () => {
      await signIn();
      const foreign = await browser.request(app('/auth/logout'), {
        method: 'POST',
        headers: { ...HTML, origin: 'https://evil.example' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(foreign.text).toContain('cross_origin');
      expect(foreign.headers.getSetCookie()).toEqual([]);

      // A sign-out form: url-encoded, parsed by Nest's parser.
      const out = await browser.request(app('/auth/logout'), {
        method: 'POST',
        form: {},
        headers: { ...HTML, origin: rig.url },
      });
      expect(out.status).toBe(303);
      expect(out.location!.startsWith(rig.emulator!.url)).toBe(true);
      expect(out.headers.getSetCookie().join()).toMatch(/wos-session=; Max-Age=0/);
      expect(out.headers.get('cache-control')).toBe('no-store');
      expect((await navigate('/form', JSON_ACCEPT)).status).toBe(401);

      const again = await browser.request(app('/auth/logout'), {
        method: 'POST',
        headers: { origin: rig.url },
      });
      expect(again.status).toBe(303);
      expect(again.location).toBe(`${rig.url}/`);
    });

    it('popup mode: the callback answers a page with a CSP nonce that tells the opener', async () => {
      await signIn();
      await rig.advanceClock(301);
      const asked = await browser.get(app('/fresh'), {
        ...JSON_ACCEPT,
        'x-reauth-mode': 'popup',
      });
      expect(asked.status).toBe(401);
      expect(asked.headers.get('vary')).toContain('X-Reauth-Mode');
      const reauthUrl = (JSON.parse(asked.text) as { reauthUrl: string }).reauthUrl;
      expect((await stateOf(reauthUrl)).mode).toBe('popup');

      const page = await callback(await rig.authenticateAt(browser, reauthUrl));
      expect(page.status).toBe(200);
      expect(page.location).toBeUndefined();
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-store');
      const csp = page.headers.get('content-security-policy')!;
      const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.text).toContain(`<script nonce="${nonce}">`);
      expect(page.text).toContain('data-status="ok"');
      expect(page.text).toContain(JSON.stringify(rig.url));
      expect(cookieNamed(page, 'wos-session')).toBeDefined();
      expect((await navigate('/fresh')).status).toBe(200);
    });

    it('popup mode: a cancel at the provider is reported to the opener, not redirected', async () => {
      await signIn();
      await rig.advanceClock(301);
      const asked = await browser.get(app('/fresh'), {
        ...JSON_ACCEPT,
        'x-reauth-mode': 'popup',
      });
      const reauthUrl = (JSON.parse(asked.text) as { reauthUrl: string }).reauthUrl;
      const page = await callback(await rig.cancelAt(browser, reauthUrl));
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-status="cancelled"');
    });
  });
});

/** A module the app may have installed, or `undefined`. */
