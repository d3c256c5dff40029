import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { type BrowserResponse, type HttpBrowser } from './http-browser';

/**
 * A real OpenID Provider (panva's `oidc-provider`) in a child process, for end-to-end tests
 * against a generic OIDC issuer. See `oidc-provider/server.mjs` for what it serves.
 */

const SERVER = join(__dirname, 'oidc-provider', 'server.mjs');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_KEPT = 16 * 1024;

export type SigningAlg = 'RS256' | 'ES256';

export interface OidcTestProviderOptions {
  /** The client's registered redirect URIs (exact match). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Default `reauth-test-client`. */
  clientId?: string;
  /** Default: a random 43-character secret, reported back as `clientSecret`. */
  clientSecret?: string;
  /** Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** The access tokens' audience. Default `<issuer>/api`. */
  resource?: string;
  /** Signs JWT access tokens; also switchable later with `accessTokenAlg()`. Default RS256. */
  accessTokenAlg?: SigningAlg;
  /** Signs ID tokens (the client's `id_token_signed_response_alg`). Default RS256. */
  idTokenAlg?: SigningAlg;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /**
   * Whether the token endpoint issues refresh tokens (to this client, which is registered for
   * the refresh_token grant, whatever the scope). Default true.
   */
  refreshTokens?: boolean;
  /** Whether each refresh returns a new refresh token (the old one then fails). Default false. */
  rotateRefreshTokens?: boolean;
  /**
   * Whether revoking a refresh token ends its whole grant, every refresh token of the provider
   * session for this client with it (oidc-provider's default), or only that token. Default true.
   */
  revocationEndsGrant?: boolean;
  /** Default 0: any free port, reported in `issuer`. */
  port?: number;
  /**
   * oidc-provider's own defaults for what a sign-in meets, instead of this harness's bent ones:
   * refresh tokens only for `offline_access`, granted only with `prompt=consent`; `auth_time` in
   * ID tokens only when asked for; access tokens without `auth_time`, `acr` or `amr`; ID tokens
   * without `sid`; no acr step-up; no revocation endpoint. `refreshTokens` and
   * `rotateRefreshTokens` do not apply. Default false.
   */
  stock?: boolean;
  /** Enables the `claims` request parameter (`claims_parameter_supported`). Default false. */
  claimsParameter?: boolean;
  /**
   * Enables RFC 9396 Rich Authorization Requests with the type `step_up_action` registered
   * (`identifier` a non-empty string, `summary` a string of at most 200 characters, `fields` an
   * object, nothing else), so discovery lists it in `authorization_details_types_supported`.
   * Details requested are shown at a consent prompt (see `lastConsent()`), then returned by the
   * token endpoint and carried by the JWT access token. Default false.
   */
  richAuthorizationRequests?: boolean;
  /**
   * More claims for the access tokens of an account, by its `sub` (e.g. an organization:
   * `{ user_alice: { org_id: 'org_A' } }`), of any JSON type. Default none.
   */
  extraAccessTokenClaims?: Record<string, Record<string, unknown>>;
  /**
   * Registers the client for OpenID Connect Back-Channel Logout 1.0 at this URI and turns the
   * provider's `backchannelLogout` feature on (discovery then says `backchannel_logout_supported`
   * and `backchannel_logout_session_supported`): a sign-out confirmed at the end-session endpoint
   * POSTs a Logout Token there before the provider answers (see `backchannelLogouts()`).
   * Default: none, and the feature off.
   */
  backchannelLogoutUri?: string;
  /**
   * The client's `backchannel_logout_session_required`: its Logout Tokens carry `sid`. Default
   * true; false leaves them naming the user (`sub`) only.
   */
  backchannelLogoutSessionRequired?: boolean;
  /** Access tokens carry the sign-in session's `sid`, as Keycloak's do. Default false. */
  accessTokenSid?: boolean;
  /**
   * Entra-style authentication contexts, by id, each with the `acr` a sign-in must reach to meet
   * it (e.g. `{ c1: OIDC_ACR.otp }`): a `claims` request (with `claimsParameter`) for
   * `access_token.acrs` asks for a sign-in that meets one (enforced as `acr_values` are, see
   * `enforceAcrValues`), and the access tokens then carry the met ones as `acrs`. Default none.
   */
  authenticationContexts?: Record<string, string>;
  /** More scopes of the access tokens' resource, granted when a sign-in asks for them. Default none. */
  resourceScopes?: string[];
}

