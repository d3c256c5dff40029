import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * A resource server (a downstream API) for tests of relayed challenges: a real HTTP server on a
 * free loopback port that verifies each request's Bearer access token against the identity
 * provider's keys (signature, issuer, audience, expiry, at the rig's time), then lets the route
 * decide: an answer of 200 with what it saw, or the step-up challenge the route asks for.
 */

/** A route's refusal: the status and the `WWW-Authenticate` value it answers with. */
export interface ResourceChallenge {
  status: 401 | 403;
  challenge: string;
}

/** Decides, from the verified claims and the time (seconds), whether the request passes. */
export type ResourceRoute = (claims: JWTPayload, now: number) => ResourceChallenge | undefined;

export interface ResourceServerOptions {
  jwksUrl: string;
  issuer: string | string[];
  /** When set, `aud` must name it. */
  audience?: string;
  /** The rig's time, in seconds. */
  now: () => number;
  /** By path (`/fresh`). */
  routes: Record<string, ResourceRoute>;
}

export interface ResourceServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** How many requests reached `path`, verified or not. */
  calls(path: string): number;
  /** The status of each answer to `path`, oldest first. */
  answers(path: string): number[];
  close(): Promise<void>;
}

export async function startResourceServer(options: ResourceServerOptions): Promise<ResourceServer> {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  const log = new Map<string, number[]>();
  const answer = (
    path: string,
    res: ServerResponse,
    status: number,
    body: unknown,
    challenge?: string,
  ) => {
    log.set(path, [...(log.get(path) ?? []), status]);
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(challenge === undefined ? {} : { 'www-authenticate': challenge }),
    });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://resource').pathname;
    const route = options.routes[path];
    if (route === undefined) return answer(path, res, 404, { error: 'not_found' });
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return answer(path, res, 401, { error: 'no_token' }, 'Bearer');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        currentDate: new Date(options.now() * 1000),
      }));
    } catch {
      return answer(path, res, 401, { error: 'invalid_token' }, 'Bearer error="invalid_token"');
    }
    const refusal = route(claims, options.now());
    if (refusal !== undefined) {
      return answer(path, res, refusal.status, { error: 'step_up' }, refusal.challenge);
    }
    answer(path, res, 200, {
      ok: true,
      sub: claims.sub,
      acr: claims.acr,
      acrs: claims.acrs,
      scope: claims.scope,
    });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => answer('error', res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (path) => (log.get(path) ?? []).length,
    answers: (path) => [...(log.get(path) ?? [])],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Passes a sign-in at most `maxAge` seconds old; else RFC 9470's challenge with `max_age`. */
export function recentSignIn(maxAge: number): ResourceRoute {
  return (claims, now) =>
    typeof claims.auth_time === 'number' && now - claims.auth_time <= maxAge
      ? undefined
      : {
          status: 401,
          challenge: `Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="${maxAge}"`,
        };
}

/** Passes a token whose `acr` is one of `acrValues`; else RFC 9470's challenge with `acr_values`. */
export function assurance(acrValues: string[]): ResourceRoute {
  return (claims) =>
    typeof claims.acr === 'string' && acrValues.includes(claims.acr)
      ? undefined
      : {
          status: 401,
          challenge: `Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="${acrValues.join(' ')}"`,
        };
}

/**
 * Passes a token whose `acrs` names the authentication context; else Microsoft Entra's claims
 * challenge asking for it, as Microsoft Graph sends it.
 */
export function authenticationContext(context: string): ResourceRoute {
  const claims = Buffer.from(
    JSON.stringify({ access_token: { acrs: { essential: true, value: context } } }),
  ).toString('base64');
  return (token) =>
    Array.isArray(token.acrs) && token.acrs.includes(context)
      ? undefined
      : {
          status: 401,
          challenge: `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${claims}"`,
        };
}

/** Passes a token carrying `scope`; else RFC 6750's `insufficient_scope` with it, as MCP servers do. */
export function scope(wanted: string): ResourceRoute {
  return (claims) =>
    typeof claims.scope === 'string' && claims.scope.split(' ').includes(wanted)
      ? undefined
      : {
          status: 403,
          challenge: `Bearer error="insufficient_scope", scope="${wanted}", error_description="The token lacks ${wanted}"`,
        };
}

/** Answers every request with this challenge, whatever the token. */
export function always(challenge: string, status: 401 | 403 = 401): ResourceRoute {
  return () => ({ status, challenge });
}
