// A real OpenID Provider (panva's oidc-provider) for end-to-end tests, run as its own process.
//
// Configuration is one JSON object, from the OIDC_TEST_PROVIDER_CONFIG environment variable or
// the first argument. With `stock: true` the provider keeps oidc-provider's own defaults for
// everything an app's sign-in meets (see `stockConfiguration` below). Once listening on 127.0.0.1 it prints exactly one line on stdout:
//   {"ready":true,"issuer":"http://127.0.0.1:PORT","clientId":...,"clientSecret":...,"resource":...}
// Everything else (oidc-provider's notices and warnings included) goes to stderr.
//
// Besides the provider's own endpoints it serves:
//   /interaction/:uid          sign-in pages (username, password, optional one-time code)
//   /__test/...                JSON controls for the test process (see `controls` below)
//
// With `backchannelLogoutUri`, the client is registered for OpenID Connect Back-Channel Logout
// 1.0 there (and `backchannel_logout_session_required`, unless `backchannelLogoutSessionRequired`
// is false): confirming a sign-out at the end-session endpoint POSTs a Logout Token to it before
// the provider answers. Without it, the feature stays off, as in oidc-provider's defaults.
//
// This file is plain ESM JavaScript and only imports Node built-ins explicitly, so it runs as is
// under `node` and never goes through Jest's transforms.

