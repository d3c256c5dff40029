import { Controller, Logger, type ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { RequestAuthenticator } from '../authentication/request-authenticator';
import { SessionRevocations } from '../authentication/session-revocations';
import { RequireRecentAuth } from '../decorators/require-recent-auth.decorator';
import { ROUTE_CHECK, wasChecked } from '../decorators/route-check';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import {
  ReauthRequiredException,
  type ReauthRequiredDetails,
} from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import {
  AccountRoutes,
  ACR,
  ALICE,
  edgeFixture,
  graphqlContext,
  httpContext,
  recordedResponse,
  request,
  SID,
  T0_SECONDS,
  type AccountHandler as Handler,
  type EdgeFixture,
  type GuardedRequest,
  type RecordedResponse,
} from '../flow/edge-fixture.spec.helper';
import { ReauthRecords, sessionKeyOf } from '../flow/reauth-records';
import { ReauthGraphQLError } from '../graphql/reauth-graphql.error';

@Controller('strict')
@RequireRecentAuth(600)
class StrictRoutes {
  inherits(): void {}

  @RequireRecentAuth(120)
  overrides(): void {}
}

const MESSAGES = {
  stale: 'More recent authentication is required.',
  missing_auth_time: 'The access token does not say when the user last signed in.',
  unauthenticated: 'Authentication is required.',
  invalid_token: 'The access token is invalid.',
  insufficient_assurance: 'A stronger authentication is required.',
} as const;

describe('RecentAuthGuard', () => {
  let fixture: EdgeFixture;

  beforeEach(async () => {
    fixture = await edgeFixture({ trustedOrigins: ['https://admin.test'] });
  });
  afterEach(() => fixture.close());

  /** Runs the guard for `handler`; resolves to what it answered, or to what it threw. */
  function check(
    handler: Handler,
    req: GuardedRequest,
    res: RecordedResponse = recordedResponse(),
  ): Promise<unknown> {
    return guardFor(httpContext(AccountRoutes, handler, req, res));
  }

  function guardFor(context: ExecutionContext): Promise<unknown> {
    return fixture
      .guard()
      .canActivate(context)
      .catch((error: unknown) => error);
  }

  function get(headers: Record<string, string> = {}): GuardedRequest {
    return request('GET', '/account/fresh', headers);
  }

  /** The refusal asking for a (re-)authentication, with its public fields and its JSON body. */
  function expectRequired(
    error: unknown,
    expected: Pick<ReauthRequiredDetails, 'reason' | 'maxAge' | 'authTime' | 'acrValues'>,
  ): ReauthRequiredException {
    expect(error).toBeInstanceOf(ReauthRequiredException);
    const exception = error as ReauthRequiredException;
    expect(exception).toMatchObject({
      name: 'ReauthRequiredException',
      code: 'reauth_required',
      reason: expected.reason,
    });
    expect(exception.maxAge).toBe(expected.maxAge);
    expect(exception.authTime).toBe(expected.authTime);
    expect(exception.acrValues).toEqual(expected.acrValues);
    expect(exception.getStatus()).toBe(401);
    expect(exception.getResponse()).toStrictEqual({
      statusCode: 401,
      error: 'reauth_required',
      reason: expected.reason,
      message: MESSAGES[expected.reason],
      maxAge: expected.maxAge,
      authTime: expected.authTime,
      acrValues: expected.acrValues,
    });
    return exception;
  }

  function expectForbidden(error: unknown, reason: ReauthForbiddenException['reason']): void {
    expect(error).toBeInstanceOf(ReauthForbiddenException);
    expect(error).toMatchObject({ name: 'ReauthForbiddenException', code: 'reauth_forbidden' });
    const exception = error as ReauthForbiddenException;
    expect(exception.reason).toBe(reason);
    expect(exception.getStatus()).toBe(403);
    expect(exception.getResponse()).toMatchObject({
      statusCode: 403,
      error: 'reauth_forbidden',
      reason,
    });
  }

  function expectUnavailable(error: unknown, dependency: string): ReauthUnavailableException {
    expect(error).toBeInstanceOf(ReauthUnavailableException);
    expect(error).toMatchObject({
      name: 'ReauthUnavailableException',
      code: 'reauth_unavailable',
      dependency,
    });
    const exception = error as ReauthUnavailableException;
    expect(exception.getStatus()).toBe(503);
    expect(exception.getResponse()).toEqual({
      statusCode: 503,
      error: 'reauth_unavailable',
      message: 'Authentication is temporarily unavailable. Try again shortly.',
    });
    return exception;
  }

  describe('passes', () => {
    it('a fresh Bearer token, setting request.reauth to the verified caller', async () => {
      const req = get(await fixture.bearer());
      expect(await check('fresh', req)).toBe(true);
      expect(req.reauth).toEqual({
        claims: expect.objectContaining({ sub: ALICE, sid: SID, auth_time: T0_SECONDS }),
        source: 'bearer',
        sessionId: SID,
      });
    });

    it('a fresh cookie session, with its user profile', async () => {
      const req = get(await fixture.cookie({ email: 'alice@example.test' }));
      expect(await check('fresh', req)).toBe(true);
      expect(req.reauth).toMatchObject({
        source: 'cookie',
        sessionId: SID,
        user: { id: ALICE, email: 'alice@example.test' },
        claims: { sub: ALICE },
      });
    });

    it('the Bearer token over the session cookie when a request carries both', async () => {
      const stale = await fixture.cookie({ authTime: T0_SECONDS - 3600 });
      const req = get({ ...stale, ...(await fixture.bearer()) });
      expect(await check('fresh', req)).toBe(true);
      expect(req.reauth?.source).toBe('bearer');
    });

    it('any verified token on a @RequireSignIn() route, however old or without auth_time', async () => {
      expect(
        await check('profile', get(await fixture.bearer({ authTime: T0_SECONDS - 86_400 }))),
      ).toBe(true);
      expect(await check('profile', get(await fixture.bearer({ authTime: undefined })))).toBe(true);
    });

    it('a route without a decorator, untouched', async () => {
      const req = get();
      expect(await check('open', req)).toBe(true);
      expect(req.reauth).toBeUndefined();
      expect(wasChecked(req, AccountRoutes.prototype.open)).toBe(false);
    });

    it('the acr and amr a route asks for', async () => {
      expect(await check('strong', get(await fixture.bearer({ acr: ACR })))).toBe(true);
      const amr = await fixture.bearer({ claims: { amr: ['pwd', 'hwk'] } });
      expect(await check('secondFactor', get(amr))).toBe(true);
    });

    it('a session refreshed on the way, sending its new cookie back', async () => {
      const old = await fixture.cookie();
      fixture.clock.advance(3700);
      const refreshed = await fixture.provider.issue(fixture.signedIn());
      jest.spyOn(fixture.provider, 'refresh').mockResolvedValue(refreshed);
      const res = recordedResponse();
      // The sign-in itself is now over an hour old: only the profile route lets it through.
      expect(await check('profile', get(old), res)).toBe(true);
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(new RegExp(`^wos-session=${refreshed.sealed};`)),
      ]);
    });
  });

  describe('the handler’s requirement wins over its controller’s', () => {
    const at = async (age: number) => get(await fixture.bearer({ authTime: T0_SECONDS - age }));
    const strict = async (handler: keyof StrictRoutes, age: number) =>
      guardFor(httpContext(StrictRoutes, handler, await at(age)));

    it('a handler without its own decorator takes the controller’s max_age', async () => {
      expect(await strict('inherits', 500)).toBe(true);
      const error = await strict('inherits', 700);
      expectRequired(error, { reason: 'stale', maxAge: 600, authTime: T0_SECONDS - 700 });
      expect((error as ReauthRequiredException).details.route).toBe('strict:StrictRoutes.inherits');
    });

    it('a handler’s own decorator replaces the controller’s', async () => {
      expect(await strict('overrides', 100)).toBe(true);
      expectRequired(await strict('overrides', 130), {
        reason: 'stale',
        maxAge: 120,
        authTime: T0_SECONDS - 130,
      });
    });
  });

  describe('the clock', () => {
    it('lets a sign-in exactly max_age old through, and refuses it one second later', async () => {
      const { authorization } = await fixture.bearer();
      const req = () => get({ authorization });
      expect(await check('fresh', req())).toBe(true);
      fixture.clock.advance(300);
      expect(await check('fresh', req())).toBe(true);
      fixture.clock.advance(1);
      expectRequired(await check('fresh', req()), {
        reason: 'stale',
        maxAge: 300,
        authTime: T0_SECONDS,
      });
    });

    it('takes an auth_time up to the tolerance (5 s) in the future as now, and not beyond', async () => {
      expect(await check('fresh', get(await fixture.bearer({ authTime: T0_SECONDS + 5 })))).toBe(
        true,
      );
      const error = await check('fresh', get(await fixture.bearer({ authTime: T0_SECONDS + 6 })));
      // A bogus auth_time is never echoed back.
      expectRequired(error, { reason: 'stale', maxAge: 300, authTime: undefined });
    });

    it('follows clockToleranceSeconds', async () => {
      await fixture.close();
      fixture = await edgeFixture({ clockToleranceSeconds: 0 });
      expect(await check('fresh', get(await fixture.bearer()))).toBe(true);
      const error = await check('fresh', get(await fixture.bearer({ authTime: T0_SECONDS + 1 })));
      expectRequired(error, { reason: 'stale', maxAge: 300, authTime: undefined });
    });
  });

  describe('ReauthRequiredException', () => {
    it('unauthenticated: no credentials, with the route and no user', async () => {
      const error = await check('fresh', get());
      const exception = expectRequired(error, { reason: 'unauthenticated', maxAge: 300 });
      expect(exception.details).toStrictEqual({
        reason: 'unauthenticated',
        maxAge: 300,
        route: 'account:AccountRoutes.fresh',
        action: undefined,
        acrValues: undefined,
        amr: undefined,
        explanation: {
          route: 'account:AccountRoutes.fresh',
          reason: 'unauthenticated',
          rules: ['route: maxAge 300'],
          needs: { maxAge: 300 },
          satisfiedBy: ['provider'],
        },
      });
    });

    it('unauthenticated: no credentials on a @RequireSignIn() route, without a max_age', async () => {
      const error = await check('profile', get());
      expectRequired(error, { reason: 'unauthenticated', maxAge: undefined });
      expect((error as ReauthRequiredException).details.route).toBe(
        'account:AccountRoutes.profile',
      );
    });

    it('unauthenticated: a cookie that does not open, which is cleared', async () => {
      const res = recordedResponse();
      const error = await check('fresh', get({ cookie: 'wos-session=tampered' }), res);
      expectRequired(error, { reason: 'unauthenticated', maxAge: 300 });
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(/^wos-session=; Max-Age=0;/),
      ]);
    });

    it.each([
      ['signed with another key', { forged: true }],
      ['of another issuer', { issuer: 'https://evil.test' }],
      ['without a sid', { claims: { sid: undefined } }],
    ])('invalid_token: a Bearer token %s', async (_label, signIn) => {
      const req = get(await fixture.bearer(signIn));
      const exception = expectRequired(await check('fresh', req), {
        reason: 'invalid_token',
        maxAge: 300,
      });
      expect(exception.details.sub).toBeUndefined();
      expect(req.reauth).toBeUndefined();
    });

    it.each(['Bearer not-a-jwt', 'Bearer ', 'Bearer  a.b.c '])(
      'invalid_token: the Authorization header %j',
      async (authorization) => {
        expectRequired(await check('fresh', get({ authorization })), {
          reason: 'invalid_token',
          maxAge: 300,
        });
      },
    );

    it('invalid_token: an expired Bearer token', async () => {
      const { authorization } = await fixture.bearer();
      fixture.clock.advance(3600 + 6);
      expectRequired(await check('profile', get({ authorization })), {
        reason: 'invalid_token',
        maxAge: undefined,
      });
    });

    it('invalid_token: a Bearer token of a session that was signed out', async () => {
      const { authorization } = await fixture.bearer();
      await fixture.moduleRef.get(SessionRevocations).record(SID, 3600);
      expectRequired(await check('fresh', get({ authorization })), {
        reason: 'invalid_token',
        maxAge: 300,
      });
    });

    it('unauthenticated: a cookie of a session that was signed out, which is cleared', async () => {
      const session = await fixture.cookie();
      await fixture.moduleRef.get(SessionRevocations).record(SID, 3600);
      const res = recordedResponse();
      expectRequired(await check('fresh', get(session), res), {
        reason: 'unauthenticated',
        maxAge: 300,
      });
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(/^wos-session=; Max-Age=0;/),
      ]);
    });

    it('unauthenticated: a cookie whose session ended at the provider (its refresh is refused)', async () => {
      const session = await fixture.cookie();
      fixture.clock.advance(3700);
      const res = recordedResponse();
      expectRequired(await check('profile', get(session), res), { reason: 'unauthenticated' });
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(/^wos-session=; Max-Age=0;/),
      ]);
    });

    it('stale: a sign-in older than max_age, naming the user, session and sign-in', async () => {
      const req = get(
        await fixture.cookie({ authTime: T0_SECONDS - 301, email: 'alice@example.test' }),
      );
      const error = await check('fresh', req);
      const exception = expectRequired(error, {
        reason: 'stale',
        maxAge: 300,
        authTime: T0_SECONDS - 301,
      });
      expect(exception.details).toStrictEqual({
        reason: 'stale',
        maxAge: 300,
        authTime: T0_SECONDS - 301,
        sub: ALICE,
        sid: SID,
        loginHint: 'alice@example.test',
        route: 'account:AccountRoutes.fresh',
        action: undefined,
        acrValues: undefined,
        amr: undefined,
        explanation: {
          route: 'account:AccountRoutes.fresh',
          reason: 'stale',
          rules: ['route: maxAge 300'],
          needs: { maxAge: 300 },
          satisfiedBy: ['provider'],
        },
      });
      expect(req.reauth).toBeUndefined();
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['a numeric string', String(T0_SECONDS)],
      ['fractional', T0_SECONDS - 0.5],
      ['negative', -1],
      ['an array', [T0_SECONDS]],
      ['an object', {}],
      ['true', true],
    ])('missing_auth_time: an auth_time that is %s, never echoed', async (_label, authTime) => {
      const req = get(await fixture.bearer({ claims: { auth_time: authTime } }));
      expectRequired(await check('fresh', req), {
        reason: 'missing_auth_time',
        maxAge: 300,
        authTime: undefined,
      });
    });

    it('stale: an auth_time in milliseconds, never echoed', async () => {
      const req = get(await fixture.bearer({ authTime: T0_SECONDS * 1000 }));
      expectRequired(await check('fresh', req), { reason: 'stale', maxAge: 300 });
    });

    it.each([
      ['no acr', {}],
      ['another acr', { acr: 'urn:example:loa:1' }],
    ])('insufficient_assurance: a recent sign-in with %s', async (_label, signIn) => {
      const error = await check('strong', get(await fixture.bearer(signIn)));
      const exception = expectRequired(error, {
        reason: 'insufficient_assurance',
        maxAge: 300,
        authTime: T0_SECONDS,
        acrValues: [ACR],
      });
      expect(exception.details.acrValues).toEqual([ACR]);
    });

    it.each([
      ['no amr', {}],
      ['none of the methods', { claims: { amr: ['pwd'] } }],
      ['an amr that is not a list', { claims: { amr: 'mfa' } }],
    ])('insufficient_assurance: a recent sign-in with %s', async (_label, signIn) => {
      const exception = expectRequired(
        await check('secondFactor', get(await fixture.bearer(signIn))),
        {
          reason: 'insufficient_assurance',
          maxAge: 300,
          authTime: T0_SECONDS,
        },
      );
      expect(exception.details.amr).toEqual(['mfa', 'hwk']);
    });

    it('stale, not insufficient_assurance, when the sign-in is both old and weak', async () => {
      const error = await check(
        'strong',
        get(await fixture.bearer({ authTime: T0_SECONDS - 400 })),
      );
      expectRequired(error, {
        reason: 'stale',
        maxAge: 300,
        authTime: T0_SECONDS - 400,
        acrValues: [ACR],
      });
    });

    it('the action of a same-origin form a browser posts, and none for a script', async () => {
      const body = { amount: '10', to: 'savings' };
      const form = request('POST', '/account/transfer', {
        ...(await fixture.cookie({ authTime: T0_SECONDS - 400 })),
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-site': 'same-origin',
      });
      form.body = body;
      const exception = (await check('transfer', form)) as ReauthRequiredException;
      expect(exception.details.action).toEqual(body);

      const api = request('POST', '/account/transfer', {
        ...(await fixture.bearer({ authTime: T0_SECONDS - 400 })),
      });
      api.body = body;
      expect(((await check('transfer', api)) as ReauthRequiredException).details.action).toBe(
        undefined,
      );
    });

    it('no action for an anonymous request', async () => {
      const form = request('POST', '/account/transfer', {
        accept: 'text/html',
        'sec-fetch-site': 'same-origin',
      });
      form.body = { amount: '9999' };
      const exception = (await check('transfer', form)) as ReauthRequiredException;
      expect(exception.reason).toBe('unauthenticated');
      expect(exception.details.action).toBeUndefined();
    });
  });

  describe('max_age 0', () => {
    const route = 'account:AccountRoutes.remove';

    function grant(authTime = T0_SECONDS, forRoute = route): Promise<void> {
      return fixture.moduleRef
        .get(ReauthRecords)
        .saveGrant(sessionKeyOf(SID, ALICE), authTime, forRoute);
    }

    it('refuses a sign-in made this very second', async () => {
      expectRequired(await check('remove', get(await fixture.bearer())), {
        reason: 'stale',
        maxAge: 0,
        authTime: T0_SECONDS,
      });
    });

    it('lets one request through with the grant a re-authentication for the route left', async () => {
      await grant();
      const { authorization } = await fixture.bearer();
      expect(await check('remove', get({ authorization }))).toBe(true);
      expectRequired(await check('remove', get({ authorization })), {
        reason: 'stale',
        maxAge: 0,
        authTime: T0_SECONDS,
      });
    });

    it('refuses a grant of another route or another sign-in', async () => {
      await grant(T0_SECONDS, 'account:AccountRoutes.fresh');
      expect(await check('remove', get(await fixture.bearer()))).toBeInstanceOf(
        ReauthRequiredException,
      );
      await grant(T0_SECONDS - 10);
      expect(await check('remove', get(await fixture.bearer()))).toBeInstanceOf(
        ReauthRequiredException,
      );
    });
  });

  describe('ReauthForbiddenException', () => {
    const post = (headers: Record<string, string>) => request('POST', '/account/transfer', headers);

    it.each([
      ['another site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' }],
      ['a sibling subdomain', { 'sec-fetch-site': 'same-site', origin: 'http://api.app.test' }],
      ['another origin, without Sec-Fetch-Site', { origin: 'http://app.test:8080' }],
      ['nowhere it says', {}],
    ])('cross_site_request: a cookie POST from %s', async (_label, headers) => {
      const stale = await fixture.cookie({ authTime: T0_SECONDS - 400 });
      const req = post({ ...stale, ...headers, accept: 'text/html', 'sec-fetch-mode': 'navigate' });
      req.body = { amount: '9999', to: 'mallory' };
      // Refused before freshness, so another site's form cannot even plant an action.
      expectForbidden(await check('transfer', req), 'cross_site_request');
      expect(req.reauth).toBeUndefined();
    });

    it.each([
      ['the app itself', { 'sec-fetch-site': 'same-origin' }],
      ['a trusted origin', { origin: 'https://admin.test' }],
      ['the app, by its Referer', { referer: 'http://app.test/form' }],
    ])('lets a cookie POST from %s through', async (_label, headers) => {
      expect(await check('transfer', post({ ...(await fixture.cookie()), ...headers }))).toBe(true);
    });

    it('lets a cross-site GET, a Bearer POST and a route that allows it through', async () => {
      const crossSite = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' };
      expect(await check('fresh', get({ ...(await fixture.cookie()), ...crossSite }))).toBe(true);
      expect(await check('transfer', post({ ...(await fixture.bearer()), ...crossSite }))).toBe(
        true,
      );
      expect(await check('embedded', post({ ...(await fixture.cookie()), ...crossSite }))).toBe(
        true,
      );
    });

    it('lets every cross-site POST through with the module’s allowCrossOrigin', async () => {
      await fixture.close();
      fixture = await edgeFixture({ allowCrossOrigin: true });
      const req = post({ ...(await fixture.cookie()), 'sec-fetch-site': 'cross-site' });
      expect(await check('transfer', req)).toBe(true);
    });

    it('impersonation_not_allowed: a token with an act claim', async () => {
      const acting = await fixture.bearer({ claims: { act: { sub: 'user_support' } } });
      expectForbidden(await check('fresh', get(acting)), 'impersonation_not_allowed');
    });

    it('lets an act claim through where the route allows it, or only a sign-in is needed', async () => {
      const acting = await fixture.bearer({ claims: { act: { sub: 'user_support' } } });
      expect(await check('support', get(acting))).toBe(true);
      expect(await check('profile', get(acting))).toBe(true);
    });

    it('lets an act claim through with the module’s allowImpersonation', async () => {
      await fixture.close();
      fixture = await edgeFixture({ allowImpersonation: true });
      const acting = await fixture.bearer({ claims: { act: { sub: 'user_support' } } });
      expect(await check('fresh', get(acting))).toBe(true);
    });
  });

  describe('ReauthUnavailableException', () => {
    it('a store that fails, keeping its error as the cause', async () => {
      const down = new Error('store down');
      jest.spyOn(fixture.store, 'get').mockRejectedValue(down);
      const req = get(await fixture.bearer());
      const exception = expectUnavailable(await check('fresh', req), 'store');
      expect(exception.cause).toBe(down);
      expect(req.reauth).toBeUndefined();
    });

    it('a JWKS that does not answer', async () => {
      fixture.failJwks();
      const exception = expectUnavailable(
        await check('fresh', get(await fixture.bearer())),
        'jwks',
      );
      expect(exception.cause).toBeInstanceOf(Error);
    });

    it('a provider that cannot refresh an expired cookie session', async () => {
      const session = await fixture.cookie();
      fixture.clock.advance(3700);
      const down = new Error('ECONNREFUSED');
      jest.spyOn(fixture.provider, 'refresh').mockRejectedValue(down);
      const exception = expectUnavailable(await check('profile', get(session)), 'workos');
      expect(exception.cause).toBe(down);
    });
  });

  describe('fail closed', () => {
    it('marks the handler checked on the request it let through, and only then', async () => {
      const passed = get(await fixture.bearer());
      const context = httpContext(AccountRoutes, 'fresh', passed);
      expect(await guardFor(context)).toBe(true);
      expect(wasChecked(passed, AccountRoutes.prototype.fresh)).toBe(true);
      expect(wasChecked(passed, AccountRoutes.prototype.strong)).toBe(false);
      expect(ROUTE_CHECK.canActivate(context)).toBe(true);

      const refused = get(await fixture.bearer({ authTime: T0_SECONDS - 400 }));
      expect(await check('fresh', refused)).toBeInstanceOf(ReauthRequiredException);
      expect(wasChecked(refused, AccountRoutes.prototype.fresh)).toBe(false);
    });

    it('refuses a decorated rpc handler with a warning', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const context = new ExecutionContextHost(
        [{}, {}],
        AccountRoutes,
        AccountRoutes.prototype.fresh,
      );
      context.setType('rpc');
      expect(await guardFor(context)).toBe(false);
      expect(warn).toHaveBeenCalledWith(
        'account:AccountRoutes.fresh requires a recent sign-in but is not an HTTP route: refused',
      );
    });

    it('refuses a decorated WebSocket message whose handshake is unknown, saying how to fix it', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const context = new ExecutionContextHost(
        [{}, {}, 'fresh'],
        AccountRoutes,
        AccountRoutes.prototype.fresh,
      );
      context.setType('ws');
      expect(await guardFor(context)).toBe(false);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('rememberUpgradeRequests'));
    });

    it('leaves an undecorated non-HTTP handler alone', async () => {
      const context = new ExecutionContextHost(
        [{}, {}],
        AccountRoutes,
        AccountRoutes.prototype.open,
      );
      context.setType('rpc');
      expect(await guardFor(context)).toBe(true);
    });
  });

  describe('GraphQL', () => {
    const graphqlRequest = (headers: Record<string, string> = {}) =>
      request('POST', '/graphql', { 'content-type': 'application/json', ...headers });

    it('checks the request of the GraphQL context, and marks it checked', async () => {
      const req = graphqlRequest(await fixture.bearer());
      const context = graphqlContext(AccountRoutes, 'fresh', { req, res: recordedResponse() });
      expect(await guardFor(context)).toBe(true);
      expect(req.reauth?.claims.sub).toBe(ALICE);
      expect(wasChecked(req, AccountRoutes.prototype.fresh)).toBe(true);
    });

    it('answers a refused field with REAUTH_REQUIRED and the challenge on the response', async () => {
      const req = graphqlRequest(await fixture.bearer({ authTime: T0_SECONDS - 400 }));
      const res = recordedResponse();
      const error = await guardFor(graphqlContext(AccountRoutes, 'fresh', { req, res }));
      expect(error).toBeInstanceOf(ReauthGraphQLError);
      const graphqlError = error as ReauthGraphQLError;
      expect(graphqlError.message).toBe(MESSAGES.stale);
      expect(graphqlError.extensions).toEqual({
        code: 'REAUTH_REQUIRED',
        reason: 'stale',
        maxAge: 300,
        reauthUrl: expect.stringMatching(/^https:\/\/idp\.test\/authorize\?state=.+&max_age=300$/),
      });
      expectRequired(graphqlError.cause, {
        reason: 'stale',
        maxAge: 300,
        authTime: T0_SECONDS - 400,
      });
      expect(res.headers).toMatchObject({
        'www-authenticate': [
          'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
        ],
        'set-cookie': [expect.stringMatching(/^wos-reauth=[\w-]{43}; Max-Age=600;/)],
        'cache-control': 'no-store',
      });
      expect(wasChecked(req, AccountRoutes.prototype.fresh)).toBe(false);
    });

    it('answers REAUTH_FORBIDDEN and REAUTH_UNAVAILABLE', async () => {
      const acting = graphqlRequest(
        await fixture.bearer({ claims: { act: { sub: 'user_support' } } }),
      );
      const forbidden = await guardFor(graphqlContext(AccountRoutes, 'fresh', { req: acting }));
      expect(forbidden).toMatchObject({
        extensions: { code: 'REAUTH_FORBIDDEN', reason: 'impersonation_not_allowed' },
      });
      expect((forbidden as ReauthGraphQLError).cause).toBeInstanceOf(ReauthForbiddenException);

      jest.spyOn(fixture.store, 'get').mockRejectedValue(new Error('store down'));
      const res = recordedResponse();
      const req = graphqlRequest(await fixture.bearer());
      const unavailable = await guardFor(graphqlContext(AccountRoutes, 'fresh', { req, res }));
      expect(unavailable).toMatchObject({ extensions: { code: 'REAUTH_UNAVAILABLE' } });
      expect(res.headers['retry-after']).toBe('5');
    });

    it('verifies the request once for all its guarded fields', async () => {
      const authenticate = jest.spyOn(fixture.moduleRef.get(RequestAuthenticator), 'authenticate');
      const req = graphqlRequest(await fixture.bearer());
      const fields = ['fresh', 'profile', 'support'] as const;
      for (const field of fields) {
        expect(await guardFor(graphqlContext(AccountRoutes, field, { req }))).toBe(true);
      }
      expect(authenticate).toHaveBeenCalledTimes(1);
    });

    it('refuses a subscription and a context without a request, with a warning', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const req = graphqlRequest(await fixture.bearer());
      const subscription = graphqlContext(AccountRoutes, 'fresh', { req }, 'subscription');
      expect(await guardFor(subscription)).toBe(false);
      expect(await guardFor(graphqlContext(AccountRoutes, 'fresh', { user: ALICE }))).toBe(false);
      expect(warn.mock.calls.map(([line]) => line as string)).toEqual([
        'account:AccountRoutes.fresh requires a recent sign-in but is a GraphQL subscription: refused',
        'account:AccountRoutes.fresh requires a recent sign-in but its GraphQL context has no `req`: refused',
      ]);
    });
  });
});
