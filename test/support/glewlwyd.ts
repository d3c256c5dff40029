import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send, type HttpBrowser } from './http-browser';
import { freePort } from './ports';

/**
 * Glewlwyd 2.7 (Debian's `glewlwyd` package), a second OpenID Provider independent of panva's
 * `oidc-provider`, started per test with its own SQLite database and configured through its admin
 * REST API. Its clock is libfaketime's: {@link GlewlwydTestProvider.advanceClock} rewrites the
 * offset file the preloaded library reads on every call.
 */

export const GLEWLWYD_BIN = '/usr/bin/glewlwyd';
const MODULES = '/usr/lib/glewlwyd';
const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';
const SQLITE3 = '/usr/bin/sqlite3';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_KEPT = 16 * 1024;
const PLUGIN = 'oidc';
// The admin account and password the packaged SQL creates.
const ADMIN = { username: 'admin', password: 'password' };

/** The scopes a sign-in asks for; each is granted to the client by the user it signs in. */
export const GLEWLWYD_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export interface GlewlwydUser {
  username: string;
  password: string;
  email: string;
}

export const GLEWLWYD_USERS = {
  alice: { username: 'alice', password: 'alice-password', email: 'alice@example.test' },
  bob: { username: 'bob', password: 'bob-password', email: 'bob@example.test' },
} as const satisfies Record<string, GlewlwydUser>;

export interface GlewlwydTestProviderOptions {
  /** The client's registered redirect URIs (exact match). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /**
   * Default `reauthtest`. No `-`, `_`, `.`, `~` or `!`: glewlwyd does not form-decode HTTP Basic
   * credentials, which clients form-encode first (RFC 6749 2.3.1).
   */
  clientId?: string;
  /** Default: 48 random hex digits, for the same reason. */
  clientSecret?: string;
  /** Default 300. */
  accessTokenTtlSeconds?: number;
}

/** One of a user's refresh tokens, as glewlwyd lists them to that user. */
export interface GlewlwydRefreshToken {
  clientId: string;
  enabled: boolean;
  issuedAt: number;
  expiresAt: number;
}

