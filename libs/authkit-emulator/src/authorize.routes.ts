import { Router } from 'express';
import { browserCookie, callbackUrl, sendErrorPage } from './browser';
import { optionalParam, ParameterError, requiredParam, type EmulatorContext } from './context';
import { signInRoutes } from './sign-in.routes';

const MAX_AGE = /^\d{1,10}$/;
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

/**
 * `/user_management/authorize` and the hosted sign-in pages behind it: email, then password
 * (and a TOTP code for users with MFA), or a simulated identity provider for SSO users.
 */
export function authorizeRoutes(ctx: EmulatorContext): Router {
  const router = Router();

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

  router.use(signInRoutes(ctx));
  return router;
}
