import type { ReauthModuleOptions } from '../interfaces';
import { resolveRelayedChallenges } from './relayed-challenge-options';

const resolve = (relayedChallenges: unknown) =>
  resolveRelayedChallenges({ relayedChallenges } as ReauthModuleOptions);

describe('relayedChallenges', () => {
  it('allows nothing beyond max_age, acr_values and acrs by default', () => {
    expect(resolve(undefined)).toEqual({ scopes: new Set(), claims: new Set() });
  });

  it('takes lists of scopes and claim names', () => {
    expect(resolve({ scopes: ['files:write'], claims: ['nbf'] })).toEqual({
      scopes: new Set(['files:write']),
      claims: new Set(['nbf']),
    });
  });

  it.each([
    ['relayedChallenges', 'must be an object', ['files:write']],
    ['relayedChallenges.scopes', 'must be an array', { scopes: 'files:write' }],
    ['relayedChallenges.scopes', 'must be an array', { scopes: ['files write'] }],
    ['relayedChallenges.scopes', 'must be an array', { scopes: ['a"b'] }],
    ['relayedChallenges.claims', 'must be an array', { claims: [''] }],
    ['relayedChallenges.claims', 'must be an array', { claims: [42] }],
  ])('fails the start naming %s', (option, requirement, given) => {
    expect(() => resolve(given)).toThrow(TypeError);
    expect(() => resolve(given)).toThrow(`ReauthModule: ${option} ${requirement}`);
  });
});
