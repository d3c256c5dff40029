import type { StepUpCapabilities } from '../providers/identity-provider';
import type { DownstreamChallenge } from './downstream-challenge';
import { beyondAllowList, decideRelay, RELAY_LOOP_WINDOW_SECONDS } from './relay-decision';

const NOW = 1_800_000_000;
const CLOCK = { now: NOW, toleranceSeconds: 5 };
const OIDC: StepUpCapabilities = {
  claimsParameter: true,
  acrValues: ['urn:loa:1', 'urn:loa:2'],
  scopes: true,
  name: 'the OpenID Provider http://op',
};
const WORKOS: StepUpCapabilities = {
  claimsParameter: false,
  acrValues: [],
  scopes: false,
  name: 'WorkOS AuthKit',
};
const MAX_AGE_300: DownstreamChallenge = { kind: 'insufficient_user_authentication', maxAge: 300 };
const LOA_2: DownstreamChallenge = {
  kind: 'insufficient_user_authentication',
  acrValues: ['urn:loa:2'],
};
const ACRS_C1: DownstreamChallenge = {
  kind: 'insufficient_claims',
  claims: { access_token: { acrs: { essential: true, value: 'c1' } } },
  acrs: ['c1'],
};
const NBF: DownstreamChallenge = {
  kind: 'insufficient_claims',
  claims: { access_token: { nbf: { essential: true, value: String(NOW - 10) } } },
};
const SCOPE: DownstreamChallenge = { kind: 'insufficient_scope', scope: ['files:write'] };

describe('decideRelay', () => {
  it('asks anyone not signed in to sign in', () => {
    expect(decideRelay(MAX_AGE_300, undefined, OIDC, CLOCK)).toEqual({
      kind: 'reauthenticate',
      reason: 'unauthenticated',
    });
  });

  describe('max_age', () => {
    it('relays a sign-in older than max_age as stale', () => {
      expect(decideRelay(MAX_AGE_300, { auth_time: NOW - 301 }, OIDC, CLOCK)).toEqual({
        kind: 'reauthenticate',
        reason: 'stale',
      });
    });

    it('relays a token without auth_time as missing_auth_time', () => {
      expect(decideRelay(MAX_AGE_300, {}, OIDC, CLOCK)).toEqual({
        kind: 'reauthenticate',
        reason: 'missing_auth_time',
      });
    });

    it.each([299, 296])(
      'relays a sign-in %i s old, within the clock tolerance of max_age, as stale: no loop',
      (age) => {
        expect(decideRelay(MAX_AGE_300, { auth_time: NOW - age }, OIDC, CLOCK)).toEqual({
          kind: 'reauthenticate',
          reason: 'stale',
        });
      },
    );

    it('calls a challenge the token already meets a loop', () => {
      expect(decideRelay(MAX_AGE_300, { auth_time: NOW - 295 }, OIDC, CLOCK)).toMatchObject({
        kind: 'refuse',
        reason: 'loop',
        detail:
          "The downstream service's insufficient_user_authentication challenge asks for what the caller's token already shows",
      });
    });

    it('works on a provider that says nothing else (WorkOS)', () => {
      expect(decideRelay(MAX_AGE_300, { auth_time: NOW - 400 }, WORKOS, CLOCK).kind).toBe(
        'reauthenticate',
      );
    });

    it('refuses max_age=0 as unsatisfiable, whoever asks', () => {
      const zero: DownstreamChallenge = { kind: 'insufficient_user_authentication', maxAge: 0 };
      expect(decideRelay(zero, undefined, OIDC, CLOCK)).toMatchObject({
        kind: 'refuse',
        reason: 'unsatisfiable',
        detail: expect.stringContaining('max_age=0'),
      });
    });
  });

  describe('acr_values', () => {
    it('relays a token with another acr as insufficient_assurance', () => {
      expect(decideRelay(LOA_2, { auth_time: NOW, acr: 'urn:loa:1' }, OIDC, CLOCK)).toEqual({
        kind: 'reauthenticate',
        reason: 'insufficient_assurance',
      });
    });

    it('calls it a loop when the token has one of them', () => {
      expect(decideRelay(LOA_2, { acr: 'urn:loa:2' }, OIDC, CLOCK)).toMatchObject({
        reason: 'loop',
      });
    });

    it('refuses acr values the provider does not offer', () => {
      const other: DownstreamChallenge = { ...LOA_2, acrValues: ['urn:other'] };
      expect(decideRelay(other, { acr: 'urn:loa:1' }, OIDC, CLOCK)).toEqual({
        kind: 'refuse',
        reason: 'unsatisfiable',
        detail:
          'The downstream service asks for acr_values "urn:other", none of which the OpenID Provider http://op offers',
      });
      expect(decideRelay(LOA_2, {}, WORKOS, CLOCK)).toMatchObject({ reason: 'unsatisfiable' });
    });

    it('tries acr values at a provider that does not list its own', () => {
      const silent = { ...OIDC, acrValues: undefined };
      expect(decideRelay(LOA_2, { acr: 'x' }, silent, CLOCK).kind).toBe('reauthenticate');
    });
  });

  describe('claims', () => {
    it('relays a token without the asked acrs', () => {
      expect(decideRelay(ACRS_C1, { auth_time: NOW, acrs: ['c2'] }, OIDC, CLOCK)).toEqual({
        kind: 'reauthenticate',
        reason: 'insufficient_assurance',
      });
    });

    it('calls it a loop when the token names the context', () => {
      expect(decideRelay(ACRS_C1, { acrs: ['c2', 'c1'] }, OIDC, CLOCK)).toMatchObject({
        reason: 'loop',
      });
    });

    it('refuses a claims challenge where the provider takes no claims request (WorkOS)', () => {
      expect(decideRelay(ACRS_C1, {}, WORKOS, CLOCK)).toEqual({
        kind: 'refuse',
        reason: 'unsatisfiable',
        detail:
          'The downstream service sends a claims challenge, and WorkOS AuthKit takes no claims request',
      });
    });

    it('relays claims it cannot check in a token, unless a sign-in just answered them', () => {
      const older = { auth_time: NOW - RELAY_LOOP_WINDOW_SECONDS - 1 };
      expect(decideRelay(NBF, older, OIDC, CLOCK).kind).toBe('reauthenticate');
      const recent = { auth_time: NOW - RELAY_LOOP_WINDOW_SECONDS };
      expect(decideRelay(NBF, recent, OIDC, CLOCK)).toMatchObject({
        kind: 'refuse',
        reason: 'loop',
        detail:
          'The downstream service asked again for claims of a token issued or signed in within the last 60 s',
      });
      expect(decideRelay(NBF, { auth_time: String(NOW) }, OIDC, CLOCK).kind).toBe('reauthenticate');
    });

    it('calls it a loop when the token was just issued, by a provider that did not prompt', () => {
      const reissued = { auth_time: NOW - 3600, iat: NOW - 5 };
      expect(decideRelay(NBF, reissued, OIDC, CLOCK)).toMatchObject({ reason: 'loop' });
      const older = { auth_time: NOW - 3600, iat: NOW - RELAY_LOOP_WINDOW_SECONDS - 1 };
      expect(decideRelay(NBF, older, OIDC, CLOCK).kind).toBe('reauthenticate');
    });
  });

  describe('scope', () => {
    it('relays a token without the scope', () => {
      expect(decideRelay(SCOPE, { scope: 'files:read' }, OIDC, CLOCK)).toEqual({
        kind: 'reauthenticate',
        reason: 'insufficient_assurance',
      });
    });

    it('calls it a loop when the token carries it (scope or scp)', () => {
      expect(decideRelay(SCOPE, { scope: 'files:read files:write' }, OIDC, CLOCK)).toMatchObject({
        reason: 'loop',
      });
      expect(decideRelay(SCOPE, { scp: ['files:write'] }, OIDC, CLOCK)).toMatchObject({
        reason: 'loop',
      });
    });

    it('refuses a scope step-up at a provider that cannot be asked for scopes', () => {
      expect(decideRelay(SCOPE, {}, WORKOS, CLOCK)).toMatchObject({
        reason: 'unsatisfiable',
        detail:
          'The downstream service asks for the scope "files:write", and WorkOS AuthKit cannot be asked for scopes',
      });
    });
  });
});

