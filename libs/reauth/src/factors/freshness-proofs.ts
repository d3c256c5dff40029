import { Injectable } from '@nestjs/common';
import { evaluateFreshness, meetsAssurance } from '../core';
import { ReauthClock } from '../core/clock';
import type { ReauthReason } from '../exceptions/reauth-required.exception';
import { ReauthRecords, sessionKeyOf } from '../flow/reauth-records';
import type { Authentication } from '../interfaces';
import { RequestPolicySettings } from '../options/reauth-settings';
import { FactorLedger, type FactorProof } from './factor-ledger';
import { IN_PAGE_METHODS, StepUpSettings, type InPageMethod } from '../options/step-up-settings';
import { SlidingWindows } from '../policies/sliding-windows';
import type { EffectivePolicy } from '../policies/effective-policy';

/**
 * What a route asks of a proof: its effective policy, as far as proofs are concerned (a sliding
 * window is named by the route's level).
 */
export type ProofRequirement = Pick<
  EffectivePolicy,
  'maxAge' | 'acr' | 'amr' | 'methods' | 'slide' | 'level'
>;

/** Why a route with a `maxAge` was not satisfied, and the sign-in time to report. */
export interface FreshnessShortfall {
  reason: Extract<ReauthReason, 'stale' | 'missing_auth_time' | 'insufficient_assurance'>;
  authTime?: number;
}

const IN_PAGE_GRANT = 'in-page ';

/**
 * Decides whether a session's latest accepted proof satisfies a route: the token's sign-in
 * (`auth_time`, `acr`, `amr`), or an in-page confirmation in the session's factor ledger. A
 * `maxAge` 0 route takes exactly one proof per request: the one-time grant the callback, or an
 * in-page confirmation for that route, left.
 */
@Injectable()
export class FreshnessProofs {
  constructor(
    private readonly records: ReauthRecords,
    private readonly ledger: FactorLedger,
    private readonly settings: StepUpSettings,
    private readonly policy: RequestPolicySettings,
    private readonly clock: ReauthClock,
    private readonly windows: SlidingWindows,
  ) {}

  /** The in-page methods the module enables. */
  enabledMethods(): InPageMethod[] {
    return IN_PAGE_METHODS.filter((method) =>
      method === 'passkey' ? this.settings.passkeys !== undefined : this.settings.password,
    );
  }

  /**
   * The in-page methods that can satisfy `requirement` for this caller: none for a token that
   * names no session (a ledger is a session's), nor for a route that asks for an `acr` (only the
   * provider issues one).
   */
  acceptedMethods(authentication: Authentication, requirement: ProofRequirement): InPageMethod[] {
    if (authentication.sessionId === undefined || requirement.acr !== undefined) return [];
    if (requirement.maxAge === null) return [];
    const allowed = requirement.methods ?? IN_PAGE_METHODS;
    return this.enabledMethods().filter((method) => allowed.includes(method));
  }

  /**
   * The accepted methods a refusal offers this caller: a password only to a session that began
   * with one (AuthKit's `authenticationMethod`), so an SSO user goes straight to the provider.
   */
  offeredMethods(authentication: Authentication, requirement: ProofRequirement): InPageMethod[] {
    return this.acceptedMethods(authentication, requirement).filter(
      (method) => method !== 'password' || authentication.signInMethod === 'Password',
    );
  }

