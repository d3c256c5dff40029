import { Router, type Request, type Response } from 'express';
import { BROWSER_COOKIE, browserCookie, callbackUrl, sendErrorPage, sendPage } from './browser';
import { requiredParam, type EmulatorContext } from './context';
import { sameSecret, validTotp } from './credentials';
import * as pages from './pages';
import { type AuthenticationMethod, type AuthorizationRequest } from './store';
import { type EmulatorUser } from './users';

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A step of the sign-in once the user gave their email: the request and the user it names. */
type IdentifiedStep = (
  req: Request,
  res: Response,
  request: AuthorizationRequest,
  user: EmulatorUser,
) => void;

/**
 * The hosted sign-in pages behind `/user_management/authorize`: email, then password (and a TOTP
 * code for users with MFA), or a simulated identity provider for SSO users; and cancelling.
 */
export function signInRoutes(ctx: EmulatorContext): Router {
  const router = Router();

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

  const sendEmailPage = (
    res: Response,
    request: AuthorizationRequest,
    error: string,
    email?: string,
  ): void =>
    sendPage(
      res,
      400,
      pages.emailPage({
        requestId: request.id,
        email,
        reauthenticating: request.reauthenticating,
        error,
      }),
    );

  /** Runs `step` for the sign-in in progress and the user it identified, or answers a page. */
  const identified =
    (step: IdentifiedStep) =>
    (req: Request, res: Response): void => {
      const request = pending(req, res);
      if (!request) return;
      const user = request.userId ? ctx.userById(request.userId) : undefined;
      if (!user) return sendEmailPage(res, request, 'Enter your email first.');
      step(req, res, request, user);
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
      return sendEmailPage(res, request, 'Enter your email address.');
    }
    const user = ctx.userByEmail(email);
    if (!user) return sendEmailPage(res, request, 'There is no account with that email.', email);
    request.userId = user.id;
    request.passwordVerified = false;
    if (user.sso) return sendPage(res, 200, pages.identityProviderPage(request.id, user.email));
    sendPage(res, 200, pages.passwordPage(request.id, user.email));
  });

  router.post(
    '/user_management/authorize/password',
    identified((req, res, request, user) => {
      if (user.password === undefined) {
        return sendPage(res, 400, pages.identityProviderPage(request.id, user.email));
      }
      const retry = (error: string) =>
        sendPage(res, 400, pages.passwordPage(request.id, user.email, error));
      let password: string;
      try {
        password = requiredParam(req.body, 'password', { max: 1024 });
      } catch {
        return retry('Enter your password.');
      }
      if (!sameSecret(password, user.password)) return retry('Incorrect password.');
      if (user.totpSecret) {
        request.passwordVerified = true;
        return sendPage(res, 200, pages.totpPage(request.id, user.email));
      }
      complete(req, res, request, user, 'Password');
    }),
  );

  router.post(
    '/user_management/authorize/totp',
    identified((req, res, request, user) => {
      if (!user.totpSecret || !request.passwordVerified) {
        return sendPage(
          res,
          400,
          pages.passwordPage(request.id, user.email, 'Enter your password first.'),
        );
      }
      const retry = (error: string) =>
        sendPage(res, 400, pages.totpPage(request.id, user.email, error));
      let code: string;
      try {
        code = requiredParam(req.body, 'code', { max: 16 }).replace(/\s/g, '');
      } catch {
        return retry('Enter the 6-digit code.');
      }
      if (!validTotp(user.totpSecret, code, ctx.clock.nowMs())) {
        return retry('That code is not valid. Try the current one.');
      }
      complete(req, res, request, user, 'Password');
    }),
  );

  router.post(
    '/user_management/authorize/sso',
    identified((req, res, request, user) => {
      if (!user.sso) return sendPage(res, 400, pages.passwordPage(request.id, user.email));
      complete(req, res, request, user, 'SSO');
    }),
  );

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
