import type * as OAuth from 'oauth4webapi';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import { shownValue } from '../../core/shown-value';
import { ProviderRejectedError, type SignInFacts } from '../identity-provider';
import type { OidcProviderSettings } from './oidc-settings';

/** oauth4webapi is ES modules only: loaded on first use, so WorkOS apps never load it. */
let oauthModule: typeof OAuth | undefined;
export function oauth(): typeof OAuth {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  oauthModule ??= require('oauth4webapi') as typeof OAuth;
  return oauthModule;
}

/** Each request's timeout, and plain http only for an issuer on localhost. */
export function httpOptions(config: Pick<OidcProviderSettings, 'issuer' | 'discoveryTimeoutMs'>): {
  signal: AbortSignal;
  [OAuth.allowInsecureRequests]?: boolean;
} {
  const o = oauth();
  const options: { signal: AbortSignal; [OAuth.allowInsecureRequests]?: boolean } = {
    signal: AbortSignal.timeout(config.discoveryTimeoutMs),
  };
  // Plain http is accepted only for an issuer on localhost (the options refuse it elsewhere).
  if (config.issuer.startsWith('http:')) options[o.allowInsecureRequests] = true;
  return options;
}

/**
 * An OAuth error answer (4xx with `error`), a failed check of the response (`iss`, the ID
 * token's `nonce`, signature of a JWT response) or an error in the authorization response is
 * the provider refusing this sign-in; anything else means it cannot be used right now.
 */
export function translateOAuthError(error: unknown): Error {
  if (error instanceof ReauthUnavailableException || error instanceof ProviderRejectedError) {
    return error;
  }
  const o = oauth();
  if (error instanceof o.ResponseBodyError) {
    return error.status >= 500 || error.status === 429
      ? new ReauthUnavailableException('oidc', { cause: error })
      : new ProviderRejectedError(safeCode(error.error), { cause: error });
  }
  if (error instanceof o.AuthorizationResponseError) {
    return new ProviderRejectedError(safeCode(error.error), { cause: error });
  }
  if (error instanceof o.OperationProcessingError) {
    const code = (error as { code?: unknown }).code;
    if (
      code === o.JWT_CLAIM_COMPARISON ||
      code === o.JWT_TIMESTAMP_CHECK ||
      code === o.INVALID_REQUEST ||
      code === o.INVALID_RESPONSE
    ) {
      return new ProviderRejectedError('invalid_response', {
        cause: error,
        detail: checkDetail(error),
      });
    }
  }
  return new ReauthUnavailableException('oidc', { cause: error });
}

/** What an ID token says about the sign-in, kept only when well-formed. */
export function signInFacts(claims: OAuth.IDToken): SignInFacts {
  const facts: { authTime?: number; acr?: string; amr?: readonly string[] } = {};
  if (Number.isSafeInteger(claims.auth_time)) facts.authTime = claims.auth_time;
  if (typeof claims.acr === 'string' && claims.acr !== '') facts.acr = claims.acr;
  const amr: unknown = claims.amr;
  if (Array.isArray(amr) && amr.every((value) => typeof value === 'string')) {
    facts.amr = amr;
  }
  return facts;
}

function safeCode(code: unknown): string {
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'invalid_request';
}

/**
 * Which claim of the ID token failed a check, with what was expected and what it has (claim
 * values and times only, never the token), from what oauth4webapi attaches to its error.
 */
function checkDetail(error: OAuth.OperationProcessingError): string | undefined {
  const about = error.cause as
    | { claim?: unknown; expected?: unknown; claims?: Record<string, unknown>; now?: unknown }
    | undefined;
  if (typeof about?.claim !== 'string' || !/^\w{1,32}$/.test(about.claim)) return error.message;
  const claim = about.claim;
  const has = shownValue(about.claims?.[claim]);
  if (error.code === oauth().JWT_TIMESTAMP_CHECK) {
    return `the ID token's "${claim}" check failed: the token has ${has}, this app's clock says ${shownValue(about.now)}`;
  }
  return `the ID token's "${claim}" check failed: expected ${shownValue(about.expected)}, the token has ${has}`;
}