/** A Logout Token the provider sent (see `backchannelLogoutUri`). */
export interface BackchannelLogoutDelivery {
  clientId: string;
  sub: string;
  /** The session it named; `null` when the client does not require `sid`. */
  sid: string | null;
  /** Whether the client answered 200 (or 204). */
  delivered: boolean;
  /** Why not, as oidc-provider says. */
  error?: string;
}

/** How the token endpoint returns the `authorization_details` a code was granted with. */
export type AuthorizationDetailsResponse = 'omit' | 'alter' | null;

export interface OidcRevocation {
  tokenTypeHint: string | null;
  token: string | null;
  /** What the provider found and revoked (revoking a refresh token ends its whole grant). */
  revoked: 'refresh_token' | 'access_token' | null;
  status: number;
}

/** A refresh token the provider would still take. */
export interface LiveRefreshToken {
  accountId: string;
  grantId: string;
  sid: string | null;
}

export interface OidcTestProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The access tokens' audience. */
  resource: string;
  /** The next sign-ins record an authentication time `n` seconds in the past; `null`: now. */
  signedInSecondsAgo(seconds: number | null): Promise<void>;
  /**
   * Moves the provider's clock forward (its `Date.now()`); the app under test moves its own by
   * the same amount through {@link OidcTestProvider.now}. Returns the total offset in seconds.
   */
  advanceClock(seconds: number): Promise<number>;
  /** The provider's time in ms: real time plus the offset of {@link advanceClock}. */
  now(): number;
  /** While on, authorization requests lose `max_age` and `prompt=login` before the provider sees them. */
  ignoreMaxAge(on: boolean): Promise<void>;
  /**
   * While on, an authorization request with `max_age=0` is answered with `invalid_request` (as
   * providers that take only a positive `max_age` do), before any sign-in.
   */
  refuseMaxAgeZero(on: boolean): Promise<void>;
  /**
   * On (the default): a session below the requested `acr_values` must sign in again, and a
   * sign-in that still does not reach one ends in `login_required`. Off: `acr_values` are
   * ignored and tokens carry whatever `acr` the sign-in reached.
   */
  enforceAcrValues(on: boolean): Promise<void>;
  /** Whether access tokens carry `auth_time`, `acr` and `amr` (on by default). */
  accessTokenClaims(on: boolean): Promise<void>;
  /** Which key signs the access tokens issued from now on. */
  accessTokenAlg(alg: SigningAlg): Promise<void>;
  /** While on, ID tokens name their client in `azp` too (as Google's and Keycloak's do). */
  idTokenAzp(on: boolean): Promise<void>;
  /**
   * With `richAuthorizationRequests`: `omit`, the token endpoint returns no `authorization_details`;
   * `alter`, each returned entry's `identifier` is changed; `null` (the default), as granted.
   */
  authorizationDetailsResponse(mode: AuthorizationDetailsResponse): Promise<void>;
  /**
   * The `authorization_details` the most recent consent prompt showed (`null` if none yet): what
   * a consent page would show the user.
   */
  lastConsent(): Promise<Record<string, unknown>[] | null>;
  /** `unavailable`: discovery answers 503; `incomplete`: the document lacks `jwks_uri`. */
  failDiscovery(mode: 'unavailable' | 'incomplete' | null): Promise<void>;
  /** Ends every sign-in session: the next authorization request asks for a login. Tokens stay valid. */
  endSessions(): Promise<number>;
  /** The controls back to their defaults, and the recorded requests forgotten. */
  reset(): Promise<void>;
  /** The most recent authorization request's parameters as received (`{}` if none yet). */
  lastAuthorizationRequest(): Promise<Record<string, string>>;
  /**
   * The most recent token request's form parameters, with `client_secret` and `code_verifier`
   * replaced by `true`, plus `client_auth`: how the client authenticated (`client_secret_basic`,
   * `client_secret_post` or `none`). `{}` if none yet.
   */
  lastTokenRequest(): Promise<Record<string, string | boolean>>;
  /** Every revocation request so far. */
  revocations(): Promise<OidcRevocation[]>;
  /**
   * The refresh tokens its token endpoint would still take (not expired, not consumed by
   * rotation, of a grant not revoked), with their user and grant; tokens themselves stay inside.
   */
  liveRefreshTokens(): Promise<LiveRefreshToken[]>;
  /** How many token requests it took so far, by `grant_type`. */
  tokenRequests(): Promise<Record<string, number>>;
  /** The provider's public keys. */
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
  /**
   * A compact JWS of `payload`, signed with the provider's own key for `alg` (default RS256):
   * its `kid`, then `header`'s members, in the header. For tokens a test shapes itself.
   */
  signJwt(
    payload: Record<string, unknown>,
    header?: Record<string, unknown>,
    alg?: SigningAlg,
  ): Promise<string>;
  /** Every Logout Token the provider sent so far, oldest first. */
  backchannelLogouts(): Promise<BackchannelLogoutDelivery[]>;
  /** What the process wrote on stderr lately (warnings, server errors). */
  stderr(): string;
  /** Stops the process; safe to call twice. */
  stop(): Promise<void>;
}

