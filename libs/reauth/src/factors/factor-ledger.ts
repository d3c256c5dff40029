import { Injectable } from '@nestjs/common';
import { STORE_KEYS } from '../core/constants';
import { ReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthStore } from '../stores/reauth.store';
import { IN_PAGE_METHODS, StepUpSettings, type InPageMethod } from '../options/step-up-settings';

/** One proof in a session's ledger: which method, when (Unix seconds), what it showed (`amr`). */
export interface FactorProof {
  method: InPageMethod;
  at: number;
  amr: readonly string[];
  /** The last second it counts for, whatever a route's `maxAge`. */
  expiresAt: number;
}

const MAX_AMR = 10;

/**
 * The session's factor ledger: when each kind of in-page proof was last given, kept in the store
 * under the session (one key per method, so two proofs at once never overwrite each other) for
 * `stepUp.proofLifetimeSeconds`. Entries name their user: an entry of another user never counts.
 * A store that lost an entry has no proof to show: the route asks again (fail closed); a store
 * that cannot answer is a 503.
 */
@Injectable()
export class FactorLedger {
  constructor(
    private readonly store: ReauthStore,
    private readonly clock: ReauthClock,
    private readonly settings: StepUpSettings,
  ) {}

  /** Records a proof just given by `sub` in the session `sessionKey`; resolves what it wrote. */
  async record(
    sessionKey: string,
    sub: string,
    method: InPageMethod,
    amr: readonly string[],
  ): Promise<FactorProof> {
    const at = this.clock.nowSeconds();
    const lifetime = this.settings.proofLifetimeSeconds;
    const value = JSON.stringify({ sub, at, amr: amr.slice(0, MAX_AMR) });
    await this.run(() => this.store.set(ledgerKey(sessionKey, method), value, lifetime));
    return { method, at, amr: [...amr], expiresAt: at + lifetime };
  }

  /**
   * The session's proofs by `methods` (default: every kind) that are still alive, of `sub` only;
   * newest first. One store read per method asked for.
   */
  async read(
    sessionKey: string,
    sub: string,
    methods: readonly InPageMethod[] = IN_PAGE_METHODS,
  ): Promise<FactorProof[]> {
    const values = await this.run(() =>
      Promise.all(methods.map((method) => this.store.get(ledgerKey(sessionKey, method)))),
    );
    const now = this.clock.nowSeconds();
    const proofs: FactorProof[] = [];
    values.forEach((value, i) => {
      const proof = parseProof(value, methods[i], sub, this.settings.proofLifetimeSeconds);
      if (proof && proof.at <= now && proof.expiresAt >= now) proofs.push(proof);
    });
    return proofs.sort((a, b) => b.at - a.at);
  }

  /**
   * Forgets the session's proofs at sign-out. Best effort: the session's revocation is what
   * stops them counting (its tokens are refused), so a store that fails here changes nothing.
   */
  async forget(sessionKey: string): Promise<void> {
    await Promise.all(
      IN_PAGE_METHODS.map((method) => this.store.take(ledgerKey(sessionKey, method))),
    ).catch(() => undefined);
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }
}

function ledgerKey(sessionKey: string, method: InPageMethod): string {
  return `${STORE_KEYS.factor}${sessionKey}:${method}`;
}

/** An entry as the store holds it, strictly: anything else is no proof. */
function parseProof(
  value: string | undefined,
  method: InPageMethod,
  sub: string,
  lifetime: number,
): FactorProof | undefined {
  if (value === undefined) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(value);
  } catch {
    return undefined;
  }
  const { sub: owner, at, amr } = (entry ?? {}) as Record<string, unknown>;
  if (owner !== sub || !Number.isSafeInteger(at) || (at as number) < 0) return undefined;
  if (!Array.isArray(amr) || amr.length > MAX_AMR || amr.some((v) => typeof v !== 'string')) {
    return undefined;
  }
  return { method, at: at as number, amr: amr as string[], expiresAt: (at as number) + lifetime };
}
