import { Logger } from '@nestjs/common';
import { FunctionReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { HttpResponses } from '../http/http-responses';
import type { ReauthRequest } from '../interfaces';
import type { ProviderSignalSettings } from '../options/reauth-settings';
import type { IdentityProvider } from '../providers/identity-provider';
import {
  LogoutTokenError,
  type LogoutTokenClaims,
  type SigningKeyLookup,
} from '../providers/oidc/logout-token';
import type { ProviderEndedSessions, ProviderSignals } from '../authentication/provider-signals';
import {
  BackchannelLogoutController,
  MAX_BACKCHANNEL_LOGOUT_BODY_BYTES,
} from './backchannel-logout.controller';

const NOW = 1_800_000_000;
const FORM = 'application/x-www-form-urlencoded';
const CLAIMS: LogoutTokenClaims = {
  iss: 'https://op.example',
  sid: 'sid-1',
  sub: 'user_1',
  iat: NOW - 5,
  jti: 'jti-1',
  acceptedUntil: NOW + 145,
};

/** What the controller wrote through `HttpResponses`. */
interface Written {
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** The controller with fakes around it: a provider, the signals, the responses. */
function harness(
  setup: {
    verify?: (token: string, keyFor: SigningKeyLookup) => Promise<LogoutTokenClaims>;
    provider?: object;
    backchannelLogout?: boolean;
    /** `null`: the framework knows no address. */
    address?: string | null;
    withinLimit?: () => Promise<boolean>;
    firstUse?: () => Promise<boolean>;
    end?: () => Promise<void>;
  } = {},
) {
  const calls = {
    tokens: [] as string[],
    refused: [] as string[],
    firstUse: [] as [string, string, number][],
    ended: [] as ProviderEndedSessions[],
    limited: [] as string[],
  };
  const provider = setup.provider ?? {
    verification: () => Promise.resolve({ jwksUrl: 'http://127.0.0.1:1/jwks' }),
    verifyLogoutToken: (token: string, keyFor: SigningKeyLookup) => {
      calls.tokens.push(token);
      return setup.verify ? setup.verify(token, keyFor) : Promise.resolve(CLAIMS);
    },
  };
  const signals = {
    refused: (_signal: string, reason: string) => calls.refused.push(reason),
    withinLimit: (_signal: string, address: string) => {
      calls.limited.push(address);
      return setup.withinLimit?.() ?? Promise.resolve(true);
    },
    firstUse: (signal: string, id: string, ttl: number) => {
      calls.firstUse.push([signal, id, ttl]);
      return setup.firstUse?.() ?? Promise.resolve(true);
    },
    end: (ended: ProviderEndedSessions) => {
      calls.ended.push(ended);
      return setup.end?.() ?? Promise.resolve();
    },
    // As ProviderSignals does it (its own spec checks the release of a jti it could not act on).
    async endOnce(id: string, ttl: number, ended: ProviderEndedSessions) {
      if (!(await this.firstUse(ended.signal, id, ttl))) return false;
      await this.end(ended);
      return true;
    },
  };
  const written: Written = { headers: {} };
  const responses = {
    setHeaders: (_response: unknown, headers: Record<string, string>) =>
      Object.assign(written.headers, headers),
    json: (_response: unknown, status: number, body: object) =>
      Object.assign(written, { status, body }),
    empty: (_response: unknown, status: number) => Object.assign(written, { status }),
  };
  const controller = new BackchannelLogoutController(
    provider as IdentityProvider,
    signals as unknown as ProviderSignals,
    {
      providerSignals: { backchannelLogout: setup.backchannelLogout ?? true },
      clientAddress: () => (setup.address === null ? undefined : (setup.address ?? '192.0.2.7')),
    } as unknown as ProviderSignalSettings,
    responses as unknown as HttpResponses,
    new FunctionReauthClock(() => NOW * 1000),
    { jwksTimeoutMs: 1000, clockToleranceSeconds: 30 },
  );
  const post = async (
    body: unknown,
    headers: Record<string, string> = { 'content-type': FORM },
  ): Promise<Written> => {
    const request: ReauthRequest = {
      method: 'POST',
      url: '/auth/backchannel-logout',
      headers,
      body,
    };
    await controller.logout(request, {});
    return written;
  };
  return { post, calls };
}

const description = (written: Written) =>
  (written.body as { error_description: string }).error_description;

describe('BackchannelLogoutController', () => {
  it('ends the session a token names, answering 200 with no body and no-store', async () => {
    const { post, calls } = harness();
    const written = await post({ logout_token: 'a.b.c' });
    expect(written).toMatchObject({ status: 200, headers: { 'Cache-Control': 'no-store' } });
    expect(written.body).toBeUndefined();
    expect(calls.tokens).toEqual(['a.b.c']);
    expect(calls.ended).toEqual([{ signal: 'oidc_backchannel_logout', sessionIds: ['sid-1'] }]);
    expect(calls.refused).toEqual([]);
  });

  it('keeps the jti until the token is no longer accepted', async () => {
    const { post, calls } = harness();
    await post({ logout_token: 'a.b.c' });
    expect(calls.firstUse).toEqual([['oidc_backchannel_logout', 'jti-1', 146]]);
  });

  it('ends every session of the user signed in before a token that names no session, and says so once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { post, calls } = harness({
        verify: () => Promise.resolve({ ...CLAIMS, sid: undefined, iat: NOW - 5.5 }),
      });
      expect((await post({ logout_token: 'a.b.c' })).status).toBe(200);
      expect((await post({ logout_token: 'd.e.f' })).status).toBe(200);
      expect(calls.ended).toEqual([
        { signal: 'oidc_backchannel_logout', user: { id: 'user_1', before: NOW - 6 } },
        { signal: 'oidc_backchannel_logout', user: { id: 'user_1', before: NOW - 6 } },
      ]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/every session of the user/));
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a replayed token with 400, ending nothing', async () => {
    const { post, calls } = harness({ firstUse: () => Promise.resolve(false) });
    const written = await post({ logout_token: 'a.b.c' });
    expect(written.status).toBe(400);
    expect(description(written)).toBe('The logout token was already used. (replayed)');
    expect(calls.ended).toEqual([]);
    expect(calls.refused).toEqual(['replayed']);
  });

  it.each([
    ['wrong_audience', 400, 'The logout token is not for this client. (wrong_audience)'],
    ['too_large', 413, 'The logout token is too large. (too_large)'],
  ] as const)('answers a token refused as %s with %d', async (code, status, text) => {
    const { post, calls } = harness({ verify: () => Promise.reject(new LogoutTokenError(code)) });
    const written = await post({ logout_token: 'a.b.c' });
    expect(written).toMatchObject({
      status,
      body: { error: 'invalid_request', error_description: text },
      headers: { 'Cache-Control': 'no-store' },
    });
    expect(calls.refused).toEqual([code]);
    expect(calls.firstUse).toEqual([]);
  });

  it.each<[string, unknown, Record<string, string>, string]>([
    ['JSON', { logout_token: 'a.b.c' }, { 'content-type': 'application/json' }, 'not_a_form'],
    ['no content type', { logout_token: 'a.b.c' }, {}, 'not_a_form'],
    ['no body (no form parser)', undefined, { 'content-type': FORM }, 'no_token'],
    ['no logout_token', { other: '1' }, { 'content-type': FORM }, 'no_token'],
    ['two logout_tokens', { logout_token: ['a', 'b'] }, { 'content-type': FORM }, 'no_token'],
    ['a nested one', { logout_token: { a: '1' } }, { 'content-type': FORM }, 'no_token'],
    ['an empty one', { logout_token: '' }, { 'content-type': FORM }, 'no_token'],
  ])('refuses a request with %s before verifying anything', async (_what, body, headers, code) => {
    const { post, calls } = harness();
    const written = await post(body, headers);
    expect(written.status).toBe(400);
    expect(description(written)).toMatch(new RegExp(`\\(${code}\\)$`));
    expect(calls.tokens).toEqual([]);
    expect(calls.refused).toEqual([code]);
  });

  it('accepts a form type with parameters, in any case', async () => {
    const { post } = harness();
    const written = await post(
      { logout_token: 'a.b.c' },
      { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' },
    );
    expect(written.status).toBe(200);
  });

  it(`answers 413 to a body declared over ${MAX_BACKCHANNEL_LOGOUT_BODY_BYTES} bytes, unread`, async () => {
    const { post, calls } = harness();
    const written = await post(
      { logout_token: 'a.b.c' },
      { 'content-type': FORM, 'content-length': String(MAX_BACKCHANNEL_LOGOUT_BODY_BYTES + 1) },
    );
    expect(written.status).toBe(413);
    expect(calls.limited).toEqual([]);
    expect(calls.tokens).toEqual([]);
  });

  it('answers 429 with Retry-After over the limit of the address, before reading the token', async () => {
    const { post, calls } = harness({ withinLimit: () => Promise.resolve(false) });
    const written = await post({ logout_token: 'a.b.c' });
    expect(written).toMatchObject({ status: 429, headers: { 'Retry-After': '60' } });
    expect(calls.limited).toEqual(['192.0.2.7']);
    expect(calls.tokens).toEqual([]);
    expect(calls.refused).toEqual(['too_many_requests']);
  });

  it('counts nothing for a request whose address is unknown', async () => {
    const { post, calls } = harness({ address: null });
    expect((await post({ logout_token: 'a.b.c' })).status).toBe(200);
    expect(calls.limited).toEqual([]);
  });

  it.each([
    [
      'verifying the token (keys, discovery)',
      { verify: () => Promise.reject(new ReauthUnavailableException('jwks')) },
      'jwks_unavailable',
    ],
    [
      'counting',
      { withinLimit: () => Promise.reject(new ReauthUnavailableException('store')) },
      'store_unavailable',
    ],
    [
      'recording the jti',
      { firstUse: () => Promise.reject(new ReauthUnavailableException('store')) },
      'store_unavailable',
    ],
    [
      'recording the end',
      { end: () => Promise.reject(new ReauthUnavailableException('store')) },
      'store_unavailable',
    ],
  ] as const)('answers 503 when a dependency fails %s', async (_what, setup, reason) => {
    const { post, calls } = harness(setup);
    const written = await post({ logout_token: 'a.b.c' });
    expect(written).toMatchObject({
      status: 503,
      body: { error: 'temporarily_unavailable' },
      headers: {
        'Cache-Control': 'no-store',
        'Retry-After': expect.stringMatching(/^\d+$/) as unknown,
      },
    });
    expect(calls.refused).toEqual([reason]);
  });

  it('lets an unexpected error through', async () => {
    const bug = new TypeError('bug');
    const { post } = harness({ verify: () => Promise.reject(bug) });
    await expect(post({ logout_token: 'a.b.c' })).rejects.toBe(bug);
  });

  it('is not there (404) when back-channel logout is off, or the provider takes no Logout Tokens', async () => {
    const off = harness({ backchannelLogout: false });
    expect(await off.post({ logout_token: 'a.b.c' })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
      headers: { 'Cache-Control': 'no-store' },
    });
    expect(off.calls.limited).toEqual([]);
    const workos = { verification: () => Promise.resolve({ jwksUrl: 'x' }) };
    expect((await harness({ provider: workos }).post({ logout_token: 'a.b.c' })).status).toBe(404);
  });
});
