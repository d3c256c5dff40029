import { Logger } from '@nestjs/common';
import { unsealState } from '../core';
import {
  AccountRoutes,
  ACR,
  ALICE,
  delivered,
  edgeFixture,
  graphqlContext,
  httpContext,
  httpHost,
  recordedResponse,
  request,
  SID,
  T0,
  T0_SECONDS,
  type AccountHandler,
  type EdgeFixture,
  type GuardedRequest,
  type RecordedResponse,
} from '../flow/edge-fixture.spec.helper';
import { ReauthGraphQLError } from '../graphql/reauth-graphql.error';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import type { ReauthRefusal } from '../exceptions/reauth-refusal';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { RefusalReports } from '../flow/refusal-reports';
import { DownstreamChallengeException } from '../challenges/downstream-challenge.exception';
import { ReauthExceptionFilter } from './reauth-exception.filter';

const CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required"';
const VARY = 'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With, X-Reauth-Mode, X-Reauth-Id';
const JSON_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': expect.stringMatching(
    /^default-src 'none'; style-src 'nonce-[\w+/]{22}=='; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
  ),
  'referrer-policy': 'no-referrer',
  'content-type': 'text/html; charset=utf-8',
  'content-language': 'en',
};
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const NAVIGATE = { ...HTML, 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin' };
const BINDING = /^wos-reauth=[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/;
/** The fake provider's authorization URL for a `max_age`. */
const authorizeUrl = (maxAge: number) =>
  new RegExp(`^https://idp\\.test/authorize\\?state=[\\w.-]+&max_age=${maxAge}$`);

describe('ReauthExceptionFilter', () => {
  let fixture: EdgeFixture;

  beforeEach(async () => {
    fixture = await edgeFixture();
  });
  afterEach(() => fixture.close());

  const stale = { authTime: T0_SECONDS - 400 };

  /** What the real guard throws for `req` on `handler`. */
  async function refusal(handler: AccountHandler, req: GuardedRequest): Promise<ReauthRefusal> {
    const error = await fixture
      .guard()
      .canActivate(httpContext(AccountRoutes, handler, req))
      .then(
        () => new Error(`the guard let ${handler} through`),
        (thrown: unknown) => thrown,
      );
    if (
      !(error instanceof ReauthRequiredException) &&
      !(error instanceof ReauthForbiddenException) &&
      !(error instanceof ReauthUnavailableException)
    ) {
      throw error;
    }
    return error;
  }

  /** The filter's answer to `exception` for `req`. */
  async function answer(exception: ReauthRefusal, req: GuardedRequest): Promise<RecordedResponse> {
    const res = recordedResponse();
    expect(await fixture.filter().catch(exception, httpHost(req, res))).toBeUndefined();
    return res;
  }

  /** The guard's refusal of `req` on `handler`, answered by the filter. */
  async function refused(handler: AccountHandler, req: GuardedRequest): Promise<RecordedResponse> {
    return answer(await refusal(handler, req), req);
  }

  /** A JSON answer: `body` exactly, with its `statusCode` as the status. */
  function expectJson(
    res: RecordedResponse,
    body: { statusCode: number; [key: string]: unknown },
  ): void {
    expect(res.status).toBe(body.statusCode);
    expect(res.body).toStrictEqual(body);
  }

  function page(res: RecordedResponse): string {
    expect(typeof res.body).toBe('string');
    return res.body as string;
  }

  describe('the JSON 401', () => {
    it('stale: the body, the RFC 9470 challenge, no-store and the binding cookie', async () => {
      const res = await refused(
        'fresh',
        request('GET', '/account/fresh', await fixture.bearer(stale)),
      );
      expectJson(res, {
        statusCode: 401,
        error: 'reauth_required',
        reason: 'stale',
        message: 'More recent authentication is required.',
        maxAge: 300,
        authTime: T0_SECONDS - 400,
        acrValues: undefined,
        reauthUrl: expect.stringMatching(authorizeUrl(300)),
      });
      expect(res.headers).toEqual({
        ...JSON_HEADERS,
        vary: VARY,
        'www-authenticate': `${CHALLENGE}, max_age="300"`,
        'set-cookie': [expect.stringMatching(BINDING)],
      });
      expect(res.location).toBeUndefined();
    });

    it('never carries the token, the user or the session', async () => {
      const headers = await fixture.bearer(stale);
      const res = await refused('fresh', request('GET', '/account/fresh', headers));
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(headers.authorization.slice(7));
      expect(text).not.toContain(ALICE);
      expect(text).not.toContain(SID);
    });

    it('unauthenticated: a bare Bearer challenge (RFC 6750 §3.1)', async () => {
      const res = await refused('fresh', request('GET', '/account/fresh'));
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toMatchObject({ reason: 'unauthenticated', maxAge: 300 });
    });

    it('unauthenticated on a @RequireSignIn() route: no max_age anywhere', async () => {
      const res = await refused('profile', request('GET', '/account/profile'));
      const body = res.body as { reauthUrl: string; maxAge?: number };
      expect(body).toMatchObject({
        reason: 'unauthenticated',
        message: 'Authentication is required.',
      });
      expect(body.maxAge).toBeUndefined();
      expect(new URL(body.reauthUrl).searchParams.get('max_age')).toBeNull();
    });

    it('invalid_token: the invalid_token challenge', async () => {
      const req = request('GET', '/account/fresh', await fixture.bearer({ forged: true }));
      const res = await refused('fresh', req);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="The access token is invalid"',
      );
      expect(res.body).toMatchObject({
        reason: 'invalid_token',
        message: 'The access token is invalid.',
      });
    });

    it('missing_auth_time: the challenge with max_age, and no authTime', async () => {
      const req = request('GET', '/account/fresh', await fixture.bearer({ authTime: undefined }));
      const res = await refused('fresh', req);
      expect(res.headers['www-authenticate']).toBe(`${CHALLENGE}, max_age="300"`);
      expect(res.body).toMatchObject({
        reason: 'missing_auth_time',
        message: 'The access token does not say when the user last signed in.',
      });
      expect((res.body as { authTime?: number }).authTime).toBeUndefined();
    });

    it('insufficient_assurance: the challenge with its description, max_age and acr_values', async () => {
      const res = await refused(
        'strong',
        request('GET', '/account/strong', await fixture.bearer()),
      );
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_user_authentication", error_description="A stronger authentication is required", max_age="300", acr_values="${ACR}"`,
      );
      expect(res.body).toMatchObject({
        reason: 'insufficient_assurance',
        message: 'A stronger authentication is required.',
        maxAge: 300,
        authTime: T0_SECONDS,
        acrValues: [ACR],
      });
      expect(fixture.provider.authorizations).toEqual([
        expect.objectContaining({ maxAge: 300, acrValues: [ACR] }),
      ]);
    });

    it('max_age 0: the challenge says max_age="0"', async () => {
      const res = await refused(
        'remove',
        request('POST', '/account/remove', await fixture.bearer()),
      );
      expect(res.headers['www-authenticate']).toBe(`${CHALLENGE}, max_age="0"`);
      expect(res.body).toMatchObject({ reason: 'stale', maxAge: 0, authTime: T0_SECONDS });
    });

    it('starts the re-authentication for the user who asked, with their email as login_hint', async () => {
      const req = request('GET', '/account/fresh', {
        ...(await fixture.cookie({ ...stale, email: 'alice@example.test' })),
        accept: 'application/json',
      });
      await refused('fresh', req);
      expect(fixture.provider.authorizations).toEqual([
        expect.objectContaining({ maxAge: 300, loginHint: 'alice@example.test' }),
      ]);
    });
  });

  describe('content negotiation', () => {
    it.each([
      ['Accept: text/html', 'GET', 302, HTML],
      ['Sec-Fetch-Mode: navigate', 'GET', 302, { 'sec-fetch-mode': 'navigate' }],
      ['a HEAD navigation', 'HEAD', 302, HTML],
      ['a form POST navigation', 'POST', 303, NAVIGATE],
    ])('redirects %s (%s) with %d to the re-auth URL', async (_label, method, status, headers) => {
      const req = request(method, '/account/fresh', headers);
      const res = await refused('fresh', req);
      expect(res.status).toBe(status);
      expect(res.location).toMatch(authorizeUrl(300));
      expect(res.body).toBeUndefined();
      expect(res.headers).toEqual({
        ...JSON_HEADERS,
        vary: VARY,
        'set-cookie': [expect.stringMatching(BINDING)],
      });
    });

    it.each([
      ['Accept: application/json', { accept: 'application/json' }],
      ['Accept: */*', { accept: '*/*' }],
      ['no Accept', {}],
      ['an XHR asking for HTML', { ...HTML, 'x-requested-with': 'XMLHttpRequest' }],
      ['a script’s fetch asking for HTML', { ...HTML, 'sec-fetch-mode': 'cors' }],
    ])('answers %s with the JSON 401', async (_label, headers) => {
      const res = await refused('fresh', request('GET', '/account/fresh', headers));
      expect(res.status).toBe(401);
      expect(res.location).toBeUndefined();
      expect(res.body).toMatchObject({ error: 'reauth_required', reason: 'unauthenticated' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers a Bearer client with JSON even when it looks like a navigation', async () => {
      const headers = { ...(await fixture.bearer(stale)), ...NAVIGATE };
      const res = await refused('fresh', request('GET', '/account/fresh', headers));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`${CHALLENGE}, max_age="300"`);
    });

    it('offers a choice instead of a redirect to a user back from cancelling', async () => {
      const req = request('GET', '/account/fresh?reauth=cancelled', {
        ...(await fixture.cookie(stale)),
        ...HTML,
      });
      const res = await refused('fresh', req);
      expect(res.status).toBe(401);
      expect(res.location).toBeUndefined();
      expect(res.headers).toEqual({
        ...PAGE_HEADERS,
        vary: `${VARY}, Accept-Language`,
        'set-cookie': [expect.stringMatching(BINDING)],
      });
      const html = page(res);
      expect(html).toContain('<h1>Confirm it’s you to continue</h1>');
      expect(html).toContain('<code>reauth_required</code>');
      const again = /id="reauthenticate" href="([^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
      expect(again).toMatch(authorizeUrl(300));
      expect(html).toContain('<a id="leave" href="/">Go to the start page</a>');
    });

    it('names the bound action to a user back from cancelling its confirmation, escaped', async () => {
      const req = request('POST', '/transfers?reauth=cancelled', {
        ...(await fixture.cookie(stale)),
        ...NAVIGATE,
      });
      const exception = new ReauthRequiredException({
        reason: 'stale',
        maxAge: 0,
        sub: ALICE,
        route: 'transfers:T.send#ZGlnZXN0',
        boundAction: {
          digest: 'ZGlnZXN0',
          summary: 'Transfer 50 EUR to <img src=x onerror=alert(1)>',
          fields: { amount: 50, payee: '<img src=x onerror=alert(1)>' },
        },
      });
      const html = page(await answer(exception, req));
      expect(html).toContain('<h1>Confirm it’s you to continue</h1>');
      expect(html).toContain(
        '<p id="action">You are confirming: <strong>Transfer 50 EUR to &lt;img src=x onerror=alert(1)&gt;</strong></p>',
      );
      expect(html).not.toContain('<img');
    });

    it('keeps a browser form’s action in the state it starts, to restore on the form’s page', async () => {
      const req = request('POST', '/account/transfer', {
        ...(await fixture.cookie(stale)),
        ...NAVIGATE,
        referer: 'http://app.test/form',
      });
      req.body = { amount: '10', to: 'savings' };
      const res = await refused('transfer', req);
      expect(res.status).toBe(303);
      const sealed = new URL(res.location!).searchParams.get('state')!;
      const state = await unsealState(
        sealed,
        'a-cookie-password-of-at-least-32-characters',
        T0_SECONDS,
      );
      expect(state).toMatchObject({
        action: { amount: '10', to: 'savings' },
        sub: ALICE,
        sid: SID,
        maxAge: 300,
        returnTo: '/form',
      });
    });

    it.each([
      ['larger than 2 KB', { note: 'x'.repeat(3000) }, 'action_too_large'],
      ['not plain JSON', { when: new Date(T0) }, 'action_invalid'],
    ])('answers a form whose action is %s with a 413 page', async (_label, body, code) => {
      const req = request('POST', '/account/transfer', {
        ...(await fixture.cookie(stale)),
        ...NAVIGATE,
      });
      req.body = body;
      const res = await refused('transfer', req);
      expect(res.status).toBe(413);
      expect(res.location).toBeUndefined();
      expect(res.headers).toMatchObject(PAGE_HEADERS);
      const html = page(res);
      expect(html).toContain('<h1>This form is too large to keep</h1>');
      expect(html).toContain(`<code>${code}</code>`);
      expect(html).toContain('<a id="continue" href="/">Continue</a>');
    });
  });

  describe('the 403', () => {
    it('answers a script with the JSON body', async () => {
      const exception = new ReauthForbiddenException('cross_site_request');
      const res = await answer(exception, request('POST', '/account/transfer'));
      expectJson(res, {
        statusCode: 403,
        error: 'reauth_forbidden',
        reason: 'cross_site_request',
        message: 'This request must come from the application’s own pages.',
      });
      expect(res.headers).toEqual({ ...JSON_HEADERS, vary: 'Accept, Sec-Fetch-Mode' });
    });

    it('answers another site’s form with a page, never a redirect, and logs it', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const req = request('POST', '/account/transfer', {
        ...(await fixture.cookie(stale)),
        ...NAVIGATE,
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.test',
      });
      const res = await refused('transfer', req);
      expect(res.status).toBe(403);
      expect(res.location).toBeUndefined();
      expect(res.headers).toEqual({
        ...PAGE_HEADERS,
        vary: 'Accept, Sec-Fetch-Mode, Accept-Language',
      });
      const html = page(res);
      expect(html).toContain('<h1>Request refused</h1>');
      expect(html).toContain('<p>This request must come from the application’s own pages.</p>');
      expect(html).toContain('<code>cross_site_request</code>');
      expect(html).toContain('<a id="continue" href="/">Continue</a>');
      expect(warn).toHaveBeenCalledWith('Refused POST with 403: cross_site_request');
      expect(fixture.provider.authorizations).toEqual([]);
    });

    it.each([
      ['de', 'Anfrage abgelehnt', 'Weiter'],
      ['fr-CA,fr;q=0.9', 'Requête refusée', 'Continuer'],
      ['es', 'Solicitud rechazada', 'Continuar'],
    ])(
      'answers Accept-Language %s with the page in its language',
      async (language, title, link) => {
        const req = request('POST', '/account/transfer', {
          ...(await fixture.cookie(stale)),
          ...NAVIGATE,
          'sec-fetch-site': 'cross-site',
          'accept-language': language,
        });
        const res = await answer(new ReauthForbiddenException('cross_site_request'), req);
        const html = page(res);
        const tag = language.slice(0, 2);
        expect(res.headers['content-language']).toBe(tag);
        expect(html).toContain(`<html lang="${tag}">`);
        expect(html).toContain(`<h1>${title}</h1>`);
        expect(html).toContain(`<a id="continue" href="/">${link}</a>`);
        // The JSON body of the same refusal stays in English: it is for programs.
        expect(new ReauthForbiddenException('cross_site_request').getResponse()).toMatchObject({
          message: 'This request must come from the application’s own pages.',
        });
      },
    );

    it('impersonation_not_allowed: its own title and message', async () => {
      const acting = await fixture.bearer({ claims: { act: { sub: 'user_support' } } });
      const json = await refused('fresh', request('GET', '/account/fresh', acting));
      expect(json.body).toStrictEqual({
        statusCode: 403,
        error: 'reauth_forbidden',
        reason: 'impersonation_not_allowed',
        message:
          'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
      });
      const exception = new ReauthForbiddenException('impersonation_not_allowed');
      const html = page(await answer(exception, request('GET', '/account/fresh', NAVIGATE)));
      expect(html).toContain('<h1>Not while acting as this user</h1>');
      expect(html).toContain('<code>impersonation_not_allowed</code>');
    });
  });

  describe('the 502 of a downstream challenge not relayed', () => {
    const unsatisfiable = () =>
      new DownstreamChallengeException('unsatisfiable', 'asks for the scope "x"');
    const refusedDownstream = (req: GuardedRequest) =>
      answer(unsatisfiable() as unknown as ReauthRefusal, req);

    it('is caught by the filter, so Nest answers it here', () => {
      expect(Reflect.getMetadata('__filterCatchExceptions__', ReauthExceptionFilter)).toContain(
        DownstreamChallengeException,
      );
    });

    it('answers a script with the JSON body, never cached', async () => {
      const res = await refusedDownstream(request('GET', '/bff/files'));
      expectJson(res, {
        statusCode: 502,
        error: 'downstream_challenge_refused',
        reason: 'unsatisfiable',
        message:
          'A service this request depends on asks for a kind of sign-in this application cannot provide.',
      });
      expect(res.headers).toEqual({ ...JSON_HEADERS, vary: 'Accept, Sec-Fetch-Mode' });
    });

    it.each([
      ['en', 'A service this page depends on refused', 'Continue'],
      ['de', 'Ein benötigter Dienst hat abgelehnt', 'Weiter'],
      ['fr', 'Un service nécessaire a refusé', 'Continuer'],
      ['es', 'Un servicio necesario se ha negado', 'Continuar'],
    ])(
      'answers a navigation in %s with a page, never the detail',
      async (language, title, link) => {
        const req = request('GET', '/bff/files', { ...NAVIGATE, 'accept-language': language });
        const res = await refusedDownstream(req);
        expect(res.status).toBe(502);
        expect(res.headers).toEqual({
          ...PAGE_HEADERS,
          'content-language': language,
          vary: 'Accept, Sec-Fetch-Mode, Accept-Language',
        });
        const html = page(res);
        expect(html).toContain(`<h1>${title}</h1>`);
        expect(html).toContain('<code>downstream_challenge_refused: unsatisfiable</code>');
        expect(html).toContain(`<a id="continue" href="/">${link}</a>`);
        expect(html).not.toContain('scope');
      },
    );
  });

  describe('the 503', () => {
    const BODY = {
      statusCode: 503,
      error: 'reauth_unavailable',
      message: 'Authentication is temporarily unavailable. Try again shortly.',
    };

    it('a store that fails: the body, Retry-After and no-store, and a log line', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(fixture.store, 'get').mockRejectedValue(new Error('store down'));
      const res = await refused('fresh', request('GET', '/account/fresh', await fixture.bearer()));
      expectJson(res, BODY);
      expect(res.headers).toEqual({ ...JSON_HEADERS, 'retry-after': '5' });
      expect(warn).toHaveBeenCalledWith('Authentication unavailable: store failed with Error');
      await delivered();
      expect(fixture.events).toEqual([
        expect.objectContaining({ type: 'store.unavailable', effect: 'refused' }),
      ]);
    });

    it('is JSON for a browser navigation too', async () => {
      fixture.failJwks();
      const req = request('GET', '/account/fresh', { ...(await fixture.cookie()), ...NAVIGATE });
      const res = await refused('fresh', req);
      expectJson(res, BODY);
      expect(res.headers['retry-after']).toBe('5');
    });

    it('keeps a session refreshed just before the failure', async () => {
      const session = await fixture.cookie();
      fixture.clock.advance(3700);
      // The refresh spent the old refresh token, and its new token does not verify.
      const refreshed = await fixture.provider.issue(fixture.signedIn({ forged: true }));
      jest.spyOn(fixture.provider, 'refresh').mockResolvedValue(refreshed);
      const req = request('GET', '/account/profile', session);
      const exception = await refusal('profile', req);
      expect(exception).toMatchObject({ dependency: 'jwks' });
      const res = await answer(exception, req);
      expect(res.status).toBe(503);
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(new RegExp(`^wos-session=${refreshed.sealed};`)),
      ]);
    });

    it('an unexpected error while starting the re-authentication, keeping its cause', async () => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const unavailable = jest.spyOn(fixture.moduleRef.get(RefusalReports), 'unavailable');
      const down = new Error('ECONNREFUSED');
      fixture.provider.failAuthorization = down;
      const res = await refused(
        'fresh',
        request('GET', '/account/fresh', await fixture.bearer(stale)),
      );
      expectJson(res, BODY);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['www-authenticate']).toBeUndefined();
      const [[reported]] = unavailable.mock.calls;
      expect(reported).toBeInstanceOf(ReauthUnavailableException);
      expect(reported).toMatchObject({ dependency: 'workos', cause: down });
    });
  });

  describe('the reauth.required event', () => {
    it('names the reason, user, session, route and max_age, never the token', async () => {
      await refused('fresh', request('GET', '/account/fresh', await fixture.bearer(stale)));
      await delivered();
      const required = fixture.events.filter((event) => event.type === 'reauth.required');
      expect(required).toStrictEqual([
        {
          type: 'reauth.required',
          reason: 'stale',
          userId: ALICE,
          sessionId: SID,
          route: 'account:AccountRoutes.fresh',
          maxAge: 300,
          acrValues: undefined,
          time: new Date(T0),
        },
      ]);
      expect(fixture.events).toContainEqual(
        expect.objectContaining({
          type: 'reauth.started',
          userId: ALICE,
          route: 'account:AccountRoutes.fresh',
          mode: 'redirect',
        }),
      );
    });

    it('carries the acr values, and no user for an anonymous request', async () => {
      await refused('strong', request('GET', '/account/strong'));
      await delivered();
      expect(fixture.events.find((event) => event.type === 'reauth.required')).toStrictEqual({
        type: 'reauth.required',
        reason: 'unauthenticated',
        userId: undefined,
        sessionId: undefined,
        route: 'account:AccountRoutes.strong',
        maxAge: 300,
        acrValues: [ACR],
        time: new Date(T0),
      });
    });

    it('starts a popup re-authentication for the browser helper’s X-Reauth-Mode', async () => {
      const req = request('GET', '/account/fresh', {
        ...(await fixture.bearer(stale)),
        'x-reauth-mode': 'popup',
      });
      await refused('fresh', req);
      await delivered();
      expect(fixture.events).toContainEqual(
        expect.objectContaining({ type: 'reauth.started', mode: 'popup' }),
      );
    });
  });

  describe('a GraphQL host', () => {
    const graphqlRequest = (headers: Record<string, string> = {}) =>
      request('POST', '/graphql', { 'content-type': 'application/json', ...headers });

    it('gets REAUTH_REQUIRED with the re-auth URL, and the challenge on its response', async () => {
      const req = graphqlRequest(await fixture.bearer(stale));
      const exception = await refusal('strong', req);
      const res = recordedResponse();
      const error = await fixture
        .filter()
        .catch(exception, graphqlContext(AccountRoutes, 'strong', { req, res }));
      expect(error).toBeInstanceOf(ReauthGraphQLError);
      expect(error).toMatchObject({
        name: 'ReauthGraphQLError',
        message: 'More recent authentication is required.',
        cause: exception,
      });
      expect((error as ReauthGraphQLError).extensions).toStrictEqual({
        code: 'REAUTH_REQUIRED',
        reason: 'stale',
        maxAge: 300,
        acrValues: [ACR],
        reauthUrl: expect.stringMatching(authorizeUrl(300)),
      });
      expect(res.status).toBeUndefined();
      expect(res.headers).toEqual({
        'set-cookie': [expect.stringMatching(BINDING)],
        'www-authenticate': [`${CHALLENGE}, max_age="300", acr_values="${ACR}"`],
        'cache-control': 'no-store',
      });
    });

    it('reports one refusal per GraphQL request, however many fields it refuses', async () => {
      const req = graphqlRequest(await fixture.bearer(stale));
      const exception = await refusal('fresh', req);
      const host = graphqlContext(AccountRoutes, 'fresh', { req, res: recordedResponse() });
      const [first, second] = await Promise.all([
        fixture.filter().catch(exception, host),
        fixture.filter().catch(exception, host),
      ]);
      expect((first as ReauthGraphQLError).extensions.reauthUrl).toBe(
        (second as ReauthGraphQLError).extensions.reauthUrl,
      );
      await delivered();
      expect(fixture.events.filter((event) => event.type === 'reauth.required')).toHaveLength(1);
    });

    it('gets REAUTH_FORBIDDEN with its reason', async () => {
      const req = graphqlRequest();
      const exception = new ReauthForbiddenException('impersonation_not_allowed');
      const error = await fixture
        .filter()
        .catch(exception, graphqlContext(AccountRoutes, 'fresh', { req }));
      expect(error).toMatchObject({
        message:
          'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
        extensions: { code: 'REAUTH_FORBIDDEN', reason: 'impersonation_not_allowed' },
        cause: exception,
      });
    });

    it('gets DOWNSTREAM_CHALLENGE_REFUSED with its reason, and no-store on its response', async () => {
      const req = graphqlRequest();
      const res = recordedResponse();
      const exception = new DownstreamChallengeException('loop', 'asked again');
      const error = await fixture
        .filter()
        .catch(exception, graphqlContext(AccountRoutes, 'fresh', { req, res }));
      expect(error).toBeInstanceOf(ReauthGraphQLError);
      expect(error).toMatchObject({
        message: 'A service this request depends on still refuses the sign-in it asked for.',
        extensions: { code: 'DOWNSTREAM_CHALLENGE_REFUSED', reason: 'loop' },
        cause: exception,
      });
      expect(res.headers).toEqual({ 'cache-control': 'no-store' });
    });

    it('gets REAUTH_UNAVAILABLE, with Retry-After on its response', async () => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const req = graphqlRequest();
      const res = recordedResponse();
      const exception = new ReauthUnavailableException('store', { cause: new Error('down') });
      const error = await fixture
        .filter()
        .catch(exception, graphqlContext(AccountRoutes, 'fresh', { req, res }));
      expect(error).toBeInstanceOf(ReauthGraphQLError);
      expect((error as ReauthGraphQLError).extensions).toStrictEqual({
        code: 'REAUTH_UNAVAILABLE',
      });
      expect(res.headers).toEqual({ 'retry-after': '5' });
    });

    it('gets REAUTH_REQUIRED without a re-auth URL when its context has no request', async () => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const exception = await refusal('fresh', request('GET', '/account/fresh'));
      const error = await fixture
        .filter()
        .catch(exception, graphqlContext(AccountRoutes, 'fresh', { user: ALICE }));
      expect((error as ReauthGraphQLError).extensions).toStrictEqual({
        code: 'REAUTH_REQUIRED',
        reason: 'unauthenticated',
        maxAge: 300,
      });
    });
  });
});