export interface OidcUser {
  username: string;
  sub: string;
  email: string;
  password: string;
  otp: string;
}

/** The provider's accounts (the same as in `server.mjs`). */
export const OIDC_USERS = {
  alice: {
    username: 'alice',
    sub: 'user_alice',
    email: 'alice@example.test',
    password: 'alice-password',
    otp: '123456',
  },
  bob: {
    username: 'bob',
    sub: 'user_bob',
    email: 'bob@example.test',
    password: 'bob-password',
    otp: '654321',
  },
} as const satisfies Record<string, OidcUser>;

/** What the provider's sign-in records: one factor is LoA 1, with the one-time code LoA 2. */
export const OIDC_ACR = { password: 'urn:example:loa:1', otp: 'urn:example:loa:2' } as const;

interface ReadyLine {
  ready: true;
  issuer: string;
  clientId: string;
  clientSecret: string;
  resource: string;
}

/** Starts a provider process and waits (up to 20 s) until it listens. */
export async function startOidcProvider(
  options: OidcTestProviderOptions,
): Promise<OidcTestProvider> {
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      OIDC_TEST_PROVIDER_CONFIG: JSON.stringify({ ...options, exitWithStdin: true }),
    },
    // stdin stays open: the process exits when this one goes away, even without stop().
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });

  let ready: ReadyLine;
  try {
    ready = await waitForReady(child, () => stderr);
  } catch (err) {
    await kill(child);
    throw err;
  }

  // Nothing here keeps Jest alive: a test that forgets stop() still lets it exit, and the
  // process then sees its stdin close and exits too.
  unrefAll(child);

  let stopped: Promise<void> | undefined;
  let exited: string | undefined;
  let offsetMs = 0;
  child.once('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  const control = async <T>(method: 'GET' | 'POST', name: string, body?: unknown) => {
    try {
      return await controlRequest<T>(ready.issuer, method, `/__test/${name}`, body);
    } catch (err) {
      if (exited === undefined || stopped) throw err;
      throw new Error(
        `the oidc-provider test server has exited (${exited}); its stderr:\n${stderr.trim()}`,
        { cause: err },
      );
    }
  };

  return {
    issuer: ready.issuer,
    clientId: ready.clientId,
    clientSecret: ready.clientSecret,
    resource: ready.resource,
    signedInSecondsAgo: async (seconds) => {
      await control('POST', 'signed-in-seconds-ago', { seconds });
    },
    advanceClock: async (seconds) => {
      const { offsetSeconds } = await control<{ offsetSeconds: number }>('POST', 'advance-clock', {
        seconds,
      });
      offsetMs = offsetSeconds * 1000;
      return offsetSeconds;
    },
    now: () => Date.now() + offsetMs,
    refuseMaxAgeZero: async (on) => {
      await control('POST', 'refuse-max-age-zero', { on });
    },
    ignoreMaxAge: async (on) => {
      await control('POST', 'ignore-max-age', { on });
    },
    enforceAcrValues: async (on) => {
      await control('POST', 'enforce-acr-values', { on });
    },
    accessTokenClaims: async (on) => {
      await control('POST', 'access-token-claims', { on });
    },
    accessTokenAlg: async (alg) => {
      await control('POST', 'access-token-alg', { alg });
    },
    idTokenAzp: async (on) => {
      await control('POST', 'id-token-azp', { on });
    },
    authorizationDetailsResponse: async (mode) => {
      await control('POST', 'authorization-details-response', { mode });
    },
    lastConsent: async () =>
      (
        await control<{ authorizationDetails: Record<string, unknown>[] | null }>(
          'GET',
          'last-consent',
        )
      ).authorizationDetails,
    failDiscovery: async (mode) => {
      await control('POST', 'fail-discovery', { mode });
    },
    endSessions: async () => (await control<{ ended: number }>('POST', 'end-sessions')).ended,
    reset: async () => {
      await control('POST', 'reset');
    },
    lastAuthorizationRequest: async () =>
      (
        await control<{ params: Record<string, string> | null }>(
          'GET',
          'last-authorization-request',
        )
      ).params ?? {},
    lastTokenRequest: async () =>
      (
        await control<{ params: Record<string, string | boolean> | null }>(
          'GET',
          'last-token-request',
        )
      ).params ?? {},
    revocations: async () =>
      (await control<{ revocations: OidcRevocation[] }>('GET', 'revocations')).revocations,
    liveRefreshTokens: async () =>
      (await control<{ tokens: LiveRefreshToken[] }>('GET', 'live-refresh-tokens')).tokens,
    tokenRequests: async () =>
      (await control<{ counts: Record<string, number> }>('GET', 'token-requests')).counts,
    jwks: () => controlRequest(ready.issuer, 'GET', '/jwks'),
    signJwt: async (payload, header = {}, alg = 'RS256') =>
      (await control<{ jwt: string }>('POST', 'sign-jwt', { payload, header, alg })).jwt,
    backchannelLogouts: async () =>
      (await control<{ deliveries: BackchannelLogoutDelivery[] }>('GET', 'backchannel-logouts'))
        .deliveries,
    stderr: () => stderr,
    stop: () => (stopped ??= kill(child)),
  };
}

