import type { ReauthState } from '../core';
import type { AccessTokenClaims, ReauthRequest } from '../interfaces';
import { FunctionReauthClock } from '../core/clock';
import type { GrantSettings, SignInLimitSettings } from '../options/reauth-settings';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { ReauthRecords } from './reauth-records';
import { SignInAdmission } from './sign-in-admission';
import type { IdentityProvider } from '../providers/identity-provider';

const NOW = 1_800_000_000;
const limits: SignInLimitSettings = {
  clockToleranceSeconds: 5,
  signInLimits: { perUser: 100, perAddress: 100, windowSeconds: 60 },
  clientAddress: () => '127.0.0.1',
};
const grants: GrantSettings = { zeroMaxAgeGrantSeconds: 300 };
const request = { method: 'GET', url: '/auth/callback', headers: {} } as ReauthRequest;

let skippedMaxAgeZero = 0;

function admission(): SignInAdmission {
  const clock = new FunctionReauthClock(() => NOW * 1000);
  return new SignInAdmission(
    limits,
    clock,
    new ReauthRecords(grants, limits, new MemoryReauthStore({ now: () => NOW * 1000 })),
    {
      describe: () => 'OpenID Connect, issuer https://op.example',
      skippedMaxAgeZero: () => {
        skippedMaxAgeZero += 1;
      },
    } as unknown as IdentityProvider,
  );
}

function state(fields: Partial<ReauthState>): ReauthState {
  return { v: 1, returnTo: '/', nonce: 'n', iat: NOW - 10, exp: NOW + 590, ...fields };
}

function claims(sub: string, authTime: number): AccessTokenClaims {
  return { sub, auth_time: authTime, iat: authTime, exp: authTime + 300 } as AccessTokenClaims;
}