export interface GlewlwydTestProvider {
  /** `http://127.0.0.1:<port>/api/oidc`. */
  issuer: string;
  /** `http://127.0.0.1:<port>`: the login page and the REST API live there. */
  origin: string;
  clientId: string;
  clientSecret: string;
  /**
   * The access tokens' `aud`: glewlwyd puts the granted scope list there, as one string, when the
   * request names no resource.
   */
  audience: string;
  /**
   * Moves glewlwyd's clock (its `time()`, through libfaketime) forward; the app under test moves
   * its own by the same amount through {@link GlewlwydTestProvider.now}. Returns the total offset
   * in seconds.
   */
  advanceClock(seconds: number): Promise<number>;
  /** Glewlwyd's time in ms: real time plus the offset of {@link advanceClock}. */
  now(): number;
  /** The refresh tokens glewlwyd holds for `user` (signed in through the API, on its own). */
  refreshTokens(user: GlewlwydUser): Promise<GlewlwydRefreshToken[]>;
  /** What the process wrote lately (its log goes to the console). */
  output(): string;
  /** Stops the process and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** What glewlwyd's rig needs and lacks here (a file and its Debian package), if anything. */
function glewlwydMissing(): string | undefined {
  for (const [path, pkg] of [
    [GLEWLWYD_BIN, 'glewlwyd'],
    [SQLITE3, 'sqlite3'],
    [FAKETIME_LIB, 'libfaketime'],
  ] as const) {
    if (!existsSync(path)) return `${path} is missing: install the Debian package ${pkg}`;
  }
  return undefined;
}

/**
 * Whether the tests can start glewlwyd. In CI they must, so a missing package fails loudly there;
 * elsewhere a machine without `/usr/bin/glewlwyd` skips the suites, saying so.
 */
export function glewlwydAvailable(): boolean {
  const found = existsSync(GLEWLWYD_BIN);
  if (!found && process.env.CI) {
    throw new Error(
      `glewlwyd is required in CI: ${GLEWLWYD_BIN} is missing (bash .ci/run installs the glewlwyd package)`,
    );
  }
  if (!found) {
    process.stderr.write(
      `Glewlwyd suites SKIPPED: no ${GLEWLWYD_BIN} on this machine (install the Debian package glewlwyd)\n`,
    );
  }
  return found;
}

/** Starts glewlwyd on a free loopback port and configures it (up to 20 s, three ports tried). */
export async function startGlewlwyd(
  options: GlewlwydTestProviderOptions,
): Promise<GlewlwydTestProvider> {
  const missing = glewlwydMissing();
  if (missing) throw new Error(`glewlwyd cannot start: ${missing}`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOnPort(port, options);
    } catch (error) {
      // Something else took the port between freePort() and glewlwyd's bind.
      if (attempt === 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnPort(
  port: number,
  options: GlewlwydTestProviderOptions,
): Promise<GlewlwydTestProvider> {
  const dir = await mkdtemp(join(tmpdir(), 'glewlwyd-'));
  const origin = `http://127.0.0.1:${port}`;
  const clockFile = join(dir, 'faketime');
  const configFile = join(dir, 'glewlwyd.conf');
  const database = join(dir, 'glewlwyd.db');
  try {
    const schema = spawnSync(SQLITE3, [database], { input: await readFile(SCHEMA) });
    if (schema.status !== 0) {
      throw new Error(`sqlite3 could not load ${SCHEMA}: ${schema.stderr.toString().trim()}`);
    }
    await writeFile(clockFile, '+0\n');
    await writeFile(configFile, glewlwydConfig(port, origin, database));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const server = launch(configFile, clockFile);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= server.stop().then(() => rm(dir, { recursive: true, force: true })));
  try {
    await waitForReady(server, origin);
    const configured = await configure(origin, options);
    let offsetSeconds = 0;
    return {
      ...configured,
      origin,
      advanceClock: async (seconds) => {
        if (!Number.isInteger(seconds) || seconds < 0) {
          throw new TypeError(`advanceClock takes whole seconds >= 0, got ${seconds}`);
        }
        offsetSeconds += seconds;
        // A whole file at once: libfaketime re-reads it on every call (FAKETIME_NO_CACHE).
        await writeFile(`${clockFile}.next`, `+${offsetSeconds}\n`);
        await rename(`${clockFile}.next`, clockFile);
        return offsetSeconds;
      },
      now: () => Date.now() + offsetSeconds * 1000,
      refreshTokens: (user) => refreshTokens(origin, user),
      output: server.output,
      stop,
    };
  } catch (error) {
    await stop();
    if (/bind|address already in use/i.test(server.output())) throw new PortTaken(String(error));
    throw error;
  }
}

function glewlwydConfig(port: number, origin: string, database: string): string {
  // No TLS setting at all: with `use_secure_connection=false` glewlwyd 2.7.5 takes TLS as on and
  // exits for want of a certificate; left out (or `=0`), it serves plain HTTP.
  return `port=${port}
bind_address="127.0.0.1"
external_url="${origin}"
login_url="login.html"
api_prefix="api"
allow_origin="*"
log_mode="console"
log_level="INFO"
cookie_secure=0
cookie_same_site="empty"
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${MODULES}/user"
client_module_path="${MODULES}/client"
user_auth_scheme_module_path="${MODULES}/scheme"
plugin_module_path="${MODULES}/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "${database}"; };
`;
}

interface Launched {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Glewlwyd under libfaketime, behind a shell that ends it when this process's end of its stdin
 * closes: a test that forgets stop(), or a Jest that dies, leaves nothing running.
 */
function launch(configFile: string, clockFile: string): Launched {
  const script =
    'LD_PRELOAD="$1" "$2" -c "$3" & pid=$!; ' +
    "trap 'kill $pid 2>/dev/null; wait $pid; exit 0' TERM; " +
    'cat >/dev/null; kill $pid 2>/dev/null; wait $pid';
  const child = spawn(
    '/bin/sh',
    ['-c', script, 'glewlwyd', FAKETIME_LIB, GLEWLWYD_BIN, configFile],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        FAKETIME_TIMESTAMP_FILE: clockFile,
        FAKETIME_NO_CACHE: '1',
        // libmicrohttpd's timeouts keep real time; only the wall clock moves.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        NO_FAKE_STAT: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_KEPT);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  child.once('error', (error) => (exited = `could not start: ${error.message}`));
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref(): void }).unref();
  }
  return {
    child,
    output: () => output,
    exited: () => exited,
    stop: () => {
      if (child.exitCode !== null || child.signalCode !== null || exited !== undefined) {
        child.stdin.destroy();
        return Promise.resolve();
      }
      child.ref();
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        child.stdin.destroy();
      });
    },
  };
}

/** Polls `GET /config` (every 50 ms, up to 20 s) until glewlwyd answers. */
async function waitForReady(server: Launched, origin: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const failure = (reason: string) => {
    const output = server.output().trim();
    return new Error(
      `glewlwyd ${reason}` +
        (output ? `\n--- its output, last lines ---\n${output}` : '\n(it wrote nothing)'),
    );
  };
  for (;;) {
    const exited = server.exited();
    if (exited !== undefined) throw failure(`exited before it was ready (${exited})`);
    try {
      const res = await send(`${origin}/config`, 'GET', {});
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw failure(`was not ready within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A JSON request to glewlwyd's REST API with a session cookie of its own. */
class ApiSession {
  private cookie = '';

  constructor(private readonly origin: string) {}

  async signIn(username: string, password: string): Promise<void> {
    await this.call('POST', '/api/auth/', { username, password });
  }

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await apiCall(this.origin + path, method, this.cookie, body);
    const session = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c.startsWith('GLEWLWYD2_SESSION_ID='));
    if (session) this.cookie = session;
    if (res.status >= 400) {
      throw new Error(`glewlwyd answered ${method} ${path} with ${res.status}: ${res.text}`);
    }
    return res.text ? (JSON.parse(res.text) as unknown) : undefined;
  }
}

function apiCall(url: string, method: string, cookie: string, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return send(
    url,
    method,
    {
      accept: 'application/json',
      ...(cookie ? { cookie } : {}),
      ...(payload === undefined
        ? {}
        : {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
          }),
    },
    payload,
  );
}

/** Everything the tests need, set up through the admin API as an administrator would. */
async function configure(
  origin: string,
  options: GlewlwydTestProviderOptions,
): Promise<Pick<GlewlwydTestProvider, 'issuer' | 'clientId' | 'clientSecret' | 'audience'>> {
  const issuer = `${origin}/api/${PLUGIN}`;
  const clientId = options.clientId ?? 'reauthtest';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('hex');
  const admin = new ApiSession(origin);
  await admin.signIn(ADMIN.username, ADMIN.password);

  // The packaged client backend stores one post-logout URI under a name the OIDC plugin does not
  // read; the plugin reads the list `post_logout_redirect_uris`.
  const clients = (await admin.call('GET', '/api/mod/client/database')) as {
    parameters: { 'data-format': Record<string, unknown> };
  };
  clients.parameters['data-format'].post_logout_redirect_uris = {
    multiple: true,
    read: true,
    write: true,
  };
  await admin.call('PUT', '/api/mod/client/database', clients);
  await admin.call('PUT', '/api/mod/client/database/reset');

  // Every scope needs a password sign-in (the packaged `openid` needs none).
  for (const scope of GLEWLWYD_SCOPES) {
    const definition = {
      name: scope,
      display_name: scope,
      description: `The ${scope} scope`,
      password_required: true,
      password_max_age: 0,
      scheme: {},
    };
    if (scope === 'openid') await admin.call('PUT', `/api/scope/${scope}`, definition);
    else await admin.call('POST', '/api/scope/', definition);
  }

  for (const user of Object.values(GLEWLWYD_USERS)) {
    await admin.call('POST', '/api/user/', {
      username: user.username,
      name: user.username,
      email: user.email,
      password: user.password,
      // `g_profile` lets the user grant scopes to a client, as glewlwyd's login page does.
      scope: ['g_profile', ...GLEWLWYD_SCOPES],
      enabled: true,
    });
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'rig-rs256', alg: 'RS256' };
  await admin.call('POST', '/api/mod/plugin/', {
    module: 'oidc',
    name: PLUGIN,
    display_name: 'OpenID Connect',
    enabled: true,
    parameters: {
      iss: issuer,
      'jwt-type': 'rsa',
      'jwt-key-size': '256',
      'jwks-private': JSON.stringify({ keys: [signingKey] }),
      'default-kid': signingKey.kid,
      'jwks-show': true,
      'access-token-duration': options.accessTokenTtlSeconds ?? 300,
      'refresh-token-duration': 1_209_600,
      'code-duration': 600,
      'refresh-token-rolling': true,
      'refresh-token-one-use': 'never',
      'allow-non-oidc': false,
      'auth-type-code-enabled': true,
      'auth-type-code-revoke-replayed': false,
      'auth-type-token-enabled': false,
      'auth-type-id-token-enabled': true,
      'auth-type-none-enabled': false,
      'auth-type-password-enabled': false,
      'auth-type-client-enabled': false,
      'auth-type-device-enabled': false,
      'auth-type-refresh-enabled': true,
      scope: [],
      'allowed-scope': [...GLEWLWYD_SCOPES],
      'name-claim': 'on-demand',
      'email-claim': 'on-demand',
      'scope-claim': 'no',
      'pkce-allowed': true,
      'pkce-method-plain-allowed': false,
      'introspection-revocation-allowed': true,
      'introspection-revocation-auth-scope': [],
      'introspection-revocation-allow-target-client': true,
      'request-parameter-allow': false,
      'session-management-allowed': true,
      'session-cookie-name': 'GLEWLWYD2_OIDC_SID',
      'session-cookie-expiration': 2_419_200,
    },
  });

  await admin.call('POST', '/api/client/', {
    client_id: clientId,
    name: 'nest-workos-reauth tests',
    description: '',
    enabled: true,
    confidential: true,
    password: clientSecret,
    client_secret: clientSecret,
    redirect_uri: options.redirectUris,
    post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
    authorization_type: ['code', 'refresh_token'],
    token_endpoint_auth_method: ['client_secret_basic', 'client_secret_post'],
    scope: [],
  });
  return { issuer, clientId, clientSecret, audience: GLEWLWYD_SCOPES.join(' ') };
}

async function refreshTokens(origin: string, user: GlewlwydUser): Promise<GlewlwydRefreshToken[]> {
  const session = new ApiSession(origin);
  await session.signIn(user.username, user.password);
  const listed = (await session.call('GET', `/api/${PLUGIN}/token/?limit=1000`)) as {
    client_id: string;
    enabled: boolean;
    issued_at: number;
    expires_at: number;
  }[];
  return listed.map((token) => ({
    clientId: token.client_id,
    enabled: token.enabled,
    issuedAt: token.issued_at,
    expiresAt: token.expires_at,
  }));
}

/** A request to glewlwyd's REST API with the browser's cookies, as its login page makes. */
async function browserApiCall(
  browser: HttpBrowser,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await apiCall(url, method, await browser.jar.getCookieString(url), body);
  for (const cookie of res.headers.getSetCookie()) await browser.jar.setCookie(cookie, url);
  return res;
}

const isLoginPage = (url: string) => new URL(url).pathname.endsWith('/login.html');

/**
 * Signs in at glewlwyd from an authorization URL, as its login page (a JavaScript app) would:
 * follows the URL to the login page, signs in with the password through `POST /api/auth/` in the
 * browser's cookie jar, grants the requested scopes to the client where they are not yet
 * granted, then goes back to the authorization URL with `g_continue` (the page's "continue") and
 * follows the redirects to the callback, which it returns (not followed). An authorization URL
 * that glewlwyd answers at once (an error, or a session with nothing to ask) goes straight there.
 * A refused password throws.
 */
export async function signInAtGlewlwyd(
  browser: HttpBrowser,
  authorizationUrl: string,
  user: { username: string; password: string },
  options: { redirectUri: string },
): Promise<string> {
  const isCallback = (next: string) => next.startsWith(options.redirectUri);
  const first = await browser.follow(
    authorizationUrl,
    (next) => isCallback(next) || isLoginPage(next),
  );
  if (!first.location) {
    throw new Error(
      `glewlwyd sent no redirect for ${authorizationUrl}: ${first.status} ${first.text}`,
    );
  }
  if (isCallback(first.location)) return first.location;

  const login = new URL(first.location);
  const origin = login.origin;
  const continueTo = login.searchParams.get('callback_url');
  const clientId = login.searchParams.get('client_id');
  const scope = login.searchParams.get('scope');
  if (!continueTo || !clientId || !scope) {
    throw new Error(`glewlwyd's login page was not asked for a sign-in: ${first.location}`);
  }
  const auth = await browserApiCall(browser, 'POST', `${origin}/api/auth/`, {
    username: user.username,
    password: user.password,
  });
  if (auth.status !== 200) {
    throw new Error(
      `glewlwyd refused the sign-in of ${user.username}: ${auth.status} ${auth.text}`,
    );
  }
  const grantUrl = `${origin}/api/auth/grant/${encodeURIComponent(clientId)}`;
  const grants = await browserApiCall(browser, 'GET', `${grantUrl}/${encodeURIComponent(scope)}`);
  const listed = JSON.parse(grants.text) as { scope: { name: string; granted: boolean }[] };
  if (listed.scope.some((s) => !s.granted)) {
    const granted = await browserApiCall(browser, 'PUT', grantUrl, {
      scope: listed.scope.map((s) => s.name).join(' '),
    });
    if (granted.status !== 200) {
      throw new Error(
        `glewlwyd refused the grant of "${scope}": ${granted.status} ${granted.text}`,
      );
    }
  }
  const again = new URL(continueTo);
  again.searchParams.set('g_continue', '');
  const done = await browser.follow(again.href, isCallback);
  if (!done.location || !isCallback(done.location)) {
    throw new Error(
      `no redirect to the app from glewlwyd after the sign-in: ${done.status} at ${done.url}`,
    );
  }
  return done.location;
}

/**
 * Follows an RP-initiated logout URL (glewlwyd's end_session_endpoint with its parameters) to
 * glewlwyd's logout page and does what that page does: lists the session's clients, ends the
 * session (which disables its tokens), signs the user out of glewlwyd, and returns where the page
 * then sends the browser (the `post_logout_redirect_uri`, with `state` if one was given), or
 * `null` where glewlwyd names no such place.
 */
export async function signOutAtGlewlwyd(
  browser: HttpBrowser,
  endSessionUrl: string,
): Promise<{ loginPage: string; sessionListStatus: number; returnTo: string | null }> {
  const res = await browser.follow(endSessionUrl, isLoginPage);
  if (!res.location)
    throw new Error(`glewlwyd sent no redirect for ${endSessionUrl}: ${res.status}`);
  const page = new URL(res.location);
  const sid = page.searchParams.get('sid');
  const plugin = page.searchParams.get('plugin');
  const clientId = page.searchParams.get('client_id');
  if (page.searchParams.get('prompt') !== 'end_session' || !sid || !plugin || !clientId) {
    throw new Error(`glewlwyd's logout page was not asked to end a session: ${res.location}`);
  }
  const api = `${page.origin}/api`;
  const postRedirectTo = page.searchParams.get('post_redirect_to');
  const query = postRedirectTo ? `?post_redirect_to=${encodeURIComponent(postRedirectTo)}` : '';
  // The page first lists the session's clients (for their front-channel logout URIs). Glewlwyd
  // 2.7.5 answers this client's list with a bare 400; the helper reports it and goes on.
  const listed = await browserApiCall(
    browser,
    'GET',
    `${api}/${plugin}/session/${sid}/${encodeURIComponent(clientId)}${query}`,
  );
  for (const [method, url] of [
    ['DELETE', `${api}/${plugin}/session/${sid}`],
    ['DELETE', `${api}/auth/`],
  ] as const) {
    const step = await browserApiCall(browser, method, url);
    if (step.status !== 200) {
      throw new Error(`glewlwyd answered ${method} ${url} with ${step.status}: ${step.text}`);
    }
  }
  return {
    loginPage: res.location,
    sessionListStatus: listed.status,
    returnTo: page.searchParams.get('callback_url'),
  };
}
