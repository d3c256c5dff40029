import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ProviderRejectedError } from '../providers/identity-provider';
import { CALLBACK_FAILURES, type CallbackFailureCode } from './callback-failures';
import type { CallbackOutcome, CallbackParams } from './callback-outcome';
import {
  ALICE,
  cookieHeader,
  delivered,
  edgeFixture,
  request,
  T0_SECONDS,
  type EdgeFixture,
  type FakeSignIn,
} from './edge-fixture.spec.helper';
import { ReauthCallback } from './reauth-callback';
import { ReauthStarter, type StartFlowInput } from './reauth-starter';

const BOB = 'user_bob';

describe('ReauthCallback', () => {
  let fixture: EdgeFixture;
  let callback: ReauthCallback;

  beforeEach(async () => {
    fixture = await edgeFixture({ signInLimits: { perUser: 2 } });
    callback = fixture.moduleRef.get(ReauthCallback);
  });
  afterEach(() => fixture.close());

  /** Starts a flow from a browser (holding `cookies`), as the exception filter would. */
  async function start(input: Partial<StartFlowInput> = {}, ...cookies: string[]) {
    const browser = request('GET', '/account/security', cookieHeaders(cookies));
    const started = await fixture.moduleRef
      .get(ReauthStarter)
      .start({ request: browser, maxAge: 300, sub: ALICE, route: 'account', ...input });
    const state = new URL(started.authorizationUrl).searchParams.get('state')!;
    return { state, binding: started.setCookie };
  }

  function cookieHeaders(cookies: string[]): Record<string, string> {
    return cookies.length === 0 ? {} : { cookie: cookieHeader(...cookies) };
  }

  function complete(params: CallbackParams, ...cookies: string[]): Promise<CallbackOutcome> {
    return callback.complete(request('GET', '/auth/callback', cookieHeaders(cookies)), params);
  }

  /** A code at the provider for this sign-in. */
  function code(signIn: FakeSignIn | Error, name = 'code-1'): string {
    fixture.provider.codes.set(name, signIn);
    return name;
  }

  const fresh = (sub = ALICE): FakeSignIn => ({ sub, authTime: T0_SECONDS });

  function expectFailure(outcome: CallbackOutcome, failure: CallbackFailureCode): void {
    const { status, title, message } = CALLBACK_FAILURES[failure];
    expect(outcome).toMatchObject({
      kind: 'failure',
      code: failure,
      status,
      title,
      continueTo: '/',
    });
    expect((outcome as { message: string }).message.startsWith(message)).toBe(true);
  }

  describe('success', () => {
    it('keeps the new session and sends the browser back where it was, with a 303 outcome', async () => {
      const { state, binding } = await start();
      const outcome = await complete({ state, code: code(fresh()) }, binding);
      expect(outcome).toEqual({
        kind: 'redirect',
        location: '/account/security',
        setCookies: [expect.stringMatching(/^wos-session=fake\./)],
      });
      await delivered();
      expect(fixture.events).toContainEqual(
        expect.objectContaining({
          type: 'reauth.completed',
          userId: ALICE,
          sessionId: `session_${ALICE}`,
          maxAge: 300,
          authTime: T0_SECONDS,
          actionRestored: false,
        }),
      );
      expect(fixture.provider.revoked).toEqual([]);
    });

    it('sends the PKCE verifier and the nonce the state sealed to the code exchange', async () => {
      const { state, binding } = await start();
      await complete({ state, code: code(fresh()) }, binding);
      const [authorization] = fixture.provider.authorizations;
      const [redemption] = fixture.provider.redemptions;
      expect(redemption.nonce).toBe(authorization.nonce);
      expect(redemption.maxAge).toBe(300);
      expect(redemption.codeVerifier).toMatch(/^[\w-]{43}$/);
    });

    it('keeps a max_age 0 grant and the action for the new session', async () => {
      const { state, binding } = await start({ maxAge: 0, action: { email: 'a@b.test' } });
      const outcome = await complete({ state, code: code(fresh()) }, binding);
      expect(outcome.kind).toBe('redirect');
      expect(await fixture.store.get(`reauth:grant:session_${ALICE}:account`)).toBe(
        String(T0_SECONDS),
      );
      expect(await fixture.store.get(`reauth:action:session_${ALICE}`)).toBe(
        JSON.stringify({ path: '/account/security', action: { email: 'a@b.test' } }),
      );
    });
  });

  describe('failures', () => {
    it('state_invalid: a state that does not open', async () => {
      expectFailure(await complete({ state: 'not-a-state', code: 'x' }), 'state_invalid');
      await delivered();
      expect(fixture.events).toEqual([
        expect.objectContaining({ type: 'reauth.failed', reason: 'state_invalid' }),
      ]);
    });

    it('state_expired: a state older than 10 minutes', async () => {
      const { state, binding } = await start();
      fixture.clock.advance(601 + 60);
      expectFailure(await complete({ state, code: code(fresh()) }, binding), 'state_expired');
      expect(fixture.provider.redemptions).toEqual([]);
    });

    it('state_not_bound: a state from another browser, without naming its user in the event', async () => {
      const { state } = await start();
      expectFailure(await complete({ state, code: code(fresh()) }), 'state_not_bound');
      await delivered();
      const failed = fixture.events.find((event) => event.type === 'reauth.failed');
      expect(failed).toEqual(expect.objectContaining({ reason: 'state_not_bound' }));
      expect(failed).not.toHaveProperty('userId');
      expect(fixture.provider.redemptions).toEqual([]);
    });

    it('issuer_mismatch: an answer from another issuer (RFC 9207)', async () => {
      const { state, binding } = await start();
      const outcome = await complete(
        { state, code: code(fresh()), iss: 'https://evil.test' },
        binding,
      );
      expectFailure(outcome, 'issuer_mismatch');
      expect(fixture.provider.redemptions).toEqual([]);
    });

    it.each([
      ['login_required', 'provider_refused'],
      ['interaction_required', 'provider_refused'],
      ['server_error', 'provider_error'],
      ['invalid_scope', 'provider_error'],
    ] as const)('%s from the provider is %s, naming the code', async (error, failure) => {
      const { state, binding } = await start();
      const outcome = await complete({ state, error, errorDescription: '<b>hi</b>' }, binding);
      expectFailure(outcome, failure);
      expect(outcome).toMatchObject({
        message: `${CALLBACK_FAILURES[failure].message} (${error})`,
      });
    });

    it('code_missing: no code and no error', async () => {
      const { state, binding } = await start();
      expectFailure(await complete({ state }, binding), 'code_missing');
    });

    it('code_invalid: a code the provider refuses', async () => {
      const { state, binding } = await start();
      expectFailure(await complete({ state, code: 'unknown' }, binding), 'code_invalid');
    });

    it('session_too_large: tokens too large for a cookie', async () => {
      const { state, binding } = await start();
      const refused = code(new ProviderRejectedError('session_too_large'));
      expectFailure(await complete({ state, code: refused }, binding), 'session_too_large');
    });

    it('provider_token_invalid: a token that does not verify, and its session is revoked', async () => {
      const { state, binding } = await start();
      const forged = code({ ...fresh(), forged: true });
      expectFailure(await complete({ state, code: forged }, binding), 'provider_token_invalid');
      expect(fixture.provider.revoked).toEqual([
        { sessionId: `session_${ALICE}`, refreshToken: `refresh_session_${ALICE}` },
      ]);
    });

    it('provider_token_invalid in a session it continued: hands that session back, untouched', async () => {
      // The provider continued the browser's own session and rotated its refresh token: the
      // cookie the browser holds would never refresh again if it were left in place.
      const alices = await fixture.provider.issue(fresh());
      const aliceCookie = `wos-session=${alices.sealed}`;
      const { state, binding } = await start({ sid: alices.sessionId }, aliceCookie);
      const forged = code({ ...fresh(), forged: true });
      const outcome = await complete({ state, code: forged }, binding, aliceCookie);
      expectFailure(outcome, 'provider_token_invalid');
      expect(outcome.setCookies).toHaveLength(1);
      expect(outcome.setCookies[0]).toMatch(/^wos-session=/);
      expect(fixture.provider.revoked).toEqual([]);
    });

    it('max_age_not_satisfied: a sign-in older than max_age (fail, never loop)', async () => {
      const { state, binding } = await start();
      const old = code({ sub: ALICE, authTime: T0_SECONDS - 3600 });
      expectFailure(await complete({ state, code: old }, binding), 'max_age_not_satisfied');
      expect(fixture.provider.revoked).toHaveLength(1);
    });

    it('refuses a reload of a refused sign-in before the provider hears of the code again', async () => {
      const { state, binding } = await start();
      const old = code({ sub: ALICE, authTime: T0_SECONDS - 3600 });
      expectFailure(await complete({ state, code: old }, binding), 'max_age_not_satisfied');
      expect(fixture.provider.redemptions).toHaveLength(1);
      expectFailure(await complete({ state, code: old }, binding), 'state_replayed');
      expect(fixture.provider.redemptions).toHaveLength(1);
    });

    it('keeps what refused sign-ins write to the store within the sign-in limits', async () => {
      const before = fixture.store.size;
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const { state, binding } = await start();
        // Another account signs in where Alice's step-up was asked, again and again.
        const signIn = code(fresh('user_mallory'), `code-${attempt}`);
        expectFailure(await complete({ state, code: signIn }, binding), 'user_mismatch');
      }
      // The two the limit (perUser 2) allows are marked used, and the counters: no more.
      expect(fixture.store.size - before).toBeLessThanOrEqual(2 + 2);
    });

    it('acr_missing: a sign-in without any acr where the route asked for one', async () => {
      const { state, binding } = await start({ acrValues: ['mfa'] });
      expectFailure(await complete({ state, code: code(fresh()) }, binding), 'acr_missing');
    });

    it('user_mismatch: another user signed in than the one who started', async () => {
      const { state, binding } = await start();
      expectFailure(await complete({ state, code: code(fresh(BOB)) }, binding), 'user_mismatch');
      expect(fixture.provider.revoked).toEqual([
        expect.objectContaining({ sessionId: 'session_user_bob' }),
      ]);
    });

    it('session_conflict: a sign-in into a browser that holds another user’s session', async () => {
      const bobs = await fixture.provider.issue(fresh(BOB));
      const bobCookie = `wos-session=${bobs.sealed}`;
      const { state, binding } = await start({ sub: undefined, maxAge: undefined }, bobCookie);
      const outcome = await complete({ state, code: code(fresh()) }, binding, bobCookie);
      expectFailure(outcome, 'session_conflict');
      expect(outcome.setCookies).toEqual([]);
      expect(fixture.provider.revoked).toEqual([
        expect.objectContaining({ sessionId: `session_${ALICE}` }),
      ]);
    });

    it('too_many_sign_ins: past the per-user limit', async () => {
      for (const name of ['a', 'b']) {
        const { state, binding } = await start();
        expect((await complete({ state, code: code(fresh(), name) }, binding)).kind).toBe(
          'redirect',
        );
      }
      const { state, binding } = await start();
      expectFailure(
        await complete({ state, code: code(fresh(), 'c') }, binding),
        'too_many_sign_ins',
      );
    });

    it('invalid_callback: a malformed query names the fields', () => {
      const outcome = callback.malformed(['state', 'code']);
      expectFailure(outcome, 'invalid_callback');
      expect(outcome).toMatchObject({
        message: `${CALLBACK_FAILURES.invalid_callback.message} (state, code)`,
      });
    });
  });

  describe('cancel', () => {
    it('sends the user back with the cancelled marker, and reports it', async () => {
      const { state, binding } = await start();
      expect(await complete({ state, error: 'access_denied' }, binding)).toEqual({
        kind: 'redirect',
        location: '/account/security?reauth=cancelled',
        setCookies: [],
      });
      await delivered();
      expect(fixture.events).toContainEqual(
        expect.objectContaining({ type: 'reauth.failed', reason: 'cancelled', userId: ALICE }),
      );
    });
  });

  describe('popups', () => {
    it.each<[string, () => Omit<CallbackParams, 'state'>, CallbackOutcome]>([
      [
        'answers a sign-in with its result page',
        () => ({ code: code(fresh()) }),
        { kind: 'popup', status: 'ok', setCookies: [expect.stringMatching(/^wos-session=/)] },
      ],
      [
        'reports a failure to its opener instead of a page',
        () => ({ code: 'unknown' }),
        { kind: 'popup', status: 'failed', code: 'code_invalid', setCookies: [] },
      ],
      [
        'tells its opener of a cancel',
        () => ({ error: 'access_denied' }),
        { kind: 'popup', status: 'cancelled', code: 'provider_error', setCookies: [] },
      ],
    ])('%s', async (_case, params, outcome) => {
      const { state, binding } = await start({ mode: 'popup' });
      expect(await complete({ state, ...params() }, binding)).toEqual(outcome);
    });
  });

  describe('a bound action', () => {
    const boundAction = {
      digest: 'ZGlnZXN0LW9mLXRoZS10cmFuc2Zlci10by1ib2ItNTAtRVVS',
      summary: 'Transfer 50 EUR to Bob',
      fields: { amount: 50, payee: 'Bob' },
    };
    const bound = { maxAge: 0, route: `transfers:T.send#${boundAction.digest}`, boundAction };

    it.each<[string, 'redirect' | 'popup', () => Omit<CallbackParams, 'state'>, object]>([
      ['the popup’s result page', 'popup', () => ({ code: code(fresh()) }), { status: 'ok' }],
      ['the popup’s failure', 'popup', () => ({ code: 'unknown' }), { status: 'failed' }],
      ['the popup’s cancel', 'popup', () => ({ error: 'access_denied' }), { status: 'cancelled' }],
      ['the failure page', 'redirect', () => ({ code: 'unknown' }), { kind: 'failure' }],
    ])('is named on %s', async (_case, mode, params, outcome) => {
      const { state, binding } = await start({ ...bound, mode });
      expect(await complete({ state, ...params() }, binding)).toMatchObject({
        ...outcome,
        summary: 'Transfer 50 EUR to Bob',
      });
    });

    it('is not named to another browser than the one that asked', async () => {
      const { state } = await start({ ...bound, mode: 'popup' });
      const outcome = await complete({ state, code: code(fresh()) });
      expect(outcome).toMatchObject({ kind: 'popup', status: 'failed', code: 'state_not_bound' });
      expect(outcome).not.toHaveProperty('summary');
    });
  });

  describe('replays', () => {
    it('state_replayed: a used state is refused before its code reaches the provider', async () => {
      const { state, binding } = await start();
      const first = code(fresh());
      expect((await complete({ state, code: first }, binding)).kind).toBe('redirect');
      expectFailure(await complete({ state, code: first }, binding), 'state_replayed');
      expect(fixture.provider.redemptions).toHaveLength(1);
    });

    it('sends on the browser that holds the session the sign-in made, without a marker', async () => {
      const { state, binding } = await start({ clientRequestId: 'request-id-0001-abc' });
      const first = await complete({ state, code: code(fresh()) }, binding);
      expect(first).toMatchObject({
        location: '/account/security?reauth=ok&reauth_id=request-id-0001-abc',
      });
      const replay = await complete({ state, code: 'code-1' }, binding, first.setCookies[0]);
      expect(replay).toEqual({ kind: 'redirect', location: '/account/security', setCookies: [] });
      expect(fixture.provider.redemptions).toHaveLength(1);
    });

    it('settles two concurrent callbacks of one state one after the other', async () => {
      const { state, binding } = await start();
      const name = code(fresh());
      const [one, two] = await Promise.all([
        complete({ state, code: name }, binding),
        complete({ state, code: name }, binding),
      ]);
      expect(one.kind).toBe('redirect');
      expectFailure(two, 'state_replayed');
      expect(fixture.provider.redemptions).toHaveLength(1);
    });
  });

  describe('fail closed', () => {
    it('a provider that cannot be reached is a 503 that keeps the cause', async () => {
      const { state, binding } = await start();
      const down = new Error('ECONNREFUSED');
      const error = await complete({ state, code: code(down) }, binding).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthUnavailableException);
      expect(error).toMatchObject({ dependency: 'workos', cause: down });
      await delivered();
      expect(fixture.events).toContainEqual(
        expect.objectContaining({ type: 'reauth.failed', reason: 'unavailable' }),
      );
    });

    it('a store that fails is a 503 before the code is spent', async () => {
      const { state, binding } = await start();
      jest.spyOn(fixture.store, 'get').mockRejectedValue(new Error('store down'));
      const error = await complete({ state, code: code(fresh()) }, binding).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ dependency: 'store', code: 'reauth_unavailable' });
      expect(fixture.provider.redemptions).toEqual([]);
    });
  });
});
