import { importJWK, type JWK } from 'jose';
import { ReauthUnavailableException } from '../reauth-unavailable.exception';

/** RSA public keys by `kid`, as the key set served them. */
type Keys = Map<string, CryptoKey>;

export interface JwksKeySetOptions {
  url: string;
  timeoutMs: number;
  nowMs: () => number;
  /** Keys are refetched when older than this, so a key the provider retired stops verifying. */
  maxAgeMs: number;
  /** An unknown `kid` refetches at most this often: forged kids cannot make us hammer the JWKS. */
  cooldownMs: number;
}

/**
 * The provider's signing keys, imported once and cached. A token with an unknown `kid` triggers
 * one refetch (shared by every request waiting on it) unless the set was fetched within the
 * cooldown; the set is also refetched once it is older than `maxAgeMs`.
 */
export class JwksKeySet {
  private keys: Keys = new Map();
  private fetchedAtMs = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  /** Bumped on every refetch: cached verdicts remember the generation they were made under. */
  generation = 0;

  constructor(private readonly options: JwksKeySetOptions) {}

  /** The key for `kid`, or `undefined` when the provider does not (or no longer) publishes it. */
  async get(kid: string): Promise<CryptoKey | undefined> {
    const now = this.options.nowMs();
    const stale = now - this.fetchedAtMs > this.options.maxAgeMs;
    const unknownKid = !this.keys.has(kid) && now - this.fetchedAtMs > this.options.cooldownMs;
    if (stale || unknownKid) await this.refresh();
    return this.keys.get(kid);
  }

  /** Whether the set is current and still publishes `kid` (no fetch). */
  publishes(kid: string): boolean {
    return this.options.nowMs() - this.fetchedAtMs <= this.options.maxAgeMs && this.keys.has(kid);
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
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
        response = await fetch(this.options.url, {
          signal: AbortSignal.timeout(this.options.timeoutMs),
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
    let body: unknown;
    try {
      body = await this.download();
    } catch (error) {
      throw new ReauthUnavailableException('jwks', { cause: error });
    }
    const listed = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(listed)) {
      throw new ReauthUnavailableException('jwks', { cause: new Error('JWKS without keys') });
    }
    const keys: Keys = new Map();
    for (const jwk of listed as JWK[]) {
      // Only RSA signing keys for RS256 are of use; anything else is skipped, not trusted.
      if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use && jwk.use !== 'sig'))
        continue;
      if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
      try {
        keys.set(jwk.kid, (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256')) as CryptoKey);
      } catch {
        // A malformed key cannot verify anything; the others still can.
      }
    }
    this.keys = keys;
    this.fetchedAtMs = this.options.nowMs();
    this.generation += 1;
  }
}
