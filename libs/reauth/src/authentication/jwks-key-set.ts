import {
  importPublicJwk,
  isSigningKeyType,
  keyForAlgorithm,
  type Jwk,
  type PublicKey,
} from '../crypto/jwk';
import { backoffDelayMs } from '../core/backoff';
import {
  ReauthUnavailableException,
  type ReauthDependency,
} from '../exceptions/reauth-unavailable.exception';

/**
 * A published signing key, imported once (by `crypto/jwk.ts`) and checked once for each algorithm
 * a token used it with; `null` when it does not fit that algorithm.
 */
interface PublishedKey {
  jwk: Jwk;
  /** `null` once the key failed to import: it verifies nothing. */
  imported?: PublicKey | null;
  fits: Map<string, PublicKey | null>;
}

/** Published signing keys by `kid`. */
type Keys = Map<string, PublishedKey>;

export interface JwksKeySetOptions {
  /** The JWKS URL; resolved at each fetch (an OpenID Provider's comes from discovery). */
  url: () => Promise<string>;
  /** The dependency a failed fetch is reported as. */
  dependency?: ReauthDependency;
  timeoutMs: number;
  nowMs: () => number;
  /** Keys are refetched when older than this, so a key the provider retired stops verifying. */
  maxAgeMs: number;
  /** An unknown `kid` refetches at most this often: forged kids cannot make us hammer the JWKS. */
  cooldownMs: number;
  /** After a failed fetch, none for this long; the delay doubles with each failure in a row. */
  backoffMs: number;
  /** The longest delay between failed fetches. */
  maxBackoffMs: number;
}

/** How a lookup may fetch. */
export interface KeyLookupOptions {
  /**
   * The token came straight from the provider (a refresh or code exchange), so an unknown `kid`
   * is a key it just started to sign with: fetch the set even within the cooldown, and only from
   * a fetch that started after this lookup did. Never for tokens a client sent.
   */
  force?: boolean;
}

/**
 * The provider's signing keys, imported once and cached. A token with an unknown `kid` triggers
 * one refetch (shared by every request waiting on it) unless the set was fetched within the
 * cooldown; the set is also refetched once it is older than `maxAgeMs`.
 *
 * A failed fetch is not repeated for a delay that doubles with each failure in a row (from
 * `backoffMs` to `maxBackoffMs`, reset by a success). Within it, a lookup that needs a fetch
 * fails at once as the last fetch did, and a known key of a set that is not stale still serves.
 */
export class JwksKeySet {
  private keys: Keys = new Map();
  private fetchedAtMs = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private failuresInARow = 0;
  private retryAtMs = Number.NEGATIVE_INFINITY;
  private lastFailure?: unknown;

  constructor(private readonly options: JwksKeySetOptions) {}

  /**
   * The key for `kid`, imported for `alg`; `undefined` when the provider does not (or no longer)
   * publishes it, or publishes it for another algorithm or key type.
   */
  async get(
    kid: string,
    alg: string,
    lookup: KeyLookupOptions = {},
  ): Promise<PublicKey | undefined> {
    const now = this.options.nowMs();
    const age = now - this.fetchedAtMs;
    const stale = age > this.options.maxAgeMs;
    if (!stale && this.keys.has(kid)) return this.imported(kid, alg);
    if (!stale && !lookup.force && age <= this.options.cooldownMs) return undefined;

    const joined = this.inflight !== undefined;
    await this.refresh();
    // A fetch under way may have been answered before the provider published the new key.
    if (lookup.force && joined && !this.keys.has(kid)) await this.refresh();
    return this.imported(kid, alg);
  }

  /**
   * The key for `kid` and `alg` when the set is current and has it, without waiting: what every
   * request with a known key takes. `undefined` means "ask {@link get}", which may fetch.
   */
  current(kid: string, alg: string): PublicKey | undefined {
    if (this.options.nowMs() - this.fetchedAtMs > this.options.maxAgeMs) return undefined;
    return this.imported(kid, alg);
  }

  private imported(kid: string, alg: string): PublicKey | undefined {
    const key = this.keys.get(kid);
    if (!key) return undefined;
    let fit = key.fits.get(alg);
    if (fit === undefined) {
      if (key.imported === undefined) key.imported = orNull(() => importPublicJwk(key.jwk));
      const imported = key.imported;
      fit = imported && orNull(() => keyForAlgorithm(key.jwk, imported, alg));
      key.fits.set(alg, fit);
    }
    return fit ?? undefined;
  }

  /** Whether the set is current and still publishes `kid` (no fetch). */
  publishes(kid: string): boolean {
    return this.options.nowMs() - this.fetchedAtMs <= this.options.maxAgeMs && this.keys.has(kid);
  }

  /** Joins the fetch under way, or starts one; within the backoff, fails as the last one did. */
  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.options.nowMs() < this.retryAtMs) {
      return Promise.reject(
        new ReauthUnavailableException(this.options.dependency ?? 'jwks', {
          cause: this.lastFailure,
        }),
      );
    }
    this.inflight = this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * One retry on a network error: a keep-alive connection the server closed while idle fails
   * the first request on it, and that must not become a 503.
   */
  private async download(): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(await this.options.url(), {
          signal: AbortSignal.timeout(this.options.timeoutMs),
          // The keys are at the URL the provider named, not wherever a redirect points.
          redirect: 'error',
          headers: { accept: 'application/json' },
        });
      } catch (error) {
        if (attempt < 2 && !(error instanceof DOMException)) continue;
        throw error;
      }
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      return response.json();
    }
  }

  private async fetchKeys(): Promise<void> {
    let listed: unknown;
    try {
      listed = ((await this.download()) as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(listed)) throw new Error('JWKS without keys');
    } catch (error) {
      if (error instanceof ReauthUnavailableException) {
        // Where the keys are is not known yet (an OpenID Provider's discovery failed).
        this.failed(error.cause);
        throw error;
      }
      this.failed(error);
      throw new ReauthUnavailableException(this.options.dependency ?? 'jwks', { cause: error });
    }
    const keys: Keys = new Map();
    for (const jwk of listed as Jwk[]) {
      // Public signing keys only; anything else is skipped, not trusted. Keys are imported when a
      // token first names them, for the algorithm it uses.
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string') continue;
      if ((jwk.use && jwk.use !== 'sig') || 'd' in jwk || 'k' in jwk) continue;
      if (!isSigningKeyType(jwk.kty)) continue;
      keys.set(jwk.kid, { jwk: Object.freeze({ ...jwk }), fits: new Map() });
    }
    this.keys = keys;
    this.fetchedAtMs = this.options.nowMs();
    this.failuresInARow = 0;
    this.retryAtMs = Number.NEGATIVE_INFINITY;
    this.lastFailure = undefined;
  }

  private failed(error: unknown): void {
    this.failuresInARow += 1;
    this.lastFailure = error;
    this.retryAtMs = this.options.nowMs() + backoffDelayMs(this.failuresInARow, this.options);
  }
}

/** What `make` returns; `null` when it throws: a key that does not import or fit verifies nothing. */
function orNull<T>(make: () => T): T | null {
  try {
    return make();
  } catch {
    return null;
  }
}