function waitForReady(
  child: ChildProcessWithoutNullStreams,
  stderr: () => string,
): Promise<ReadyLine> {
  return new Promise<ReadyLine>((resolve, reject) => {
    let stdout = '';
    const fail = (reason: string) => {
      cleanup();
      const output = stderr().trim();
      reject(
        new Error(
          `oidc-provider test server ${reason}` +
            (output ? `\n--- its stderr ---\n${output}` : '\n(nothing on its stderr)'),
        ),
      );
    };
    const onData = (chunk: string) => {
      stdout += chunk;
      for (let end = stdout.indexOf('\n'); end !== -1; end = stdout.indexOf('\n')) {
        const line = stdout.slice(0, end).trim();
        stdout = stdout.slice(end + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if ((parsed as { ready?: unknown } | null)?.ready === true) {
          cleanup();
          resolve(parsed as ReadyLine);
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited before it was ready (code ${code}, signal ${signal})`);
    const onError = (err: Error) => fail(`could not start: ${err.message}`);
    const timer = setTimeout(
      () => fail(`was not ready within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function unrefAll(child: ChildProcessWithoutNullStreams): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref(): void }).unref();
  }
  // Keep reading stdout so the process never blocks on a full pipe.
  child.stdout.resume();
}

function refAll(child: ChildProcessWithoutNullStreams): void {
  child.ref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { ref(): void }).ref();
  }
}

/** SIGTERM, then SIGKILL if it lingers; resolves once the process and its pipes are gone. */
function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    child.stdin.destroy();
    return Promise.resolve();
  }
  refAll(child);
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin.destroy();
    child.kill('SIGTERM');
  });
}

