import { createHash } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { BROWSER_COOKIE } from './browser';
import { optionalParam, ParameterError, requiredParam, type EmulatorContext } from './context';
import { sameSecret, validTotp } from './credentials';
import { EmulatorHttpError } from './errors';
import * as pages from './pages';
import { type AuthenticationChallenge } from './store';
import { type EmulatorUser } from './users';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const OPAQUE = /^[A-Za-z0-9_-]{1,512}$/;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const MFA_TOTP_GRANT = 'urn:workos:oauth:grant-type:mfa-totp';
/** Compared against when no user has the email, so that an unknown email costs the same. */
const NO_PASSWORD = 'no user has this password';

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([^\s]+)$/.exec(header);
  return match ? match[1] : '';
}

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body;
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw EmulatorHttpError.api(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Parameters of `/authenticate` answer with OAuth's `invalid_request`, like WorkOS. */
function oauthParam<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ParameterError)
      throw EmulatorHttpError.oauth('invalid_request', error.message);
    throw error;
  }
}

/**
 * WorkOS answers a wrong password, an unknown email and a user without a password alike, with
 * the plain (not OAuth) shape, so that nobody learns which accounts exist.
 */
function invalidCredentials(): EmulatorHttpError {
  return EmulatorHttpError.api(400, 'invalid_credentials', 'Invalid credentials.');
}

/** WorkOS's `mfa_challenge` authentication error (403): the password passed, a code is owed. */
function mfaChallenge(token: string, factorId: string, user: Record<string, unknown>) {
  return EmulatorHttpError.api(
    403,
    'mfa_challenge',
    'The user must complete an MFA challenge to finish authenticating.',
    {
      pending_authentication_token: token,
      authentication_factors: [{ id: factorId, type: 'totp' }],
      user,
    },
  );
}

/** WorkOS's authentication challenge object; `expires_at` does not apply to TOTP factors. */
function challengeObject(challenge: AuthenticationChallenge): object {
  const at = new Date(challenge.createdAtMs).toISOString();
  return {
    object: 'authentication_challenge',
    id: challenge.id,
    created_at: at,
    updated_at: at,
    authentication_factor_id: challenge.factorId,
  };
}

/** Other API endpoints answer bad parameters with WorkOS's 422 validation shape. */
function apiParam<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ParameterError) {
      throw EmulatorHttpError.invalidParameters(error.parameter, error.message);
    }
    throw error;
  }
}