import { Buffer } from 'node:buffer';
import { createPrivateKey, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';
import { URL, URLSearchParams } from 'node:url';
import { promisify } from 'node:util';

// oidc-provider reports through console.info/console.warn; stdout carries only the ready line.
const writeErr = (...args) => process.stderr.write(`${args.map(String).join(' ')}\n`);
globalThis.console.info = writeErr;
globalThis.console.log = writeErr;
globalThis.console.warn = writeErr;

const { default: Provider, errors, interactionPolicy } = await import('oidc-provider');

const USERS = {
  alice: {
    sub: 'user_alice',
    email: 'alice@example.test',
    password: 'alice-password',
    otp: '123456',
  },
  bob: {
    sub: 'user_bob',
    email: 'bob@example.test',
    password: 'bob-password',
    otp: '654321',
  },
};

const LOA_1 = 'urn:example:loa:1';
const LOA_2 = 'urn:example:loa:2';
const SIGNING_ALGS = new Set(['RS256', 'ES256']);

function readConfig() {
  const raw = process.env.OIDC_TEST_PROVIDER_CONFIG ?? process.argv[2];
  if (!raw) throw new Error('no configuration: set OIDC_TEST_PROVIDER_CONFIG or pass JSON');
  const config = JSON.parse(raw);
  if (!Array.isArray(config.redirectUris) || config.redirectUris.length === 0) {
    throw new Error('configuration needs redirectUris');
  }
  if (
    config.backchannelLogoutUri !== undefined &&
    !/^https?:\/\//.test(String(config.backchannelLogoutUri))
  ) {
    throw new Error('backchannelLogoutUri must be an http(s) URL');
  }
  for (const name of ['accessTokenAlg', 'idTokenAlg']) {
    if (config[name] !== undefined && !SIGNING_ALGS.has(config[name])) {
      throw new Error(`${name} must be RS256 or ES256`);
    }
  }
  return config;
}

const config = readConfig();

async function signingKeys() {
  const generate = promisify(generateKeyPair);
  const [rsa, ec] = await Promise.all([
    generate('rsa', { modulusLength: 2048 }),
    generate('ec', { namedCurve: 'P-256' }),
  ]);
  const suffix = randomBytes(4).toString('hex');
  return [
    {
      ...rsa.privateKey.export({ format: 'jwk' }),
      kid: `rs256-${suffix}`,
      alg: 'RS256',
      use: 'sig',
    },
    {
      ...ec.privateKey.export({ format: 'jwk' }),
      kid: `es256-${suffix}`,
      alg: 'ES256',
      use: 'sig',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The provider's clock: real time plus an offset the tests advance, so that the app under test
// (whose clock is moved by the same amount) and the provider agree on "now" without waiting.

const realNow = Date.now.bind(Date);
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;

// ---------------------------------------------------------------------------------------------
// Step-up by acr_values, as providers that honour them do: a session whose acr is not one of the
// requested values is asked to sign in again; if the new sign-in still does not reach one, the
// provider answers login_required. With the `enforceAcrValues` control off, acr_values are only
// a wish (as OpenID Connect allows) and the tokens say whatever acr the sign-in reached.

function stepUpPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(
    new interactionPolicy.Check(
      'acr_values_not_met',
      'none of the requested acr_values could be obtained',
      (ctx) => {
        const requested = ctx.oidc.params.acr_values;
        if (!state.enforceAcrValues || typeof requested !== 'string' || requested === '') {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        if (requested.split(' ').includes(ctx.oidc.acr)) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        // The user just signed in and still did not reach it: say so instead of asking again.
        if (ctx.oidc.result?.login) {
          throw new errors.LoginRequired('none of the requested acr_values could be obtained');
        }
        return interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  // Entra-style authentication contexts (`authenticationContexts`): a `claims` request for
  // `access_token.acrs` is met by a sign-in that reached the acr a requested context stands for;
  // enforced (or only a wish) as acr_values are.
  policy.get('login').checks.add(
    new interactionPolicy.Check(
      'acrs_not_met',
      'none of the requested authentication contexts could be obtained',
      (ctx) => {
        const contexts = requestedContexts(parseClaims(ctx.oidc.params.claims));
        if (!state.enforceAcrValues || contexts.length === 0) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        if (contextsMet(contexts, ctx.oidc.acr).length > 0) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        if (ctx.oidc.result?.login) {
          throw new errors.LoginRequired(
            'none of the requested authentication contexts could be obtained',
          );
        }
        return interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}

function parseClaims(value) {
  if (typeof value === 'object' && value !== null) return value;
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The authentication contexts a claims request asks for in `access_token.acrs`. */
function requestedContexts(claims) {
  const acrs = claims?.access_token?.acrs;
  if (!config.authenticationContexts || typeof acrs !== 'object' || acrs === null) return [];
  const values = Array.isArray(acrs.values) ? acrs.values : [acrs.value];
  return values.filter((value) => typeof value === 'string');
}

/** The requested contexts a sign-in with `acr` meets. */
function contextsMet(contexts, acr) {
  return contexts.filter((context) => config.authenticationContexts?.[context] === acr);
}

// ---------------------------------------------------------------------------------------------
// Mutable behaviour, changed through the /__test controls.

function initialState() {
  return {
    signedInSecondsAgo: null,
    ignoreMaxAge: false,
    refuseMaxAgeZero: false,
    enforceAcrValues: true,
    accessTokenClaims: true,
    accessTokenAlg: config.accessTokenAlg ?? 'RS256',
    idTokenAzp: false,
    failDiscovery: null,
    lastAuthorizationRequest: null,
    lastTokenRequest: null,
    lastConsentDetails: null,
    authorizationDetailsResponse: null,
    revocations: [],
    tokenRequests: {},
    backchannelLogouts: [],
  };
}

let state = initialState();

// ---------------------------------------------------------------------------------------------
// Small HTTP helpers.

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readForm(ctx) {
  return Object.fromEntries(new URLSearchParams(await readBody(ctx.req)));
}

async function readJson(ctx) {
  const body = await readBody(ctx.req);
  return body ? JSON.parse(body) : {};
}

function escapeHtml(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

function findUser(username) {
  const name = String(username ?? '')
    .trim()
    .toLowerCase();
  return Object.values(USERS).find((user) => user.email === name || USERS[name] === user);
}

function findUserBySub(sub) {
  return Object.values(USERS).find((user) => user.sub === sub);
}

function epochNow() {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// RFC 9396 Rich Authorization Requests, with `richAuthorizationRequests: true`: the type a
// library's bound re-authentication sends, validated as a provider registering it would. The
// consent prompt shows the details (recorded for the tests); the authorization code and then the
// access token get what was requested, which the token endpoint returns as
// `authorization_details` (and the JWT access token carries as a claim). The
// `authorization-details-response` control bends what the token endpoint returns.

const STEP_UP_ACTION = 'step_up_action';
const STEP_UP_ACTION_MEMBERS = new Set(['type', 'identifier', 'summary', 'fields']);

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateStepUpAction(_ctx, detail) {
  const unknown = Object.keys(detail).find((member) => !STEP_UP_ACTION_MEMBERS.has(member));
  if (unknown !== undefined) {
    throw new errors.InvalidAuthorizationDetails(
      `unexpected ${STEP_UP_ACTION} member '${unknown}'`,
    );
  }
  if (typeof detail.identifier !== 'string' || detail.identifier === '') {
    throw new errors.InvalidAuthorizationDetails("'identifier' must be a non-empty string");
  }
  if (typeof detail.summary !== 'string' || detail.summary.length > 200) {
    throw new errors.InvalidAuthorizationDetails(
      "'summary' must be a string of at most 200 characters",
    );
  }
  if (!isPlainObject(detail.fields)) {
    throw new errors.InvalidAuthorizationDetails("'fields' must be an object");
  }
}

function requestedAuthorizationDetails(ctx) {
  const requested = ctx.oidc.params.authorization_details;
  return typeof requested === 'string' ? JSON.parse(requested) : undefined;
}

/** What the token endpoint returns: as granted, or bent by the control. */
function authorizationDetailsForAccessToken(_ctx, _token, source) {
  const granted = source?.rar;
  switch (state.authorizationDetailsResponse) {
    case 'omit':
      return undefined;
    case 'alter':
      return granted?.map((detail) => ({ ...detail, identifier: `${detail.identifier}-altered` }));
    default:
      return granted;
  }
}

const richAuthorizationRequests = {
  enabled: true,
  types: { [STEP_UP_ACTION]: { validate: validateStepUpAction } },
  // The consent prompt (`rar_prompt`) asks for every request that carries details, so the
  // requested ones are the ones the user just consented to.
  authorizationDetailsForGrantSource: (ctx) => requestedAuthorizationDetails(ctx),
  authorizationDetailsForAccessToken,
  authorizationDetailsForIntrospection: (_ctx, token) => token.rar,
};

// ---------------------------------------------------------------------------------------------
// The provider.

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port ?? 0, '127.0.0.1', () => resolve(undefined));
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const resource = config.resource ?? `${issuer}/api`;
const clientId = config.clientId ?? 'reauth-test-client';
const clientSecret = config.clientSecret ?? randomBytes(32).toString('base64url');
const accessTokenTtl = config.accessTokenTtlSeconds ?? 3600;
const issueRefreshTokens = config.refreshTokens ?? true;
const DAY = 24 * 60 * 60;
const backchannelLogout = config.backchannelLogoutUri !== undefined;
const signingJwks = await signingKeys();

// What every configuration has: the client, keys, accounts, the sign-in pages, the sign-out
// pages, and JWT access tokens for one resource (without a resource server, oidc-provider issues
// opaque access tokens, which no app can verify on its own).
const common = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: config.tokenEndpointAuthMethod ?? 'client_secret_basic',
      redirect_uris: config.redirectUris,
      post_logout_redirect_uris: config.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: config.idTokenAlg ?? 'RS256',
      // RFC 9396 client metadata: oidc-provider refuses types a client is not registered for.
      ...(config.richAuthorizationRequests === true
        ? { authorization_details_types: [STEP_UP_ACTION] }
        : {}),
      ...(backchannelLogout
        ? {
            backchannel_logout_uri: config.backchannelLogoutUri,
            backchannel_logout_session_required: config.backchannelLogoutSessionRequired !== false,
          }
        : {}),
    },
  ],
  jwks: { keys: signingJwks },
  // oidc-provider refuses to reach loopback addresses (its guard against SSRF); the app under
  // test listens on one, so the Logout Tokens it is sent go without that guard.
  ...(backchannelLogout
    ? { fetch: (url, { dispatcher: _guarded, ...options }) => globalThis.fetch(url, options) }
    : {}),
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (_ctx, sub) => {
    const user = findUserBySub(sub);
    if (!user) return undefined;
    return {
      accountId: user.sub,
      claims: () => ({ sub: user.sub, email: user.email, email_verified: true }),
    };
  },
  renderError: (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page(
      'Sign-in error',
      Object.entries(out)
        .map(
          ([key, value]) =>
            `<p data-${escapeHtml(key)}>${escapeHtml(key)}: ${escapeHtml(value)}</p>`,
        )
        .join('\n'),
    );
  },
};

const commonFeatures = {
  devInteractions: { enabled: false },
  // Authorization requests go through the front channel only, where they are recorded.
  pushedAuthorizationRequests: { enabled: false },
  claimsParameter: { enabled: config.claimsParameter === true },
  // Needs resource indicators (below): details are granted for a resource, the default one here.
  ...(config.richAuthorizationRequests === true ? { richAuthorizationRequests } : {}),
  ...(backchannelLogout ? { backchannelLogout: { enabled: true } } : {}),
  rpInitiatedLogout: {
    enabled: true,
    logoutSource: (ctx, form) => {
      const signOut = form.replace(
        '</form>',
        '<input type="hidden" name="logout" value="yes"/><button type="submit">Yes, sign me out</button></form>',
      );
      const stay = form
        .replace(' id="op.logoutForm"', '')
        .replace('</form>', '<button type="submit">No, stay signed in</button></form>');
      ctx.body = page('Sign out?', `${signOut}\n${stay}`);
    },
    postLogoutSuccessSource: (ctx) => {
      ctx.body = page('Signed out', '<p>You are signed out.</p>');
    },
  },
  resourceIndicators: {
    enabled: true,
    defaultResource: (_ctx, _client, oneOf) => oneOf ?? resource,
    useGrantedResource: () => true,
    getResourceServerInfo: (_ctx, indicator) => {
      if (indicator !== resource) throw new errors.InvalidTarget();
      return {
        scope: ['openid email offline_access', ...(config.resourceScopes ?? [])].join(' '),
        audience: resource,
        accessTokenTTL: accessTokenTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: state.accessTokenAlg } },
      };
    },
  },
};

// oidc-provider's defaults for everything else: refresh tokens only for `offline_access`, which
// it grants only with `prompt=consent` (OpenID Connect Core 11); `auth_time` in ID tokens only
// when asked for (`max_age`, or the `claims` parameter where enabled); nothing extra in access
// tokens; a consent prompt for whatever the grant lacks (the test pages grant it, as a
// first-party app's consent page would); no revocation endpoint.
function stockConfiguration() {
  return {
    ...common,
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      email: ['email', 'email_verified'],
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: commonFeatures,
  };
}

// The provider most suites run against, bent where noted to make their scenarios possible.
function customisedConfiguration() {
  return {
    ...common,
    responseTypes: ['code'],
    pkce: { required: () => true },
    acrValues: [LOA_1, LOA_2],
    // `auth_time`, `acr` and `amr` come with the `openid` scope, so every ID token carries them
    // (`sid` too, see `includeSid` below).
    claims: {
      openid: ['sub', 'auth_time', 'acr', 'amr'],
      email: ['email', 'email_verified'],
      sid: null,
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Grant: DAY,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: DAY,
      Session: DAY,
    },
    // oidc-provider drops `offline_access` from a request unless it also says `prompt=consent`
    // (OpenID Connect Core 11), so tying refresh tokens to that scope would mean none for a plain
    // sign-in or a `prompt=login` step-up. The client is registered for the refresh_token grant,
    // and that is what decides here (unless the provider was started with refreshTokens: false).
    issueRefreshToken: (_ctx, client) =>
      issueRefreshTokens && client.grantTypeAllowed('refresh_token'),
    // Tokens outlive the sign-in session: ending sessions (or signing out through end_session)
    // forces a new login, and leaves issued tokens valid; revocation is what ends a grant.
    expiresWithSession: () => false,
    rotateRefreshToken: config.rotateRefreshTokens ?? false,
    // The test client is first party: whatever it asks for is granted without a consent page.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const accountId = oidc.session.accountId;
      const grantId =
        oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== accountId) {
        grant = new oidc.provider.Grant({ accountId, clientId: oidc.client.clientId });
      }
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
        const scopes = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
        if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
      }
      await grant.save();
      return grant;
    },
    // Access tokens carry the authentication they come from: the authorization code's, or the
    // refresh token's, which keeps the original sign-in's values across refreshes.
    extraTokenClaims: (ctx, token) => {
      if (!state.accessTokenClaims || token.kind !== 'AccessToken') return undefined;
      const source = ctx?.oidc?.entities.AuthorizationCode ?? ctx?.oidc?.entities.RefreshToken;
      if (!source) return undefined;
      return {
        auth_time: source.authTime,
        acr: source.acr,
        amr: source.amr,
        // The sign-in session, as Keycloak's access tokens name it.
        ...(config.accessTokenSid === true && source.sid ? { sid: source.sid } : {}),
        ...config.extraAccessTokenClaims?.[source.accountId],
        ...authenticationContextClaims(source),
      };
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: stepUpPolicy(),
    },
    features: {
      ...commonFeatures,
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
    },
  };
}

/** `acrs`: the authentication contexts the sign-in's claims request asked for and met. */
function authenticationContextClaims(source) {
  const met = contextsMet(requestedContexts(parseClaims(source.claims)), source.acr);
  return met.length > 0 ? { acrs: met } : {};
}

const provider = new Provider(
  issuer,
  config.stock === true ? stockConfiguration() : customisedConfiguration(),
);

// The in-memory adapter cannot list what it holds; remember session ids to end them on demand.
const sessionAdapter = provider.Session.adapter;
const sessionIds = new Set();
{
  const upsert = sessionAdapter.upsert.bind(sessionAdapter);
  sessionAdapter.upsert = (id, payload, expiresIn) => {
    sessionIds.add(id);
    return upsert(id, payload, expiresIn);
  };
  const destroy = sessionAdapter.destroy.bind(sessionAdapter);
  sessionAdapter.destroy = (id) => {
    sessionIds.delete(id);
    return destroy(id);
  };
}

// The same for refresh tokens: every one issued, to tell which are still alive.
const refreshTokenIds = new Set();
{
  const adapter = provider.RefreshToken.adapter;
  const upsert = adapter.upsert.bind(adapter);
  adapter.upsert = (id, payload, expiresIn) => {
    refreshTokenIds.add(id);
    return upsert(id, payload, expiresIn);
  };
}

/**
 * The refresh tokens the token endpoint would still take: found, not expired, not consumed
 * (rotation), and of a grant that was not revoked.
 */
async function liveRefreshTokens() {
  const live = [];
  for (const id of refreshTokenIds) {
    const token = await provider.RefreshToken.find(id);
    if (!token || token.consumed || token.isExpired) continue;
    if (!(await provider.Grant.find(token.grantId))) continue;
    live.push({ accountId: token.accountId, grantId: token.grantId, sid: token.sid ?? null });
  }
  return live;
}

// ID tokens always carry `sid` (oidc-provider adds it only for clients registered for
// back-channel logout with a session, or when the request's `claims` asks for it).
if (config.stock !== true) provider.Client.prototype.includeSid = () => true;

// While the `idTokenAzp` control is on, ID tokens name their client in `azp` too, as Google's
// and Keycloak's do: such an ID token carries nothing else that only ID tokens carry unless it
// was asked for with a `nonce`.
{
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = function issueWithAzp(options) {
    if (state.idTokenAzp && options?.use === 'idtoken') this.set('azp', this.client.clientId);
    return issue.call(this, options);
  };
}

provider.on('server_error', (_ctx, err) => writeErr('oidc-provider server_error:', err?.stack));

// Every Logout Token the provider sent, as the test sees it: to which client, naming which
// user and session (`sid` only where the client requires it), and whether the client took it.
const carriedSid = (client, sid) => (client.backchannelLogoutSessionRequired ? sid : null);
provider.on('backchannel.success', (_ctx, client, accountId, sid) => {
  state.backchannelLogouts.push({
    clientId: client.clientId,
    sub: accountId,
    sid: carriedSid(client, sid),
    delivered: true,
  });
});
provider.on('backchannel.error', (_ctx, err, client, accountId, sid) => {
  state.backchannelLogouts.push({
    clientId: client.clientId,
    sub: accountId,
    sid: carriedSid(client, sid),
    delivered: false,
    error: err?.message ?? String(err),
  });
});

// ---------------------------------------------------------------------------------------------
// Sign-in pages.

function loginPage(interaction, { error, username } = {}) {
  const uid = escapeHtml(interaction.uid);
  const { params, prompt } = interaction;
  const requested = ['acr_values', 'max_age', 'prompt', 'login_hint']
    .filter((name) => params[name] !== undefined)
    .map((name) => `${name}=${params[name]}`)
    .join(' ');
  return page(
    'Sign in',
    `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : ''}<p data-reasons="${escapeHtml(prompt.reasons.join(' '))}">Client ${escapeHtml(params.client_id)}${requested ? `, requested ${escapeHtml(requested)}` : ''}</p>
<form method="post" action="/interaction/${uid}/login">
<label>Username <input type="text" name="username" value="${escapeHtml(username ?? params.login_hint ?? '')}"></label>
<label>Password <input type="password" name="password" value=""></label>
<label>One-time code (optional) <input type="text" name="otp" value=""></label>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort">
<button type="submit">Cancel</button>
</form>`,
  );
}

async function finishInteraction(ctx, result, { mergeWithLastSubmission = false } = {}) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission,
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/** Grants what a consent prompt says is missing; the test client never sees a consent page. */
async function grantConsent(ctx, interaction) {
  const { details } = interaction.prompt;
  const accountId = interaction.session?.accountId;
  let grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  grant ??= new provider.Grant({ accountId, clientId: interaction.params.client_id });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  // What a consent page would show the user (RFC 9396 `authorization_details`).
  if (details.rar) state.lastConsentDetails = details.rar;
  const grantId = await grant.save();
  // Merged with the sign-in of the same request: with `prompt=login consent`, a consent that
  // dropped it would have the provider ask for the login again.
  await finishInteraction(ctx, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interactionRoutes(ctx) {
  const match = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(ctx.path);
  if (!match) return false;
  const [, uid, action] = match;
  let interaction;
  try {
    interaction = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Sign-in error', `<p class="error">${escapeHtml(err.message)}</p>`);
    return true;
  }
  if (interaction.uid !== uid) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Sign-in error', '<p class="error">interaction mismatch</p>');
    return true;
  }

  if (!action && ctx.method === 'GET') {
    if (interaction.prompt.name === 'consent') {
      await grantConsent(ctx, interaction);
      return true;
    }
    ctx.type = 'html';
    ctx.body = loginPage(interaction);
    return true;
  }

  if (action === 'abort' && ctx.method === 'POST') {
    await readBody(ctx.req);
    await finishInteraction(ctx, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    });
    return true;
  }

  if (action === 'login' && ctx.method === 'POST') {
    const form = await readForm(ctx);
    const user = findUser(form.username);
    const rerender = (error) => {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = loginPage(interaction, { error, username: form.username });
    };
    if (!user || form.password !== user.password) {
      rerender('Invalid username or password.');
      return true;
    }
    const otp = String(form.otp ?? '').trim();
    if (otp && otp !== user.otp) {
      rerender('Invalid one-time code.');
      return true;
    }
    const secondFactor = otp === user.otp;
    await finishInteraction(ctx, {
      login: {
        accountId: user.sub,
        ts: epochNow() - (state.signedInSecondsAgo ?? 0),
        acr: secondFactor ? LOA_2 : LOA_1,
        amr: secondFactor ? ['pwd', 'otp'] : ['pwd'],
      },
    });
    return true;
  }

  ctx.status = 405;
  ctx.body = { error: 'method not allowed' };
  return true;
}

// ---------------------------------------------------------------------------------------------
// Test controls: JSON over HTTP, for the test process only.

/**
 * A compact JWS of `payload` signed with the provider's own key for `alg` (its `kid` in the
 * header, then `header`'s members): tokens the tests shape, with real signatures.
 */
function signJwt({ payload, header = {}, alg = 'RS256' }) {
  if (!SIGNING_ALGS.has(alg)) throw new Error('"alg" must be RS256 or ES256');
  if (!isPlainObject(payload) || !isPlainObject(header)) {
    throw new Error('"payload" and "header" must be objects');
  }
  const jwk = signingJwks.find((key) => key.alg === alg);
  const encode = (part) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg, kid: jwk.kid, ...header })}.${encode(payload)}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function requireBoolean(body, name) {
  if (typeof body[name] !== 'boolean') throw new Error(`"${name}" must be a boolean`);
  return body[name];
}

const controls = {
  'POST /__test/signed-in-seconds-ago': (body) => {
    const { seconds } = body;
    if (seconds !== null && !(Number.isInteger(seconds) && seconds >= 0)) {
      throw new Error('"seconds" must be a non-negative integer or null');
    }
    state.signedInSecondsAgo = seconds;
  },
  'POST /__test/refuse-max-age-zero': (body) => {
    state.refuseMaxAgeZero = requireBoolean(body, 'on');
  },
  'POST /__test/ignore-max-age': (body) => {
    state.ignoreMaxAge = requireBoolean(body, 'on');
  },
  'POST /__test/enforce-acr-values': (body) => {
    state.enforceAcrValues = requireBoolean(body, 'on');
  },
  'POST /__test/access-token-claims': (body) => {
    state.accessTokenClaims = requireBoolean(body, 'on');
  },
  'POST /__test/id-token-azp': (body) => {
    state.idTokenAzp = requireBoolean(body, 'on');
  },
  'POST /__test/access-token-alg': (body) => {
    if (!SIGNING_ALGS.has(body.alg)) throw new Error('"alg" must be RS256 or ES256');
    state.accessTokenAlg = body.alg;
  },
  'POST /__test/fail-discovery': (body) => {
    if (![null, 'unavailable', 'incomplete'].includes(body.mode)) {
      throw new Error('"mode" must be "unavailable", "incomplete" or null');
    }
    state.failDiscovery = body.mode;
  },
  'POST /__test/authorization-details-response': (body) => {
    if (![null, 'omit', 'alter'].includes(body.mode)) {
      throw new Error('"mode" must be "omit", "alter" or null');
    }
    state.authorizationDetailsResponse = body.mode;
  },
  'POST /__test/advance-clock': (body) => {
    const { seconds } = body;
    if (!(Number.isInteger(seconds) && seconds >= 0)) {
      throw new Error('"seconds" must be a non-negative integer');
    }
    clockOffsetMs += seconds * 1000;
    return { offsetSeconds: clockOffsetMs / 1000 };
  },
  'POST /__test/end-sessions': async () => {
    const ids = [...sessionIds];
    for (const id of ids) await sessionAdapter.destroy(id);
    return { ended: ids.length };
  },
  'POST /__test/reset': () => {
    state = initialState();
  },
  'GET /__test/last-authorization-request': () => ({ params: state.lastAuthorizationRequest }),
  'GET /__test/last-token-request': () => ({ params: state.lastTokenRequest }),
  'GET /__test/last-consent': () => ({ authorizationDetails: state.lastConsentDetails }),
  'GET /__test/revocations': () => ({ revocations: state.revocations }),
  'GET /__test/live-refresh-tokens': async () => ({ tokens: await liveRefreshTokens() }),
  'GET /__test/token-requests': () => ({ counts: state.tokenRequests }),
  'GET /__test/backchannel-logouts': () => ({ deliveries: state.backchannelLogouts }),
  'POST /__test/sign-jwt': (body) => ({ jwt: signJwt(body) }),
};

async function controlRoutes(ctx) {
  if (!ctx.path.startsWith('/__test/')) return false;
  const control = controls[`${ctx.method} ${ctx.path}`];
  if (!control) {
    ctx.status = 404;
    ctx.body = { error: `no control ${ctx.method} ${ctx.path}` };
    return true;
  }
  try {
    const body = ctx.method === 'POST' ? await readJson(ctx) : {};
    ctx.body = (await control(body)) ?? { ok: true };
  } catch (err) {
    ctx.status = 400;
    ctx.body = { error: err.message };
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Observing and bending the provider's own endpoints.

function stripMaxAge(params) {
  const stripped = { ...params };
  delete stripped.max_age;
  if (typeof stripped.prompt === 'string') {
    const prompts = stripped.prompt.split(' ').filter((value) => value && value !== 'login');
    if (prompts.length) stripped.prompt = prompts.join(' ');
    else delete stripped.prompt;
  }
  return stripped;
}

/** oidc-provider 9 takes authorization requests as GET only (POST answers 404). */
function authorizationRequest(ctx) {
  if (ctx.method !== 'GET') return false;
  const params = { ...ctx.query };
  state.lastAuthorizationRequest = params;
  if (state.refuseMaxAgeZero && params.max_age === '0' && params.redirect_uri) {
    // As some providers do (glewlwyd): max_age must be positive.
    const back = new URL(params.redirect_uri);
    back.searchParams.set('error', 'invalid_request');
    back.searchParams.set('error_description', 'max_age invalid');
    if (params.state) back.searchParams.set('state', params.state);
    back.searchParams.set('iss', issuer);
    ctx.redirect(back.href);
    return true;
  }
  if (state.ignoreMaxAge) ctx.query = stripMaxAge(params);
  return false;
}

function redactTokenRequest(body, authorization) {
  const params = {};
  for (const [key, value] of Object.entries(body ?? {})) {
    params[key] = Array.isArray(value) ? value.join(' ') : String(value);
  }
  for (const secret of ['client_secret', 'code_verifier', 'client_assertion']) {
    if (secret in params) params[secret] = true;
  }
  const basic = /^basic /i.test(authorization ?? '');
  params.client_auth = basic
    ? 'client_secret_basic'
    : params.client_secret === true
      ? 'client_secret_post'
      : 'none';
  return params;
}

/**
 * oidc-provider's revocation ends every token of the grant (which RFC 7009 allows); with
 * `revocationEndsGrant: false` the endpoint ends only the refresh token it is given, as other
 * providers do. The client authenticates with its secret, by either method.
 */
async function revokeOnlyTheToken(ctx) {
  const form = await readForm(ctx);
  const basic = /^basic (.+)$/i.exec(ctx.get('authorization') ?? '');
  const [id, secret] = basic
    ? Buffer.from(basic[1], 'base64').toString('utf8').split(':').map(decodeURIComponent)
    : [form.client_id, form.client_secret];
  if (id !== clientId || secret !== clientSecret) {
    ctx.status = 401;
    ctx.body = { error: 'invalid_client' };
    return;
  }
  const token =
    typeof form.token === 'string' ? await provider.RefreshToken.find(form.token) : undefined;
  if (token && token.clientId === clientId) await token.destroy();
  ctx.status = 200;
  ctx.body = '';
  state.revocations.push({
    tokenTypeHint: form.token_type_hint ?? null,
    token: form.token ?? null,
    revoked: token ? 'refresh_token' : null,
    status: 200,
  });
}

provider.use(async (ctx, next) => {
  if (await controlRoutes(ctx)) return;
  if (
    config.revocationEndsGrant === false &&
    ctx.method === 'POST' &&
    ctx.path === '/token/revocation'
  ) {
    await revokeOnlyTheToken(ctx);
    return;
  }
  if (await interactionRoutes(ctx)) return;

  if (ctx.path === '/.well-known/openid-configuration' && state.failDiscovery === 'unavailable') {
    ctx.status = 503;
    ctx.body = { error: 'temporarily_unavailable' };
    return;
  }

  if (ctx.path === '/auth' && authorizationRequest(ctx)) return;

  await next();

  if (ctx.path === '/.well-known/openid-configuration' && state.failDiscovery === 'incomplete') {
    if (ctx.body && typeof ctx.body === 'object') {
      const incomplete = { ...ctx.body };
      delete incomplete.jwks_uri;
      ctx.body = incomplete;
    }
  }
  if (ctx.method === 'POST' && ctx.path === '/token') {
    state.lastTokenRequest = redactTokenRequest(ctx.oidc?.body, ctx.get('authorization'));
    const grantType = String(ctx.oidc?.body?.grant_type ?? 'none');
    state.tokenRequests[grantType] = (state.tokenRequests[grantType] ?? 0) + 1;
  }
  if (ctx.method === 'POST' && ctx.path === '/token/revocation') {
    const entities = ctx.oidc?.entities ?? {};
    state.revocations.push({
      tokenTypeHint: ctx.oidc?.body?.token_type_hint ?? null,
      token: ctx.oidc?.body?.token ?? null,
      revoked: entities.RefreshToken
        ? 'refresh_token'
        : entities.AccessToken
          ? 'access_token'
          : null,
      status: ctx.status,
    });
  }
});

server.on('request', provider.callback());

// ---------------------------------------------------------------------------------------------
// Lifecycle.

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (config.exitWithStdin) {
  // The parent holds the other end: when it goes away, so does this process.
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

process.stdout.write(
  `${JSON.stringify({ ready: true, issuer, clientId, clientSecret, resource })}\n`,
);
