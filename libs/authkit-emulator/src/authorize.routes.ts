import { parse as parseCookies } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { Secret, TOTP } from 'otpauth';
import { createHash, timingSafeEqual } from 'node:crypto';
import { optionalParam, ParameterError, requiredParam, type EmulatorContext } from './context';
import * as pages from './pages';
import { type AuthenticationMethod, type AuthorizationRequest } from './store';
import { type EmulatorUser } from './users';

/** The emulator's own browser-session cookie, on its own origin. */
export const BROWSER_COOKIE = 'authkit_emulator_session';

const MAX_AGE = /^\d{1,10}$/;
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    })
    .send(html);
}

function sendErrorPage(res: Response, status: number, code: string, message: string): void {
  sendPage(res, status, pages.errorPage('Sign-in could not start', message, code));
}

/** `redirect_uri` with the given parameters added, as OAuth sends authorization responses. */
function callbackUrl(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.href;
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * `/user_management/authorize` and the hosted sign-in pages behind it: email, then password
 * (and a TOTP code for users with MFA), or a simulated identity provider for SSO users.
 */
export function authorizeRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  const browserCookie = (req: Request): string | undefined =>
    parseCookies(req.headers.cookie ?? '')[BROWSER_COOKIE];

  router.get('/user_management/authorize', (req, res) => {
    let redirectUri: string;
    try {
      const clientId = requiredParam(req.query, 'client_id', { max: 128 });
      if (clientId !== ctx.options.clientId) {
        return sendErrorPage(res, 400, 'invalid_client', 'Unknown client_id.');
      }
      redirectUri = requiredParam(req.query, 'redirect_uri');
    } catch (error) {
      const { message } = error as ParameterError;
      return sendErrorPage(res, 400, 'invalid_request', message);
    }
    if (!ctx.options.redirectUris.includes(redirectUri)) {
      return sendErrorPage(
        res,
        400,
        'invalid_redirect_uri',
        'This redirect_uri is not registered for the client.',
      );
    }

    let state: string | undefined;
    try {
      state = optionalParam(req.query, 'state', { max: 8192 });
      const responseType = requiredParam(req.query, 'response_type', { max: 32 });
      if (responseType !== 'code') {
        return res.redirect(
          302,
          callbackUrl(redirectUri, {
            error: 'unsupported_response_type',
            error_description: 'Only response_type=code is supported.',
            state,
          }),
        );
      }
      const provider = requiredParam(req.query, 'provider', { max: 64 });
      if (provider !== 'authkit') throw new ParameterError('provider', 'provider must be authkit');
      const maxAgeParam = optionalParam(req.query, 'max_age', { pattern: MAX_AGE });
      const prompt = optionalParam(req.query, 'prompt', { max: 64 });
      if (prompt !== undefined && !['login', 'none', 'consent'].includes(prompt)) {
        throw new ParameterError('prompt', 'prompt must be login, none or consent');
      }
      const loginHint = optionalParam(req.query, 'login_hint', { max: 320 });
      const codeChallenge = optionalParam(req.query, 'code_challenge', { pattern: CODE_CHALLENGE });
      const method = optionalParam(req.query, 'code_challenge_method', { max: 16 });
      if (codeChallenge !== undefined && method !== 'S256') {
        throw new ParameterError('code_challenge_method', 'code_challenge_method must be S256');
      }

      const session = ctx.store.browserSession(browserCookie(req));
      const hinted = loginHint ? ctx.userByEmail(loginHint) : undefined;
      const maxAge = maxAgeParam === undefined ? undefined : Number(maxAgeParam);
      const reusable =
        session !== undefined &&
        (!hinted || hinted.id === session.userId) &&
        (ctx.ignoreMaxAge ||
          (prompt !== 'login' &&
            maxAge !== 0 &&
            (maxAge === undefined || ctx.clock.nowSeconds() - session.authTime <= maxAge)));

      if (reusable) {
        const code = ctx.store.issueCode({ sessionId: session.id, redirectUri, codeChallenge });
        return res.redirect(302, callbackUrl(redirectUri, { code, state }));
      }
      if (prompt === 'none') {
        return res.redirect(
          302,
          callbackUrl(redirectUri, {
            error: 'login_required',
            error_description: 'The user must sign in.',
            state,
          }),
        );
      }
      const current = session ? ctx.userById(session.userId) : undefined;
      const request = ctx.store.createRequest({
        redirectUri,
        state,
        loginHint: loginHint ?? current?.email,
        codeChallenge,
        reauthenticating: session !== undefined,
      });
      return res.redirect(
        302,
        `/user_management/authorize/sign-in?request=${encodeURIComponent(request.id)}`,
      );
    } catch (error) {
      if (!(error instanceof ParameterError)) throw error;
      return res.redirect(
        302,
        callbackUrl(redirectUri, {
          error: 'invalid_request',
          error_description: error.message,
          state,
        }),
      );
    }
  });

  /** Finds the sign-in in progress named by `request`, or answers with an error page. */
  const pending = (req: Request, res: Response): AuthorizationRequest | undefined => {
    const source = req.method === 'GET' ? req.query : (req.body as unknown);
    let id: string;
    try {
      id = requiredParam(source, 'request', { pattern: REQUEST_ID });
    } catch (error) {
      sendErrorPage(res, 400, 'invalid_request', (error as Error).message);
      return undefined;
    }
    const request = ctx.store.findRequest(id);
    if (!request) {
      sendErrorPage(
        res,
        400,
        'authorization_request_expired',
        'This sign-in has expired or was already completed. Go back to the application and try again.',
      );
    }
    return request;
  };

  const identifiedUser = (
    request: AuthorizationRequest,
    res: Response,
  ): EmulatorUser | undefined => {
    const user = request.userId ? ctx.userById(request.userId) : undefined;
    if (!user) {
      sendPage(
        res,
        400,
        pages.emailPage({
          requestId: request.id,
          reauthenticating: request.reauthenticating,
          error: 'Enter your email first.',
        }),
      );
    }
    return user;
  };

  /** An active authentication: moves `auth_time`, (re)binds the browser, and issues a code. */
  const complete = (
    req: Request,
    res: Response,
    request: AuthorizationRequest,
    user: EmulatorUser,
    method: AuthenticationMethod,
  ): void => {
    const cookie = browserCookie(req);
    const existing = ctx.store.browserSession(cookie);
    const now = ctx.clock.nowSeconds();
    const session =
      existing && existing.userId === user.id
        ? existing
        : ctx.store.createSession(user.id, now, method);
    session.authTime = now;
    session.method = method;
    if (cookie) ctx.store.forgetBrowser(cookie);
    const fresh = ctx.store.bindBrowser(session.id);
    ctx.recordSignIn(user.id);
    ctx.store.endRequest(request.id);
    const code = ctx.store.issueCode({
      sessionId: session.id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
    });
    res.cookie(BROWSER_COOKIE, fresh, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
    res.redirect(303, callbackUrl(request.redirectUri, { code, state: request.state }));
  };

  router.get('/user_management/authorize/sign-in', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    sendPage(
      res,
      200,
      pages.emailPage({
        requestId: request.id,
        email: request.loginHint,
        reauthenticating: request.reauthenticating,
      }),
    );
  });

  router.post('/user_management/authorize/email', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    let email: string;
    try {
      email = requiredParam(req.body, 'email', { max: 320 });
    } catch {
      return sendPage(
        res,
        400,
        pages.emailPage({
          requestId: request.id,
          reauthenticating: request.reauthenticating,
          error: 'Enter your email address.',
        }),
      );
    }
    const user = ctx.userByEmail(email);
    if (!user) {
      return sendPage(
        res,
        400,
        pages.emailPage({
          requestId: request.id,
          email,
          reauthenticating: request.reauthenticating,
          error: 'There is no account with that email.',
        }),
      );
    }
    request.userId = user.id;
    request.passwordVerified = false;
    if (user.sso) return sendPage(res, 200, pages.identityProviderPage(request.id, user.email));
    sendPage(res, 200, pages.passwordPage(request.id, user.email));
  });

  router.post('/user_management/authorize/password', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    const user = identifiedUser(request, res);
    if (!user) return;
    if (user.password === undefined) {
      return sendPage(res, 400, pages.identityProviderPage(request.id, user.email));
    }
    let password: string;
    try {
      password = requiredParam(req.body, 'password', { max: 1024 });
    } catch {
      return sendPage(res, 400, pages.passwordPage(request.id, user.email, 'Enter your password.'));
    }
    if (!sameSecret(password, user.password)) {
      return sendPage(res, 400, pages.passwordPage(request.id, user.email, 'Incorrect password.'));
    }
    if (user.totpSecret) {
      request.passwordVerified = true;
      return sendPage(res, 200, pages.totpPage(request.id, user.email));
    }
    complete(req, res, request, user, 'Password');
  });

  router.post('/user_management/authorize/totp', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    const user = identifiedUser(request, res);
    if (!user) return;
    if (!user.totpSecret || !request.passwordVerified) {
      return sendPage(
        res,
        400,
        pages.passwordPage(request.id, user.email, 'Enter your password first.'),
      );
    }
    let code: string;
    try {
      code = requiredParam(req.body, 'code', { max: 16 }).replace(/\s/g, '');
    } catch {
      return sendPage(res, 400, pages.totpPage(request.id, user.email, 'Enter the 6-digit code.'));
    }
    const totp = new TOTP({
      secret: Secret.fromBase32(user.totpSecret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const valid =
      /^\d{6}$/.test(code) &&
      totp.validate({ token: code, timestamp: ctx.clock.nowMs(), window: 1 }) !== null;
    if (!valid) {
      return sendPage(
        res,
        400,
        pages.totpPage(request.id, user.email, 'That code is not valid. Try the current one.'),
      );
    }
    complete(req, res, request, user, 'Password');
  });

  router.post('/user_management/authorize/sso', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    const user = identifiedUser(request, res);
    if (!user) return;
    if (!user.sso) return sendPage(res, 400, pages.passwordPage(request.id, user.email));
    complete(req, res, request, user, 'SSO');
  });

  router.get('/user_management/authorize/cancel', (req, res) => {
    const request = pending(req, res);
    if (!request) return;
    ctx.store.endRequest(request.id);
    res.redirect(
      302,
      callbackUrl(request.redirectUri, {
        error: 'access_denied',
        error_description: 'The user cancelled the sign-in.',
        state: request.state,
      }),
    );
  });

  return router;
}