describe('SignInAdmission', () => {
  describe('another user in the browser comes first, whatever the state says', () => {
    it('refuses a planted re-auth state of another user in a signed-in browser', async () => {
      const planted = state({ sub: 'user_mallory', maxAge: 300 });
      const held = { sub: 'user_alice', sessionId: 'session_alice' };
      await expect(
        admission().refusal(request, planted, claims('user_mallory', NOW), held),
      ).resolves.toBe('session_conflict');
    });

    it('refuses it before a max_age refusal, which would hand back a continued session', async () => {
      const planted = state({ sub: 'user_mallory', maxAge: 300 });
      const held = { sub: 'user_alice', sessionId: 'session_alice' };
      await expect(
        admission().refusal(request, planted, claims('user_mallory', NOW - 3600), held),
      ).resolves.toBe('session_conflict');
    });

    it('names it a user mismatch when the browser’s own user started and signed in as another', async () => {
      const own = state({ sub: 'user_alice', maxAge: 300 });
      const held = { sub: 'user_alice', sessionId: 'session_alice' };
      await expect(admission().refusal(request, own, claims('user_bob', NOW), held)).resolves.toBe(
        'user_mismatch',
      );
    });

    it('admits the browser’s own user', async () => {
      const own = state({ sub: 'user_alice', maxAge: 300 });
      const held = { sub: 'user_alice', sessionId: 'session_alice' };
      await expect(
        admission().refusal(request, own, claims('user_alice', NOW - 1), held),
      ).resolves.toBeUndefined();
    });
  });

  describe('a provider that does not say when or how the user signed in', () => {
    const noTime = (authTime: number | undefined) =>
      ({ sub: 'user_alice', auth_time: authTime, iat: NOW, exp: NOW + 300 }) as AccessTokenClaims;

    it.each([0, 1, 946_684_799])(
      'refuses a re-authentication whose auth_time is %s as auth_time_unknown',
      async (authTime) => {
        const asked = state({ sub: 'user_alice', maxAge: 300 });
        await expect(
          admission().refusal(request, asked, noTime(authTime), undefined),
        ).resolves.toBe('auth_time_unknown');
      },
    );

    it('refuses a re-authentication without auth_time as auth_time_unknown, at max_age 0 too', async () => {
      for (const maxAge of [0, 300]) {
        const asked = state({ sub: 'user_alice', maxAge });
        await expect(
          admission().refusal(request, asked, noTime(undefined), undefined),
        ).resolves.toBe('auth_time_unknown');
      }
    });

    it('admits a plain sign-in with auth_time 0 (the app works; its step-up cannot)', async () => {
      await expect(
        admission().refusal(request, state({}), noTime(0), undefined),
      ).resolves.toBeUndefined();
    });

    it('takes the earliest plausible auth_time for a time, too old for max_age', async () => {
      const asked = state({ sub: 'user_alice', maxAge: 300 });
      await expect(
        admission().refusal(request, asked, noTime(946_684_800), undefined),
      ).resolves.toBe('max_age_not_satisfied');
    });

    it('refuses a sign-in without acr for a route that requires one as acr_missing', async () => {
      const asked = state({ sub: 'user_alice', maxAge: 300, acr: ['urn:example:loa:2'] });
      await expect(
        admission().refusal(request, asked, claims('user_alice', NOW), undefined),
      ).resolves.toBe('acr_missing');
      const weaker = { ...claims('user_alice', NOW), acr: 'urn:example:loa:1' };
      await expect(admission().refusal(request, asked, weaker, undefined)).resolves.toBe(
        'acr_not_satisfied',
      );
    });
  });

  describe('max_age 0', () => {
    it('tells the provider it skipped the prompt only when it handed back the asking sign-in', async () => {
      skippedMaxAgeZero = 0;
      const asked = state({ sub: 'user_alice', maxAge: 0, iat: NOW - 2, authTime: NOW - 30 });
      // A fresh sign-in 60 s ahead of the app's clock: refused, but no skipped prompt.
      await expect(
        admission().refusal(request, asked, claims('user_alice', NOW + 60), undefined),
      ).resolves.toBe('max_age_not_satisfied');
      expect(skippedMaxAgeZero).toBe(0);
      await expect(
        admission().refusal(request, asked, claims('user_alice', NOW - 30), undefined),
      ).resolves.toBe('max_age_not_satisfied');
      expect(skippedMaxAgeZero).toBe(1);
    });

    it('admits a second confirmation within the second of the first', async () => {
      // The first confirmation signed in at NOW; the second flow began in that same second.
      const second = state({ sub: 'user_alice', maxAge: 0, iat: NOW, authTime: NOW });
      await expect(
        admission().refusal(request, second, claims('user_alice', NOW), undefined),
      ).resolves.toBeUndefined();
    });

    it('refuses a provider that skipped the prompt and handed back the asking sign-in', async () => {
      const asked = state({ sub: 'user_alice', maxAge: 0, iat: NOW - 2, authTime: NOW - 3 });
      await expect(
        admission().refusal(request, asked, claims('user_alice', NOW - 3), undefined),
      ).resolves.toBe('max_age_not_satisfied');
    });

    it('admits a sign-in after the asking one', async () => {
      const asked = state({ sub: 'user_alice', maxAge: 0, iat: NOW - 2, authTime: NOW - 3 });
      await expect(
        admission().refusal(request, asked, claims('user_alice', NOW), undefined),
      ).resolves.toBeUndefined();
    });
  });

  describe('what a relayed challenge asked for', () => {
    const withClaims = (extra: Record<string, unknown>) => ({
      ...claims('user_alice', NOW),
      ...extra,
    });

    it('admits a token whose acrs names one of the contexts', async () => {
      const asked = state({ sub: 'user_alice', acrs: ['c1', 'c2'] });
      await expect(
        admission().refusal(request, asked, withClaims({ acrs: ['c2'] }), undefined),
      ).resolves.toBeUndefined();
    });

    it.each([undefined, [], ['c3'], 'c1', [{ c1: true }]])(
      'refuses acrs %p as claims_not_satisfied',
      async (acrs) => {
        const asked = state({ sub: 'user_alice', acrs: ['c1'] });
        await expect(
          admission().refusal(request, asked, withClaims({ acrs }), undefined),
        ).resolves.toBe('claims_not_satisfied');
      },
    );

    it('admits a token carrying every scope, in scope or scp', async () => {
      const asked = state({ sub: 'user_alice', scope: ['files:write', 'files:read'] });
      await expect(
        admission().refusal(
          request,
          asked,
          withClaims({ scope: 'openid files:read', scp: ['files:write'] }),
          undefined,
        ),
      ).resolves.toBeUndefined();
    });

    it('refuses a token missing one scope as scope_not_satisfied', async () => {
      const asked = state({ sub: 'user_alice', scope: ['files:write', 'files:read'] });
      await expect(
        admission().refusal(request, asked, withClaims({ scope: 'files:read' }), undefined),
      ).resolves.toBe('scope_not_satisfied');
    });

    it('checks max_age first: a stale sign-in is max_age_not_satisfied', async () => {
      const asked = state({ sub: 'user_alice', maxAge: 300, scope: ['files:write'] });
      await expect(
        admission().refusal(
          request,
          asked,
          { ...claims('user_alice', NOW - 400), scope: '' },
          undefined,
        ),
      ).resolves.toBe('max_age_not_satisfied');
    });
  });
});