/** The WorkOS API endpoints the SDK calls for AuthKit sessions. */
export function apiRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  const requireApiKey = (req: Request, _res: Response, next: NextFunction): void => {
    next(ctx.isApiKey(bearer(req)) ? undefined : EmulatorHttpError.unauthorized());
  };

  router.post('/user_management/authenticate', async (req, res) => {
    const params = body(req);
    const clientId = oauthParam(() => requiredParam(params, 'client_id', { max: 128 }));
    if (clientId !== ctx.options.clientId) {
      throw EmulatorHttpError.oauth('invalid_client', 'Invalid client ID.');
    }
    const header = bearer(req);
    const secret = oauthParam(() => optionalParam(params, 'client_secret', { max: 256 }));
    if (
      (header !== undefined && !ctx.isApiKey(header)) ||
      (secret !== undefined && !ctx.isApiKey(secret))
    ) {
      throw EmulatorHttpError.unauthorized();
    }
    const confidential = header !== undefined || secret !== undefined;
    const grantType = oauthParam(() => requiredParam(params, 'grant_type', { max: 128 }));

    if (grantType === 'authorization_code') {
      const code = oauthParam(() => requiredParam(params, 'code', { pattern: OPAQUE }));
      const verifier = oauthParam(() =>
        optionalParam(params, 'code_verifier', { pattern: CODE_VERIFIER }),
      );
      const entry = ctx.store.takeCode(code);
      if (!entry)
        throw EmulatorHttpError.oauth('invalid_grant', 'The code has expired or is invalid.');
      if (entry.codeChallenge !== undefined) {
        const computed = verifier && createHash('sha256').update(verifier).digest('base64url');
        if (computed !== entry.codeChallenge) {
          throw EmulatorHttpError.oauth(
            'invalid_grant',
            'The code_verifier does not match the code_challenge.',
          );
        }
      } else if (!confidential) {
        throw EmulatorHttpError.unauthorized();
      }
      const session = ctx.store.findSession(entry.sessionId);
      const user = session && ctx.userById(session.userId);
      if (!session || session.revoked || !user) {
        throw EmulatorHttpError.oauth('invalid_grant', 'The session of this code has ended.');
      }
      res.set('Cache-Control', 'no-store').json(await ctx.authenticationResponse(session, user));
      return;
    }

    if (grantType === 'refresh_token') {
      const token = oauthParam(() => requiredParam(params, 'refresh_token', { pattern: OPAQUE }));
      const organizationId = oauthParam(() =>
        optionalParam(params, 'organization_id', { pattern: ID }),
      );
      const session = ctx.store.takeRefreshToken(token);
      const user = session && ctx.userById(session.userId);
      if (!session || !user) {
        throw EmulatorHttpError.oauth(
          'invalid_grant',
          'The refresh token is invalid or was already used.',
        );
      }
      if (organizationId !== undefined && organizationId !== user.organizationId) {
        ctx.store.revokeSession(session.id);
        throw EmulatorHttpError.oauth(
          'invalid_grant',
          'The user is not a member of that organization.',
        );
      }
      res.set('Cache-Control', 'no-store').json(await ctx.authenticationResponse(session, user));
      return;
    }

    // WorkOS takes these grants from a confidential client only: the API key is the secret.
    if (grantType === 'password' || grantType === MFA_TOTP_GRANT) {
      if (!confidential) throw EmulatorHttpError.unauthorized();
      // Recorded by WorkOS on the session; checked here for shape only.
      oauthParam(() => optionalParam(params, 'ip_address', { max: 256 }));
      oauthParam(() => optionalParam(params, 'user_agent', { max: 2048 }));
    }

    if (grantType === 'password') {
      const email = oauthParam(() => requiredParam(params, 'email', { max: 320 }));
      const password = oauthParam(() => requiredParam(params, 'password', { max: 1024 }));
      const user = ctx.userByEmail(email);
      const accepted = sameSecret(password, user?.password ?? NO_PASSWORD) && !!user?.password;
      if (!user || !accepted) throw invalidCredentials();
      if (user.totpFactorId) {
        const token = ctx.store.createPendingAuthentication(user.id, user.totpFactorId);
        throw mfaChallenge(token, user.totpFactorId, ctx.workosUser(user));
      }
      res.set('Cache-Control', 'no-store').json(await signIn(user));
      return;
    }

    if (grantType === MFA_TOTP_GRANT) {
      const code = oauthParam(() => requiredParam(params, 'code', { max: 64 }));
      const token = oauthParam(() =>
        requiredParam(params, 'pending_authentication_token', { pattern: OPAQUE }),
      );
      const challengeId = oauthParam(() =>
        requiredParam(params, 'authentication_challenge_id', { pattern: ID }),
      );
      const pending = ctx.store.findPendingAuthentication(token);
      const user = pending && ctx.userById(pending.userId);
      if (!pending || !user?.totpSecret) {
        throw EmulatorHttpError.api(
          400,
          'invalid_pending_authentication_token',
          'The pending authentication token is invalid or has expired.',
        );
      }
      const challenge = ctx.store.findChallenge(challengeId);
      if (!challenge || challenge.factorId !== pending.factorId) {
        throw EmulatorHttpError.api(400, 'invalid_request', 'Invalid authentication challenge.');
      }
      if (!validTotp(user.totpSecret, code, ctx.clock.nowMs())) {
        throw EmulatorHttpError.api(400, 'invalid_one_time_code', 'Invalid one-time code.');
      }
      if (!ctx.store.completeMfa(token, challengeId)) {
        throw EmulatorHttpError.api(
          400,
          'invalid_pending_authentication_token',
          'The pending authentication token is invalid or has expired.',
        );
      }
      res.set('Cache-Control', 'no-store').json(await signIn(user));
      return;
    }

    throw EmulatorHttpError.oauth('unsupported_grant_type', `Unsupported grant_type.`);
  });

  /** An active authentication through the API: a new session, authenticated now. */
  const signIn = (user: EmulatorUser): Promise<object> => {
    const session = ctx.store.createSession(user.id, ctx.clock.nowSeconds(), 'Password');
    ctx.recordSignIn(user.id);
    return ctx.authenticationResponse(session, user);
  };

  router.post('/auth/factors/:id/challenge', requireApiKey, (req, res) => {
    // `sms_template` is for SMS factors; a TOTP challenge sends nothing.
    apiParam(() => optionalParam(body(req), 'sms_template', { max: 1024 }));
    const factorId = String(req.params.id);
    const user = ID.test(factorId) ? ctx.userByFactor(factorId) : undefined;
    if (!user) throw EmulatorHttpError.notFound('Authentication factor');
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(challengeObject(ctx.store.createChallenge(factorId, user.id)));
  });

  router.get('/sso/jwks/:clientId', (req, res) => {
    if (req.params.clientId !== ctx.options.clientId) throw EmulatorHttpError.notFound('Client');
    res.set('Cache-Control', 'no-cache').json(ctx.keys.jwks());
  });

  router.get('/user_management/users/:id', requireApiKey, (req, res) => {
    const id = String(req.params.id);
    const user = ID.test(id) ? ctx.userById(id) : undefined;
    if (!user) throw EmulatorHttpError.notFound('User');
    res.json(ctx.workosUser(user));
  });

  // Accepted without a body: the SDK's deleteUser reads none.
  router.delete('/user_management/users/:id', requireApiKey, (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id) || !ctx.deleteUser(id)) throw EmulatorHttpError.notFound('User');
    res.status(202).end();
  });

  router.post('/user_management/sessions/revoke', requireApiKey, (req, res) => {
    const sessionId = apiParam(() => requiredParam(body(req), 'session_id', { pattern: ID }));
    if (!ctx.store.revokeSession(sessionId)) throw EmulatorHttpError.notFound('Session');
    res.json({});
  });

  router.get('/user_management/sessions/logout', (req, res) => {
    let sessionId: string;
    let returnTo: string | undefined;
    try {
      sessionId = requiredParam(req.query, 'session_id', { pattern: ID });
      returnTo = optionalParam(req.query, 'return_to');
    } catch (error) {
      return sendLogoutError(res, (error as Error).message);
    }
    let target: URL | undefined;
    if (returnTo !== undefined) {
      target = URL.canParse(returnTo) ? new URL(returnTo) : undefined;
      if (!target || !ctx.options.logoutRedirectOrigins.includes(target.origin)) {
        return sendLogoutError(res, 'return_to is not an allowed sign-out redirect.');
      }
    }
    // Signing out is idempotent: an unknown or already-ended session still signs the browser out.
    ctx.store.revokeSession(sessionId);
    const cookie = parseCookies(req.headers.cookie ?? '')[BROWSER_COOKIE];
    if (cookie) ctx.store.forgetBrowser(cookie);
    res.clearCookie(BROWSER_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
    res.set('Cache-Control', 'no-store');
    if (target) return res.redirect(302, target.href);
    res.type('html').send(pages.signedOutPage());
  });

  return router;
}

function sendLogoutError(res: Response, message: string): void {
  res
    .status(400)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(pages.errorPage('Sign-out failed', message, 'invalid_request'));
}
