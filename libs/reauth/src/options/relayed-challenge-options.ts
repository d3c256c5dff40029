import { fail } from '../core/option-checks';
import type { ReauthModuleOptions } from '../interfaces';
import type { ResolvedReauthOptions } from './resolved-options';

/** An OAuth scope token (RFC 6749 §3.3). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
/** A claim name as a claims request names it: printable, no spaces. */
const CLAIM_NAME = /^[\x21-\x7E]{1,128}$/;

/** `relayedChallenges`, checked; see {@link ReauthModuleOptions.relayedChallenges}. */
export function resolveRelayedChallenges(
  options: ReauthModuleOptions,
): ResolvedReauthOptions['relayedChallenges'] {
  const given: unknown = options.relayedChallenges ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('relayedChallenges', 'must be an object');
  }
  const { scopes, claims } = given as NonNullable<ReauthModuleOptions['relayedChallenges']>;
  return Object.freeze({
    scopes: names(scopes, 'relayedChallenges.scopes', SCOPE_TOKEN, 'OAuth scope tokens'),
    claims: names(claims, 'relayedChallenges.claims', CLAIM_NAME, 'claim names without spaces'),
  });
}

function names(value: unknown, option: string, grammar: RegExp, what: string): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (
    !Array.isArray(value) ||
    !value.every((name) => typeof name === 'string' && grammar.test(name))
  ) {
    fail(option, `must be an array of ${what} (1 to 128 printable ASCII characters)`);
  }
  return new Set(value as string[]);
}