/** One JSON request over a fresh connection, so no keep-alive socket outlives the test. */
function controlRequest<T>(
  issuer: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const payload = method === 'POST' ? JSON.stringify(body ?? {}) : undefined;
  return new Promise<T>((resolve, reject) => {
    const req = httpRequest(
      new URL(path, issuer),
      {
        method,
        agent: false,
        headers: {
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(payload)),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 400) {
            reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new Error(`${method} ${path} answered something else than JSON: ${text}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.end(payload);
  });
}

export type OidcSignInInput =
  { username: string; password: string; otp?: string } | { cancel: true };

/**
 * Drives the provider's pages from an authorization URL until the redirect to the app's
 * redirect_uri (not followed); returns that callback URL. With a provider session and nothing
 * to ask, that is just the redirects. A sign-in as another user than the session's goes through
 * the provider's sign-out confirmation first, as a browser would. A refused sign-in (wrong
 * password or one-time code) throws with the page's message.
 *
 * Without `redirectUri`, the callback is the first redirect away from the provider's origin.
 */
export async function signInAtOidcProvider(
  browser: HttpBrowser,
  authorizationUrl: string,
  input: OidcSignInInput,
  options: { redirectUri?: string } = {},
): Promise<string> {
  const provider = new URL(authorizationUrl).origin;
  const isCallback = (next: string) =>
    options.redirectUri !== undefined
      ? next.startsWith(options.redirectUri)
      : new URL(next).origin !== provider;

  let res = await browser.follow(authorizationUrl, isCallback);
  let loginSubmitted = false;
  for (let step = 0; step < 10; step++) {
    // `follow` stops at a page, or at a redirect to the callback.
    if (res.location) return res.location;

    const actions = formActions(res.text);
    if (res.status === 200 && actions.some((action) => action.endsWith('/login'))) {
      if (loginSubmitted) {
        throw new Error(`the provider refused the sign-in: ${pageMessage(res)}`);
      }
      loginSubmitted = true;
      res =
        'cancel' in input
          ? await browser.submit(res, '/abort')
          : await browser.submit(res, '/login', {
              username: input.username,
              password: input.password,
              otp: input.otp ?? '',
            });
    } else if (
      res.status === 200 &&
      actions.some((action) => action.includes(END_SESSION_CONFIRM))
    ) {
      // Another user signing in: the provider ends the current session first (a form a browser
      // submits by itself).
      res = await browser.submit(res, END_SESSION_CONFIRM);
    } else {
      throw new Error(
        `no redirect to the app from the provider: ${res.status} at ${res.url}: ${pageMessage(res)}`,
      );
    }
    if (res.location && !isCallback(res.location)) {
      res = await browser.follow(res.location, isCallback);
    }
  }
  throw new Error(`too many steps at the provider from ${authorizationUrl}`);
}

/**
 * Follows an RP-initiated logout URL (the end_session_endpoint with its parameters), confirms
 * the sign-out, and returns where the provider then sends the browser: the
 * post_logout_redirect_uri (not followed) when there is one, else the provider's own page.
 */
export async function signOutAtOidcProvider(
  browser: HttpBrowser,
  endSessionUrl: string,
): Promise<string> {
  const provider = new URL(endSessionUrl).origin;
  const offProvider = (next: string) => new URL(next).origin !== provider;
  let res = await browser.follow(endSessionUrl, offProvider);
  if (res.status === 200 && formActions(res.text).some((a) => a.includes(END_SESSION_CONFIRM))) {
    res = await browser.submit(res, END_SESSION_CONFIRM);
  }
  if (!res.location) {
    throw new Error(`no redirect after the sign-out: ${res.status}: ${pageMessage(res)}`);
  }
  if (offProvider(res.location)) return res.location;
  return (await browser.follow(res.location, offProvider)).url;
}

const END_SESSION_CONFIRM = '/session/end/confirm';

function formActions(html: string): string[] {
  return [...html.matchAll(/<form\b[^>]*\saction="([^"]*)"/g)].map((match) => match[1]);
}

function pageMessage(res: BrowserResponse): string {
  const text = res.text
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.slice(0, 500) || '(empty page)';
}