  /** `undefined` when the route is satisfied; otherwise what falls short. */
  async check(
    authentication: Authentication,
    requirement: ProofRequirement & { maxAge: number },
    route: string,
  ): Promise<FreshnessShortfall | undefined> {
    const { claims } = authentication;
    const freshness = evaluateFreshness({
      authTime: claims.auth_time,
      maxAge: requirement.maxAge,
      now: this.clock.nowSeconds(),
      toleranceSeconds: this.policy.clockToleranceSeconds,
    });
    const assured = meetsAssurance(claims, requirement);
    const sliding = requirement.slide !== undefined && requirement.level !== undefined;
    if (freshness.fresh && assured && !sliding) return undefined;
    const shortfall: FreshnessShortfall = {
      reason: freshness.fresh ? 'insufficient_assurance' : freshness.reason,
      authTime: freshness.authTime,
    };
    const methods = this.acceptedMethods(authentication, requirement);
    const sessionKey = sessionKeyOf(authentication.sessionId, claims.sub);
    if (requirement.maxAge === 0) {
      const tokenEligible =
        assured &&
        !freshness.fresh &&
        freshness.reason === 'stale' &&
        freshness.authTime !== undefined;
      if (!tokenEligible && methods.length === 0) return shortfall;
      const granted = await this.records.takeGrantValue(sessionKey, route);
      if (granted === undefined) return shortfall;
      if (tokenEligible && granted === String(claims.auth_time)) return undefined;
      const proof = parseGrant(granted, claims.sub);
      return proof && accepts(methods, requirement, proof) ? undefined : shortfall;
    }
    if (sliding) {
      const tokenAt = assured ? freshness.authTime : undefined;
      return (await this.slides(authentication, requirement, methods, tokenAt))
        ? undefined
        : shortfall;
    }
    if (methods.length === 0) return shortfall;
    const now = this.clock.nowSeconds();
    // Only the kinds the route accepts: a route that takes passkeys alone reads one key.
    const proofs = await this.ledger.read(sessionKey, claims.sub, methods);
    const fresh = proofs.find(
      (proof) => now - proof.at <= requirement.maxAge && accepts(methods, requirement, proof),
    );
    return fresh ? undefined : shortfall;
  }

  /**
   * A sliding level: the latest accepted proof (the token's sign-in, or a ledger entry) is fresh,
   * or its window is still open; either way the window is extended from now, within its cap.
   */
  private async slides(
    authentication: Authentication,
    requirement: ProofRequirement & { maxAge: number },
    methods: readonly InPageMethod[],
    tokenAt: number | undefined,
  ): Promise<boolean> {
    const { claims } = authentication;
    const sessionKey = sessionKeyOf(authentication.sessionId, claims.sub);
    const candidates = tokenAt === undefined ? [] : [tokenAt];
    if (methods.length > 0) {
      for (const proof of await this.ledger.read(sessionKey, claims.sub, methods)) {
        if (accepts(methods, requirement, proof)) candidates.push(proof.at);
      }
    }
    if (candidates.length === 0) return false;
    const proofAt = Math.max(...candidates);
    const now = this.clock.nowSeconds();
    const window = {
      maxAge: requirement.maxAge,
      capSeconds: requirement.slide!.capSeconds,
      toleranceSeconds: this.policy.clockToleranceSeconds,
    };
    const level = requirement.level!;
    const open =
      (proofAt <= now + window.toleranceSeconds && Math.max(0, now - proofAt) <= window.maxAge) ||
      (await this.windows.isOpen(sessionKey, level, proofAt, now, window));
    if (!open) return false;
    await this.windows.extend(sessionKey, level, proofAt, now, window);
    return true;
  }

  /** The grant value an in-page proof leaves on a `maxAge` 0 route. */
  static grantValue(sub: string, proof: Pick<FactorProof, 'method' | 'amr'>): string {
    return IN_PAGE_GRANT + JSON.stringify({ sub, method: proof.method, amr: proof.amr });
  }
}

function accepts(
  methods: readonly InPageMethod[],
  requirement: ProofRequirement,
  proof: Pick<FactorProof, 'method' | 'amr'>,
): boolean {
  if (!methods.includes(proof.method)) return false;
  return (
    requirement.amr === undefined || proof.amr.some((value) => requirement.amr!.includes(value))
  );
}

function parseGrant(value: string, sub: string): Pick<FactorProof, 'method' | 'amr'> | undefined {
  if (!value.startsWith(IN_PAGE_GRANT)) return undefined;
  try {
    const grant = JSON.parse(value.slice(IN_PAGE_GRANT.length)) as Record<string, unknown>;
    if (grant.sub !== sub || !IN_PAGE_METHODS.includes(grant.method as InPageMethod)) {
      return undefined;
    }
    if (!Array.isArray(grant.amr) || grant.amr.some((v) => typeof v !== 'string')) return undefined;
    return { method: grant.method as InPageMethod, amr: grant.amr as string[] };
  } catch {
    return undefined;
  }
}
