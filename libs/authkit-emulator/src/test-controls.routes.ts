import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type Request } from 'express';
import { servedAuthorities } from './host-check';
import { type EmulatorContext } from './context';
import { EmulatorHttpError, sendError } from './errors';
import type { FaultInjector } from './faults';
import { type EmulatorUser } from './users';
import { parseWebhookEndpoint } from './webhooks';

const TEN_YEARS = 10 * 365 * 24 * 3600;
const MAX_AUTH_TIME = 99_999_999_999;

/** What `POST /__emulator/access-tokens` and `mintAccessToken` take. */
export interface MintAccessTokenInput {
  /** A known user. */
  email: string;
  /** The token's `auth_time`, in seconds. */
  authTime: number;
  /** Lifetime in seconds; default the emulator's access-token lifetime. */
  expiresIn?: number;
  /**
   * Claims set last, over the standard ones; `null` removes a claim. For tokens a real AuthKit
   * would never issue (a missing or malformed `auth_time`, a foreign issuer).
   */
  claims?: Record<string, unknown>;
}

/** What `POST /__emulator/authorization-codes` and `issueAuthorizationCode` take. */
export interface IssueAuthorizationCodeInput {
  /** A known user. */
  email: string;
  /** The new session's `auth_time`, in seconds. Default: now, by the emulator's clock. */
  authTime?: number;
  /** Where the code is to be redeemed: a registered redirect URI. Default the first one. */
  redirectUri?: string;
}

function requestObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw EmulatorHttpError.api(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function jsonObject(req: Request): Record<string, unknown> {
  return requestObject(req.body);
}

function emailField(source: Record<string, unknown>): string {
  if (typeof source.email !== 'string' || source.email.length > 320) {
    throw EmulatorHttpError.invalidParameters('email', 'email must be a string');
  }
  return source.email;
}

function integerField(
  source: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  required: boolean,
): number | undefined {
  const value = source[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw EmulatorHttpError.invalidParameters(
      name,
      `${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/** Checks a mint request and returns it typed; shared by the HTTP control and the API. */
export function parseMintInput(input: unknown): MintAccessTokenInput {
  const source = requestObject(input);
  const email = emailField(source);
  const claims = source.claims;
  if (
    claims !== undefined &&
    (typeof claims !== 'object' || claims === null || Array.isArray(claims))
  ) {
    throw EmulatorHttpError.invalidParameters('claims', 'claims must be an object');
  }
  if (claims !== undefined && JSON.stringify(claims).length > 8192) {
    throw EmulatorHttpError.invalidParameters('claims', 'claims are too large');
  }
  return {
    email,
    authTime: integerField(source, 'authTime', 0, MAX_AUTH_TIME, true)!,
    expiresIn: integerField(source, 'expiresIn', -TEN_YEARS, TEN_YEARS, false),
    claims: claims as Record<string, unknown> | undefined,
  };
}

/** Signs a token for a known user with the given `auth_time`; it belongs to a new session. */
export async function mintAccessToken(
  ctx: EmulatorContext,
  input: MintAccessTokenInput,
): Promise<{ accessToken: string; sessionId: string }> {
  const user = ctx.userByEmail(input.email);
  if (!user) throw EmulatorHttpError.notFound('User');
  const session = ctx.store.createSession(user.id, input.authTime, 'Password');
  const accessToken = await ctx.signAccessToken(session, user, {
    expiresIn: input.expiresIn,
    claims: input.claims,
  });
  return { accessToken, sessionId: session.id };
}

/** Checks a request for a code and returns it typed; shared by the HTTP control and the API. */
export function parseAuthorizationCodeInput(input: unknown): IssueAuthorizationCodeInput {
  const source = requestObject(input);
  const email = emailField(source);
  const redirectUri = source.redirectUri;
  if (redirectUri !== undefined && (typeof redirectUri !== 'string' || redirectUri.length > 2048)) {
    throw EmulatorHttpError.invalidParameters('redirectUri', 'redirectUri must be a string');
  }
  return {
    email,
    authTime: integerField(source, 'authTime', 0, MAX_AUTH_TIME, false),
    redirectUri,
  };
}

/**
 * Signs a known user in without the hosted pages: a new session with the given `auth_time`, and
 * an authorization code for it like the one the pages redirect with (single-use, expiring, for a
 * confidential client since it has no PKCE challenge).
 */
export function issueAuthorizationCode(
  ctx: EmulatorContext,
  input: IssueAuthorizationCodeInput,
): { code: string; sessionId: string } {
  const redirectUri = input.redirectUri ?? ctx.options.redirectUris[0];
  if (!ctx.options.redirectUris.includes(redirectUri)) {
    throw EmulatorHttpError.invalidParameters(
      'redirectUri',
      'redirectUri is not registered for the client',
    );
  }
  const user = ctx.userByEmail(input.email);
  if (!user) throw EmulatorHttpError.notFound('User');
  const session = ctx.store.createSession(
    user.id,
    input.authTime ?? ctx.clock.nowSeconds(),
    user.sso ? 'SSO' : 'Password',
  );
  ctx.recordSignIn(user.id);
  const code = ctx.store.issueCode({ sessionId: session.id, redirectUri });
  return { code, sessionId: session.id };
}

/** A `TypeError` from an option check becomes WorkOS's 422; its message names the field. */
function invalid(error: unknown, field: string): never {
  if (error instanceof TypeError) throw EmulatorHttpError.invalidParameters(field, error.message);
  throw error;
}

/** How long `GET /__emulator/webhooks/deliveries?wait=true` waits at most. */
const DELIVERY_WAIT_MS = 30_000;

/**
 * `/__emulator/*`: controls for tests and demos. Mounted only when test controls are on, since
 * they mint tokens for anyone.
 */
export function testControlRoutes(ctx: EmulatorContext, faults: FaultInjector): Router {
  const router = Router();

  // Tests and scripts call these directly. A browser page of another origin could still post a
  // form to them blindly (it cannot read the answer): refuse whatever a browser marks as foreign.
  router.use('/__emulator', (req, res, next) => {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const port = Number(new URL(ctx.url).port);
    const own = new Set([...servedAuthorities(port)].map((authority) => `http://${authority}`));
    const foreign =
      (site !== undefined && site !== 'same-origin' && site !== 'none') ||
      (origin !== undefined && !own.has(origin));
    if (foreign) {
      sendError(
        res,
        EmulatorHttpError.api(
          403,
          'cross_origin_request',
          'Test controls answer only direct calls.',
        ),
      );
      return;
    }
    next();
  });

  router.get('/__emulator/clock', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ now: ctx.clock.nowSeconds() });
  });

  router.post('/__emulator/clock', (req, res) => {
    const seconds = integerField(jsonObject(req), 'advanceSeconds', 0, TEN_YEARS, true)!;
    res.json({ now: ctx.clock.advance(seconds) });
  });

  router.post('/__emulator/access-tokens', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await mintAccessToken(ctx, parseMintInput(req.body)));
  });

  router.post('/__emulator/authorization-codes', (req, res) => {
    const { code } = issueAuthorizationCode(ctx, parseAuthorizationCodeInput(req.body));
    res.set('Cache-Control', 'no-store').json({ code });
  });

  router.get('/__emulator/faults', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(faults.current());
  });

  router.post('/__emulator/faults', (req, res) => {
    faults.set(jsonObject(req));
    res.set('Cache-Control', 'no-store').json(faults.current());
  });

  router.post('/__emulator/rotate-keys', async (_req, res) => {
    res.json({ kid: await ctx.keys.rotate() });
  });

  router.get('/__emulator/webhooks', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ endpoints: ctx.webhooks.endpoints() });
  });

  router.post('/__emulator/webhooks', (req, res) => {
    let id: string;
    try {
      id = ctx.webhooks.addEndpoint(parseWebhookEndpoint(jsonObject(req), 'endpoint'));
    } catch (error) {
      invalid(error, 'endpoint');
    }
    const endpoint = ctx.webhooks.endpoints().find((e) => e.id === id);
    res.status(201).set('Cache-Control', 'no-store').json(endpoint);
  });

  router.delete('/__emulator/webhooks/:id', (req, res) => {
    if (!ctx.webhooks.removeEndpoint(String(req.params.id))) {
      throw EmulatorHttpError.notFound('Webhook endpoint');
    }
    res.status(204).end();
  });

  router.get('/__emulator/webhooks/deliveries', async (req, res) => {
    const deliveries =
      req.query.wait === 'true'
        ? await Promise.race([
            ctx.webhooks.settled(),
            sleep(DELIVERY_WAIT_MS, undefined, { ref: false }),
          ])
        : undefined;
    res
      .set('Cache-Control', 'no-store')
      .json({ deliveries: deliveries ?? ctx.webhooks.deliveries() });
  });

  router.post('/__emulator/users', (req, res) => {
    let added: EmulatorUser;
    try {
      added = ctx.addUser(jsonObject(req));
    } catch (error) {
      invalid(error, 'user');
    }
    res.status(201).set('Cache-Control', 'no-store').json(ctx.workosUser(added));
  });

  router.post('/__emulator/settings', (req, res) => {
    const settings = jsonObject(req);
    if (typeof settings.ignoreMaxAge !== 'boolean') {
      throw EmulatorHttpError.invalidParameters('ignoreMaxAge', 'ignoreMaxAge must be a boolean');
    }
    ctx.ignoreMaxAge = settings.ignoreMaxAge;
    res.json({ ignoreMaxAge: ctx.ignoreMaxAge });
  });

  return router;
}