describe('beyondAllowList', () => {
  const NONE = { scopes: new Set<string>(), claims: new Set<string>() };
  const LISTED = { scopes: new Set(['files:write']), claims: new Set(['nbf']) };

  it('lets through what the module lists, and authentication contexts always', () => {
    expect(beyondAllowList(SCOPE, LISTED)).toBeUndefined();
    expect(beyondAllowList(NBF, LISTED)).toBeUndefined();
    expect(beyondAllowList(ACRS_C1, NONE)).toBeUndefined();
    expect(beyondAllowList(MAX_AGE_300, NONE)).toBeUndefined();
    expect(beyondAllowList(LOA_2, NONE)).toBeUndefined();
  });

  it('names an unlisted scope', () => {
    const admin: DownstreamChallenge = {
      kind: 'insufficient_scope',
      scope: ['files:write', 'files:admin'],
    };
    expect(beyondAllowList(admin, LISTED)).toBe(
      'The downstream service asks for the scope "files:admin", which relayedChallenges.scopes does not list',
    );
  });

  it.each([
    ['access_token', 'roles'],
    ['id_token', 'email'],
  ])('names an unlisted %s claim', (target, claim) => {
    const challenge: DownstreamChallenge = {
      kind: 'insufficient_claims',
      claims: { [target]: { [claim]: null } },
    };
    expect(beyondAllowList(challenge, LISTED)).toBe(
      `The downstream service asks for the ${target} claim "${claim}", which relayedChallenges.claims does not list`,
    );
  });

  it('leaves userinfo claims alone: they never reach the token', () => {
    const challenge: DownstreamChallenge = {
      kind: 'insufficient_claims',
      claims: { userinfo: { email: null } },
    };
    expect(beyondAllowList(challenge, NONE)).toBeUndefined();
  });
});
