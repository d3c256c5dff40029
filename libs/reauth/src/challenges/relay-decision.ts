import { evaluateFreshness } from '../core/freshness';
import { hasAcrs, hasScopes } from '../core/token-grants';
import type { StepUpCapabilities } from '../providers/identity-provider';
import type { DownstreamChallenge } from './downstream-challenge';

/**
 * How recent a token (its `iat`) or its sign-in (`auth_time`) must be for a challenge that asks
 * for more than the library can check in a token (a `claims` request beyond `acrs`, such as
 * Entra's `nbf` after a revocation event) to count as a loop: the sign-in that answered it, or
 * the token it brought (a provider may answer without prompting), has just happened.
 */
export const RELAY_LOOP_WINDOW_SECONDS = 60;

/** The claims of the caller's token, as far as relaying reads them. */
export type RelayedTokenClaims = { readonly [claim: string]: unknown };

/** What to do with a challenge: start a re-authentication, or refuse it. */
export type RelayDecision =
  | {
      kind: 'reauthenticate';
      reason: 'unauthenticated' | 'stale' | 'missing_auth_time' | 'insufficient_assurance';
    }
  | { kind: 'refuse'; reason: 'unsatisfiable' | 'loop'; detail: string };

/**
 * Decides what a downstream's challenge becomes for the caller whose token has `claims`
 * (`undefined`: nobody is signed in). Refused (`unsatisfiable`) when the provider cannot give
 * what it asks; refused (`loop`) when the caller's token already meets everything it asks that a
 * token shows, so a new sign-in would bring the same answer: stateless, from the token alone. A
 * sign-in whose age is within `clock.toleranceSeconds` of `max_age` counts as stale (the
 * downstream's clock may be ahead), so it is relayed rather than refused.
 */
export function decideRelay(
  challenge: DownstreamChallenge,
  claims: RelayedTokenClaims | undefined,
  provider: StepUpCapabilities,
  clock: { now: number; toleranceSeconds: number },
): RelayDecision {
  const impossible = unsatisfiable(challenge, provider);
  if (impossible !== undefined)
    return { kind: 'refuse', reason: 'unsatisfiable', detail: impossible };
  if (claims === undefined) return { kind: 'reauthenticate', reason: 'unauthenticated' };

  if (challenge.maxAge !== undefined) {
    // The downstream's clock may run ahead of ours: a sign-in within the tolerance of max_age
    // may already be stale there. Counted as stale here, it is answered with a sign-in, never
    // refused as a loop.
    const freshness = evaluateFreshness({
      authTime: claims.auth_time,
      maxAge: Math.max(0, challenge.maxAge - clock.toleranceSeconds),
      now: clock.now,
      toleranceSeconds: clock.toleranceSeconds,
    });
    if (!freshness.fresh) return { kind: 'reauthenticate', reason: freshness.reason };
  }
  const unmet =
    (challenge.acrValues !== undefined &&
      !(typeof claims.acr === 'string' && challenge.acrValues.includes(claims.acr))) ||
    (challenge.acrs !== undefined && !hasAcrs(claims, challenge.acrs)) ||
    (challenge.scope !== undefined && !hasScopes(claims, challenge.scope));
  if (unmet) return { kind: 'reauthenticate', reason: 'insufficient_assurance' };

  if (asksBeyondAcrs(challenge)) {
    const recent = [claims.auth_time, claims.iat].some(
      (time) =>
        typeof time === 'number' &&
        Number.isSafeInteger(time) &&
        clock.now - time <= RELAY_LOOP_WINDOW_SECONDS,
    );
    if (!recent) return { kind: 'reauthenticate', reason: 'insufficient_assurance' };
    return {
      kind: 'refuse',
      reason: 'loop',
      detail: `The downstream service asked again for claims of a token issued or signed in within the last ${RELAY_LOOP_WINDOW_SECONDS} s`,
    };
  }
  return {
    kind: 'refuse',
    reason: 'loop',
    detail: `The downstream service's ${challenge.kind} challenge asks for what the caller's token already shows`,
  };
}

function unsatisfiable(
  challenge: DownstreamChallenge,
  provider: StepUpCapabilities,
): string | undefined {
  if (challenge.maxAge === 0) {
    return 'The downstream service asks for max_age=0, which no token used after its sign-in can meet';
  }
  if (challenge.acrValues !== undefined) {
    const offered = provider.acrValues;
    if (offered !== undefined && !challenge.acrValues.some((acr) => offered.includes(acr))) {
      return `The downstream service asks for acr_values "${challenge.acrValues.join(' ')}", none of which ${provider.name} offers`;
    }
  }
  if (challenge.claims !== undefined && !provider.claimsParameter) {
    return `The downstream service sends a claims challenge, and ${provider.name} takes no claims request`;
  }
  if (challenge.scope !== undefined && !provider.scopes) {
    return `The downstream service asks for the scope "${challenge.scope.join(' ')}", and ${provider.name} cannot be asked for scopes`;
  }
  return undefined;
}

/** Whether the claims request asks for anything but `access_token.acrs`. */
function asksBeyondAcrs(challenge: DownstreamChallenge): boolean {
  if (challenge.claims === undefined) return false;
  return Object.entries(challenge.claims).some(
    ([target, requested]) =>
      target !== 'access_token' || Object.keys(requested ?? {}).some((claim) => claim !== 'acrs'),
  );
}

/** The scopes and claim names relayed challenges may add to the user's sign-in. */
export interface RelayAllowList {
  readonly scopes: ReadonlySet<string>;
  readonly claims: ReadonlySet<string>;
}

/** Claims any relayed challenge may name: authentication contexts, and what the library asks. */
const ALWAYS_ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  access_token: new Set(['acrs']),
  id_token: new Set(['auth_time']),
};

/**
 * Why `challenge` asks for more than the module's `relayedChallenges` allows (a scope, or an
 * `access_token` or `id_token` claim, it does not list), in the library's words; `undefined`
 * when it does not. The token a sign-in brings is the user's session token, sent to every
 * downstream the app calls: one downstream must not widen it on its own word.
 */
export function beyondAllowList(
  challenge: DownstreamChallenge,
  allowed: RelayAllowList,
): string | undefined {
  const scope = challenge.scope?.find((name) => !allowed.scopes.has(name));
  if (scope !== undefined) {
    return `The downstream service asks for the scope "${scope}", which relayedChallenges.scopes does not list`;
  }
  for (const [target, requested] of Object.entries(challenge.claims ?? {})) {
    const always = ALWAYS_ALLOWED[target];
    if (always === undefined) continue; // userinfo: never in the token
    const claim = Object.keys(requested ?? {}).find(
      (name) => !always.has(name) && !allowed.claims.has(name),
    );
    if (claim !== undefined) {
      // A claim name is the downstream's text: short, visible ASCII in the log line.
      const name = claim.replace(/[^\x20-\x7E]/g, '?').slice(0, 40);
      return `The downstream service asks for the ${target} claim "${name}", which relayedChallenges.claims does not list`;
    }
  }
  return undefined;
}
