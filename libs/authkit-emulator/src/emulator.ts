import express from 'express';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { apiRoutes } from './api.routes';
import { authorizeRoutes } from './authorize.routes';
import { EmulatorClock } from './clock';
import { EmulatorContext } from './context';
import { resolveEmulatorOptions, type AuthKitEmulatorOptions } from './emulator.options';
import { EmulatorHttpError, errorHandler, sendError } from './errors';
import { hostCheck } from './host-check';
import { KeyRing } from './keys';
import { EmulatorStore } from './store';
import {
  issueAuthorizationCode,
  mintAccessToken,
  parseAuthorizationCodeInput,
  parseMintInput,
  testControlRoutes,
  type IssueAuthorizationCodeInput,
  type MintAccessTokenInput,
} from './test-controls.routes';
import { createUsers, type EmulatorUserSeed } from './users';
import { FaultInjector, type EmulatorFaults } from './faults';
import {
  WebhookDispatcher,
  parseWebhookEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointOptions,
} from './webhooks';

/** A running emulator. */
export interface AuthKitEmulator {
  /** `http://127.0.0.1:<port>`: the SDK's `apiHostname` is 127.0.0.1 with this port. */
  url: string;
  /** The TCP port it listens on at 127.0.0.1: the one asked for, or the one picked for `0`. */
  port: number;
  /**
   * The client id that `/authorize`, the code exchange and the JWKS URL accept; the tokens'
   * `iss` ends with it.
   */
  clientId: string;
  /** The API key the SDK presents as its bearer token (or `client_secret`). */
  apiKey: string;
  /** The registered redirect URIs (a copy); the first is the default for test-issued codes. */
  redirectUris: string[];
  /** The emulator's clock, in whole seconds. */
  now(): number;
  /** Moves the emulator's clock forward; returns the new time in seconds. */
  advanceClock(seconds: number): number;
  /** Signs an access token for a known user with the `auth_time` you choose. */
  mintAccessToken(input: MintAccessTokenInput): Promise<string>;
  /**
   * Signs a known user in without the hosted pages, at the `auth_time` you choose (default now),
   * and returns the authorization code the pages would have redirected with: single-use, valid
   * for 10 minutes, redeemed by `authenticateWithCode` with the API key.
   *
   * @example
   * ```ts
   * const code = await emulator.issueAuthorizationCode({
   *   email: 'alice@example.com',
   *   authTime: emulator.now() - 600,
   * });
   * const { accessToken } = await workos.userManagement.authenticateWithCode({
   *   clientId: emulator.clientId,
   *   code,
   * });
   * ```
   */
  issueAuthorizationCode(input: IssueAuthorizationCodeInput): Promise<string>;
  /** Signs with a new key from now on; the old key stays in the JWKS for the grace period. */
  rotateKeys(): Promise<string>;
  /** Turns the "ignores max_age" provider behaviour on or off. */
  setIgnoreMaxAge(ignore: boolean): void;
  /**
   * Replaces the injected faults: latency, server errors or hanging requests on the calls an app
   * makes (`authenticate`, `jwks`, `users`, `revoke`, `challenge`); `{}` clears them.
   *
   * @example
   * ```ts
   * emulator.setFaults({ jwks: { status: 503, times: 3 }, authenticate: { latencyMs: 2000 } });
   * ```
   */
  setFaults(faults: EmulatorFaults): void;
  /** The faults in force, with what is left of each `times`. */
  faults(): EmulatorFaults;
  /**
   * Sends `session.revoked` and `user.deleted` events to one more endpoint from now on; returns
   * its id. Throws a `TypeError` naming a bad field.
   */
  addWebhookEndpoint(endpoint: WebhookEndpointOptions): string;
  /** Stops sending events to an endpoint; false when none has the id. */
  removeWebhookEndpoint(id: string): boolean;
  /** The endpoints events go to, without their secrets. */
  webhookEndpoints(): WebhookEndpoint[];
  /** Every delivery so far (the latest 1,000), with each attempt; oldest first. */
  webhookDeliveries(): WebhookDelivery[];
  /**
   * Resolves with the deliveries once none is pending: each one answered with a 2xx, or failed
   * after its retries. A test awaits it instead of waiting for an event to arrive.
   *
   * @example
   * ```ts
   * await workos.userManagement.revokeSession({ sessionId });
   * const [delivery] = await emulator.webhooksSettled();
   * expect(delivery).toMatchObject({ event: 'session.revoked', state: 'delivered' });
   * ```
   */
  webhooksSettled(): Promise<WebhookDelivery[]>;
  /**
   * Adds a user who can sign in from now on (a seed as in `users`); returns its id. A user
   * deleted with `deleteUser` can come back: the same email gives the same id, unless `id` says
   * otherwise. Throws a `TypeError` for a bad seed or an email or id already in use.
   */
  addUser(seed: EmulatorUserSeed): string;
  /**
   * Deletes a user as `DELETE /user_management/users/:id` does: the user and every session of
   * theirs are gone, and `user.deleted` is sent. False when no user has the id.
   */
  deleteUser(id: string): boolean;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** How long one delivery attempt may take before it counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Starts a local AuthKit on 127.0.0.1 that the real `@workos-inc/node` SDK talks to over HTTP.
 * A development and test tool: never expose it, and never use it in production.
 *
 * @example
 * ```ts
 * const emulator = await startAuthKitEmulator({ port: 0, testControls: true });
 * const workos = new WorkOS(emulator.apiKey, {
 *   apiHostname: '127.0.0.1',
 *   port: emulator.port,
 *   https: false,
 *   clientId: emulator.clientId,
 * });
 * // ... sign in through workos.userManagement.getAuthorizationUrl(...)
 * await emulator.close();
 * ```
 */
export async function startAuthKitEmulator(
  options: AuthKitEmulatorOptions = {},
): Promise<AuthKitEmulator> {
  const resolved = resolveEmulatorOptions(options);
  const clock = new EmulatorClock(resolved.now);
  const users = createUsers(resolved.users, new Date(clock.nowMs()));
  const keys = await KeyRing.create(clock, resolved.keyRotationGraceSeconds);
  const webhooks = new WebhookDispatcher(
    clock,
    {
      retryDelaysMs: resolved.webhookRetryDelaysMs,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
      log: resolved.log,
    },
    resolved.webhooks,
  );
  // Every path that ends a session goes through the store, which reports each end once.
  const store = new EmulatorStore(clock, resolved.codeTtlSeconds, (session) =>
    ctx.sessionEnded(session),
  );
  const ctx = new EmulatorContext(resolved, clock, keys, store, users, webhooks);
  const faults = new FaultInjector();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    // The path only: query strings carry codes, tokens and states.
    res.on('finish', () => resolved.log(`${req.method} ${req.path} ${res.statusCode}`));
    next();
  });
  // Before the body parsers and every route; `port` is known once the server listens.
  app.use(hostCheck(() => port));
  app.use(express.json({ limit: '32kb' }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.use(authorizeRoutes(ctx));
  app.use(faults.middleware());
  app.use(apiRoutes(ctx));
  if (resolved.testControls) app.use(testControlRoutes(ctx, faults));
  app.use((_req, res) => sendError(res, EmulatorHttpError.notFound('Resource')));
  app.use(errorHandler(resolved.log));

  // Node would answer a missing Host with its own bare 400; hostCheck answers it like any other.
  const server = createServer({ requireHostHeader: false }, app);
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(resolved.port, '127.0.0.1');
  });
  const { port } = server.address() as AddressInfo;
  ctx.url = `http://127.0.0.1:${port}`;

  return {
    url: ctx.url,
    port,
    clientId: resolved.clientId,
    apiKey: resolved.apiKey,
    redirectUris: [...resolved.redirectUris],
    now: () => clock.nowSeconds(),
    advanceClock: (seconds) => clock.advance(seconds),
    mintAccessToken: async (input) =>
      (await mintAccessToken(ctx, parseMintInput(input))).accessToken,
    issueAuthorizationCode: (input) =>
      Promise.resolve(input).then(
        (raw) => issueAuthorizationCode(ctx, parseAuthorizationCodeInput(raw)).code,
      ),
    rotateKeys: () => keys.rotate(),
    setIgnoreMaxAge: (ignore) => {
      ctx.ignoreMaxAge = ignore;
    },
    setFaults: (injected) => faults.set(injected),
    faults: () => faults.current(),
    addWebhookEndpoint: (endpoint) =>
      webhooks.addEndpoint(parseWebhookEndpoint(endpoint, 'endpoint')),
    removeWebhookEndpoint: (id) => webhooks.removeEndpoint(id),
    webhookEndpoints: () => webhooks.endpoints(),
    webhookDeliveries: () => webhooks.deliveries(),
    webhooksSettled: () => webhooks.settled(),
    addUser: (seed) => ctx.addUser(seed).id,
    deleteUser: (id) => ctx.deleteUser(id),
    close: () =>
      new Promise<void>((resolve, reject) => {
        webhooks.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
