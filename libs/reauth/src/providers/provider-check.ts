import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { IdentityProvider, TokenVerificationSettings } from './identity-provider';

/** The JWK key type each accepted algorithm verifies with. */
const KEY_TYPES: Readonly<Record<string, string>> = {
  RS256: 'RSA',
  PS256: 'RSA',
  ES256: 'EC',
  EdDSA: 'OKP',
};

/**
 * What the `checkProviderOnStart` option asks before the app starts: that the provider can be
 * used at all. Its settings load (an OpenID Provider's discovery), and its JWKS answers with a
 * public signing key for one of the accepted algorithms. A wrong issuer, client id or host then
 * stops the deployment instead of answering 503 to every sign-in after it.
 *
 * Rejects with an `Error` that names the option, the provider (as configured) and what failed,
 * keeping the original error as its `cause`.
 */
export async function checkProvider(
  provider: IdentityProvider,
  options: { jwksTimeoutMs: number },
): Promise<void> {
  const failed = (what: string, cause?: unknown) =>
    new Error(`ReauthModule: checkProviderOnStart: ${provider.describe()}: ${what}`, { cause });

  let settings: TokenVerificationSettings;
  try {
    settings = await provider.verification();
  } catch (error) {
    const what = provider.dependency === 'oidc' ? 'discovery failed' : 'its settings did not load';
    throw failed(`${what}: ${reasonOf(error)}`, error);
  }

  const at = `its JWKS at ${settings.jwksUrl}`;
  let response: Response;
  try {
    response = await fetch(settings.jwksUrl, {
      signal: AbortSignal.timeout(options.jwksTimeoutMs),
      // The keys are at the URL the provider named, as the verifier fetches them.
      redirect: 'error',
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    throw failed(`${at} did not load: ${reasonOf(error)}`, error);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw failed(`${at} answered ${response.status}`);
  }
  let jwks: unknown;
  try {
    jwks = await response.json();
  } catch (error) {
    throw failed(`${at} is not JSON`, error);
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw failed(`${at} is not a JWKS (no "keys" array)`);
  const keyTypes = new Set(settings.algorithms.map((alg) => KEY_TYPES[alg]));
  if (!keys.some((key) => isPublicSigningKey(key, keyTypes))) {
    throw failed(`${at} has no public signing key for ${settings.algorithms.join(', ')}`);
  }
}

/** A key the verifier would consider: a `kid`, for signatures, public, of an accepted type. */
function isPublicSigningKey(key: unknown, keyTypes: ReadonlySet<string>): boolean {
  if (typeof key !== 'object' || key === null) return false;
  const jwk = key as Record<string, unknown>;
  return (
    typeof jwk.kid === 'string' &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    !('d' in jwk) &&
    typeof jwk.kty === 'string' &&
    keyTypes.has(jwk.kty)
  );
}

/**
 * An operator's account of why a call failed: the message of the first error below the
 * library's 503, then what the errors further down know: a system error code (`ECONNREFUSED`,
 * `ENOTFOUND`...), or the issuer a discovery document names when it is not the expected one.
 */
function reasonOf(error: unknown): string {
  let reason = error;
  if (reason instanceof ReauthUnavailableException && reason.cause !== undefined) {
    reason = reason.cause;
  }
  const message = errorLike(reason)?.message ?? String(reason);
  const found = detailsIn(reason).filter((detail) => !message.includes(detail));
  return found.length === 0 ? message : `${message} (${found.join('; ')})`;
}

function detailsIn(error: unknown): string[] {
  const details: string[] = [];
  let at = errorLike(error);
  for (let depth = 0; at !== undefined && depth < 8; depth++) {
    if (typeof at.code === 'string' && /^E[A-Z_]+$/.test(at.code)) details.push(at.code);
    if (at.name === 'TimeoutError') details.push('timed out');
    // oauth4webapi's comparison failure keeps what it compared.
    const compared = at.cause as { attribute?: unknown; body?: unknown } | null | undefined;
    const named = (compared?.body as { issuer?: unknown } | undefined)?.issuer;
    if (compared?.attribute === 'issuer' && typeof named === 'string') {
      details.push(`its discovery document names the issuer ${JSON.stringify(named)}`);
    }
    at = errorLike(at.cause);
  }
  return details;
}

/** Errors by shape: `fetch` makes its own in another realm under some test runners. */
function errorLike(
  value: unknown,
): { message: string; name?: unknown; code?: unknown; cause?: unknown } | undefined {
  const candidate = value as { message?: unknown } | null;
  return typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.message === 'string'
    ? (candidate as { message: string })
    : undefined;
}
