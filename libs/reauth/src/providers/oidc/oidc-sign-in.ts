/**
 * What an OpenID Connect sign-in asks of the provider besides the flow's own parameters: a
 * refresh token (`offline_access`, with `prompt=consent` where the provider needs it), and
 * `auth_time` in the ID token. Pure functions of the settings and the discovery document.
 */

/** When a sign-in sends `prompt=consent`, once `oidc.consentPrompt` is resolved. */
export type ConsentPrompt = 'offline_access' | 'always' | 'never';

/** The values of `oidc.consentPrompt`. */
export const CONSENT_PROMPTS = Object.freeze([
  'auto',
  'offline_access',
  'always',
  'never',
] as const);
export type ConsentPromptSetting = (typeof CONSENT_PROMPTS)[number];

export const OFFLINE_ACCESS = 'offline_access';

/**
 * `max_age` of a sign-in that asks for no recent authentication, at a provider without the
 * `claims` parameter. OpenID Connect Core (3.1.2.1) makes `auth_time` required in the ID token
 * whenever `max_age` is sent; a year is longer than sign-in sessions last, so it makes no one
 * sign in again.
 */
export const SIGN_IN_MAX_AGE_SECONDS = 365 * 24 * 3600;

/** The `claims` request (OpenID Connect Core 5.5) for `auth_time` in the ID token. */
const AUTH_TIME_CLAIM = { auth_time: { essential: true } } as const;

/**
 * The hosted provider families whose documentation gives a refresh token for `offline_access`
 * without `prompt=consent` (PingOne and ZITADEL for `offline_access` alone, Keycloak to users
 * with its `offline_access` role), and where `prompt=consent` would show a consent page at
 * every sign-in (Entra ID shows it even to users who may not consent).
 * Recognised by the issuer's host, or Keycloak's `/realms/<name>` path; a custom domain is not.
 */
const FAMILIES: ReadonlyArray<readonly [family: string, matches: (issuer: URL) => boolean]> = [
  [
    'Entra ID',
    (issuer) =>
      [
        'login.microsoftonline.com',
        'login.microsoftonline.us',
        'login.partner.microsoftonline.cn',
        'sts.windows.net',
      ].includes(issuer.hostname) || hostUnder(issuer, ['b2clogin.com', 'ciamlogin.com']),
  ],
  ['Auth0', (issuer) => hostUnder(issuer, ['auth0.com'])],
  ['Okta', (issuer) => hostUnder(issuer, ['okta.com', 'oktapreview.com', 'okta-emea.com'])],
  ['Keycloak', (issuer) => /\/realms\/[^/]+\/?$/.test(issuer.pathname)],
  ['PingOne', (issuer) => /^auth\.pingone\.(com|eu|asia|ca)$/.test(issuer.hostname)],
  ['ZITADEL', (issuer) => hostUnder(issuer, ['zitadel.cloud'])],
];

function hostUnder(issuer: URL, domains: readonly string[]): boolean {
  return domains.some((domain) => issuer.hostname.endsWith(`.${domain}`));
}

/** The provider family of `issuer` when it is one of those recognised (see `FAMILIES`). */
export function providerFamily(issuer: URL): string | undefined {
  return FAMILIES.find(([, matches]) => matches(issuer))?.[0];
}

/**
 * `auto`: `never` for a recognised family that grants `offline_access` without consent, else
 * `offline_access`, as OpenID Connect Core (11) requires: the provider MUST ignore
 * `offline_access` unless `prompt` contains `consent` (or other conditions permit it), which
 * panva's oidc-provider does with its default settings.
 */
export function resolveConsentPrompt(setting: ConsentPromptSetting, issuer: URL): ConsentPrompt {
  if (setting !== 'auto') return setting;
  return providerFamily(issuer) === undefined ? 'offline_access' : 'never';
}

/**
 * The scopes a sign-in asks for. The default scope's `offline_access` is left out where the
 * discovery document lists the provider's scopes without it (Google, Amazon Cognito: they
 * refuse it, or give refresh tokens their own way); a scope the app chose is sent as it is.
 */
export function signInScope(
  scope: readonly string[],
  isDefault: boolean,
  scopesSupported: unknown,
): string[] {
  if (
    isDefault &&
    Array.isArray(scopesSupported) &&
    scopesSupported.length > 0 &&
    !scopesSupported.includes(OFFLINE_ACCESS)
  ) {
    return scope.filter((token) => token !== OFFLINE_ACCESS);
  }
  return [...scope];
}

/**
 * The `prompt` of a sign-in: `login` for `max_age=0` (some providers honour only that), and
 * `consent` when the resolved setting asks for it.
 */
export function signInPrompt(
  consent: ConsentPrompt,
  scope: readonly string[],
  maxAge: number | undefined,
): string | undefined {
  const prompt: string[] = [];
  if (maxAge === 0) prompt.push('login');
  if (consent === 'always' || (consent === 'offline_access' && scope.includes(OFFLINE_ACCESS))) {
    prompt.push('consent');
  }
  return prompt.length > 0 ? prompt.join(' ') : undefined;
}

/**
 * What makes the sign-in's ID token carry `auth_time`, so that a new session has it without
 * another trip to the provider. A `max_age` of the re-authentication already does; otherwise the
 * `claims` parameter where the provider supports it (merged into the app's own `claims`, if
 * any), else a `max_age` of {@link SIGN_IN_MAX_AGE_SECONDS}.
 */
export function authTimeParameters(
  maxAge: number | undefined,
  claimsParameterSupported: boolean,
  appClaims: string | undefined,
): { max_age?: string; claims?: string } {
  if (maxAge !== undefined) return { max_age: String(maxAge) };
  if (!claimsParameterSupported) return { max_age: String(SIGN_IN_MAX_AGE_SECONDS) };
  const claims = appClaims === undefined ? {} : parseClaimsRequest(appClaims);
  const idToken = (claims.id_token ?? {}) as Record<string, unknown>;
  return {
    claims: JSON.stringify({ ...claims, id_token: { ...idToken, ...AUTH_TIME_CLAIM } }),
  };
}

/**
 * A `claims` request (OpenID Connect Core 5.5) as the app gave it in `authorizationParams`: a
 * JSON object whose `id_token` and `userinfo` members, if any, are objects. Anything else throws
 * a `TypeError` that says what is wrong (checked once, at start-up).
 */
export function parseClaimsRequest(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new TypeError('the claims request is not JSON');
  }
  if (!isObject(parsed)) throw new TypeError('the claims request is not a JSON object');
  for (const member of ['id_token', 'userinfo']) {
    if (parsed[member] !== undefined && !isObject(parsed[member])) {
      throw new TypeError(`the claims request's "${member}" is not an object`);
    }
  }
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
