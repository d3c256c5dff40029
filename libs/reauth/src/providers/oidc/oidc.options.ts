import {
  absoluteUrl,
  fail,
  integerInRange,
  oneOf,
  requiredString,
  stringList,
} from '../../core/option-checks';
import type { ReauthModuleOptions, ReauthOidcOptions } from '../../interfaces';
import type { IdentityProvider, ProviderBasics } from '../identity-provider';
import {
  DEFAULT_AUTHORIZATION_DETAILS_TYPE,
  isAuthorizationDetailsType,
} from './oidc-authorization-details';
import { CONSENT_PROMPTS, parseClaimsRequest, resolveConsentPrompt } from './oidc-sign-in';
import { OIDC_ALGORITHMS } from './oidc-settings';
import { OidcIdentityProvider } from './oidc.provider';

const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
const ACCESS_TOKEN_TYPES = ['auto', 'at+jwt', 'any'] as const;
const DEFAULT_OIDC_SCOPE = ['openid', 'profile', 'email', 'offline_access'] as const;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// Parameters the library sets itself; an extra one may not replace them.
export const RESERVED_AUTHORIZATION_PARAMS: ReadonlySet<string> = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'max_age',
  'prompt',
  'acr_values',
  'login_hint',
  'response_mode',
  'request',
  'request_uri',
  'authorization_details',
]);

/** The OpenID Connect provider the `oidc` option describes, once checked. */
export function createOidcProvider(
  oidc: ReauthOidcOptions,
  options: ReauthModuleOptions,
  basics: ProviderBasics & {
    clockToleranceSeconds: number;
    nowMs: () => number;
    cookieMaxAgeSeconds: number;
  },
): IdentityProvider {
  if (typeof oidc !== 'object' || oidc === null) fail('oidc', 'must be an object');
  for (const option of ['workos', 'apiKey', 'apiHostname', 'port', 'https', 'issuers'] as const) {
    if (options[option] !== undefined) fail(option, 'is for WorkOS and cannot be used with oidc');
  }
  const issuer = absoluteUrl(requiredString(oidc.issuer, 'oidc.issuer'), 'oidc.issuer');
  if (issuer.protocol === 'http:' && !isLoopback(issuer.hostname)) {
    fail('oidc.issuer', `must be https (plain http only on localhost), got "${issuer.href}"`);
  }
  if (oidc.issuer.includes('?') || oidc.issuer.includes('#')) {
    fail('oidc.issuer', 'must be an issuer identifier, without query or fragment');
  }
  if (issuer.username !== '' || issuer.password !== '') {
    fail('oidc.issuer', 'must not carry credentials');
  }
  const method =
    oidc.tokenEndpointAuthMethod ?? (oidc.clientSecret ? 'client_secret_basic' : 'none');
  if (!TOKEN_ENDPOINT_AUTH_METHODS.includes(method)) {
    fail(
      'oidc.tokenEndpointAuthMethod',
      `must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
    );
  }
  if (method !== 'none') requiredString(oidc.clientSecret, 'oidc.clientSecret');
  if (method === 'none' && oidc.clientSecret !== undefined) {
    fail('oidc.clientSecret', 'cannot be used with tokenEndpointAuthMethod "none"');
  }
  const scope = stringList(
    typeof oidc.scope === 'string' ? oidc.scope.split(/\s+/).filter(Boolean) : oidc.scope,
    'oidc.scope',
  ) ?? [...DEFAULT_OIDC_SCOPE];
  if (scope.some((token) => !SCOPE_TOKEN.test(token))) fail('oidc.scope', 'must be scope tokens');
  if (!scope.includes('openid')) scope.unshift('openid');
  const algorithms = stringList(oidc.algorithms, 'oidc.algorithms') ?? [...OIDC_ALGORITHMS];
  const unsupported = algorithms.find(
    (alg) => !(OIDC_ALGORITHMS as readonly string[]).includes(alg),
  );
  if (unsupported !== undefined) {
    fail('oidc.algorithms', `must be among ${OIDC_ALGORITHMS.join(', ')}, got "${unsupported}"`);
  }
  const extra = oidc.authorizationParams ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    fail('oidc.authorizationParams', 'must be an object of strings');
  }
  for (const [name, value] of Object.entries(extra)) {
    if (typeof value !== 'string') fail(`oidc.authorizationParams.${name}`, 'must be a string');
    if (RESERVED_AUTHORIZATION_PARAMS.has(name)) {
      fail(`oidc.authorizationParams.${name}`, 'is set by the library');
    }
  }
  if (extra.claims !== undefined) {
    try {
      parseClaimsRequest(extra.claims);
    } catch (error) {
      fail(
        'oidc.authorizationParams.claims',
        `must be a claims request of OpenID Connect Core 5.5: ${(error as Error).message}`,
      );
    }
  }
  const consentPrompt = oneOf(oidc.consentPrompt, 'oidc.consentPrompt', CONSENT_PROMPTS, 'auto');
  const maxAgeZero = oneOf(
    oidc.maxAgeZero,
    'oidc.maxAgeZero',
    ['auto', 'max_age', 'prompt_login'] as const,
    'auto',
  );
  const accessTokenType = oneOf(
    oidc.accessTokenType,
    'oidc.accessTokenType',
    ACCESS_TOKEN_TYPES,
    'auto',
  );
  const authorizationDetailsType: unknown =
    oidc.authorizationDetailsType === undefined
      ? DEFAULT_AUTHORIZATION_DETAILS_TYPE
      : oidc.authorizationDetailsType;
  if (!isAuthorizationDetailsType(authorizationDetailsType)) {
    fail('oidc.authorizationDetailsType', 'must be 1 to 200 visible ASCII characters');
  }
  const audience = stringList(oidc.audience, 'oidc.audience') ?? basics.audience;
  if (oidc.audience !== undefined && basics.audience !== undefined) {
    fail('audience', 'and oidc.audience cannot both be given');
  }
  return new OidcIdentityProvider({
    issuer: issuer.href,
    configuredIssuer: oidc.issuer,
    clientId: basics.clientId,
    clientSecret: oidc.clientSecret,
    tokenEndpointAuthMethod: method,
    redirectUri: basics.redirectUri,
    cookiePassword: basics.cookiePassword,
    scope,
    defaultScope: oidc.scope === undefined,
    consentPrompt: resolveConsentPrompt(consentPrompt, issuer),
    maxAgeZero,
    audience,
    algorithms,
    accessTokenType,
    authorizationParams: { ...extra },
    authorizationDetailsType,
    clockToleranceSeconds: basics.clockToleranceSeconds,
    nowMs: basics.nowMs,
    sessionLifetimeSeconds: basics.cookieMaxAgeSeconds,
    discoveryTimeoutMs: integerInRange(oidc.timeoutMs, 'oidc.timeoutMs', 10_000, 100, 60_000),
  });
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
