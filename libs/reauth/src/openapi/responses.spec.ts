import { RequestMethod } from '@nestjs/common';
import type { RecentAuthRequirement } from '../decorators/require-recent-auth.decorator';
import { describeReauthResponses } from './responses';

const signIn: RecentAuthRequirement = { maxAge: null };
const recent = (maxAge: number, more: Partial<RecentAuthRequirement> = {}) => ({
  maxAge,
  ...more,
});

const statuses = (requirement: RecentAuthRequirement, method: RequestMethod) =>
  describeReauthResponses(requirement, method).map((response) => response.status);

const find = (requirement: RecentAuthRequirement, method: RequestMethod, status: number) =>
  describeReauthResponses(requirement, method).find((response) => response.status === status);

describe('describeReauthResponses', () => {
  it('gives a sign-in route its 401 and 503, with the reasons and the challenge it can give', () => {
    expect(statuses(signIn, RequestMethod.GET)).toEqual([401, 503]);
    const unauthorized = find(signIn, RequestMethod.GET, 401)!;
    expect(unauthorized.schema).toBe('ReauthRequiredResponse');
    expect(unauthorized.description).toMatch(/^Requires a signed-in user\. /);
    expect(unauthorized.description).toContain('`reason`: `unauthenticated`, `invalid_token`.');
    expect(unauthorized.headers?.['WWW-Authenticate']).toMatchObject({
      required: true,
      schema: { type: 'string', example: 'Bearer' },
    });
  });

  it('says how recent the sign-in must be, and gives the challenge of a stale token', () => {
    const unauthorized = find(recent(300), RequestMethod.GET, 401)!;
    expect(unauthorized.description).toMatch(/^Requires a sign-in within 300 s \(max_age=300\)\. /);
    expect(unauthorized.description).toContain(
      '`reason`: `stale`, `missing_auth_time`, `unauthenticated`, `invalid_token`.',
    );
    expect(unauthorized.headers?.['WWW-Authenticate'].schema.example).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    expect(find(recent(0), RequestMethod.GET, 401)!.description).toMatch(
      /^Requires a sign-in for this very request \(max_age=0\): each re-authentication lets one request through\. /,
    );
  });

  it('names the acr and amr values, and the reason they add', () => {
    const both = find(recent(60, { acr: ['loa2', 'loa3'], amr: ['mfa'] }), RequestMethod.GET, 401)!;
    expect(both.description).toMatch(
      /^Requires a sign-in within 60 s \(max_age=60\), at one of the assurance levels `loa2`, `loa3` \(acr_values="loa2 loa3"\), with one of the authentication methods `mfa` \(amr\)\. /,
    );
    expect(both.description).toContain('`insufficient_assurance`');
    expect(both.headers?.['WWW-Authenticate'].schema.example).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="60", acr_values="loa2 loa3"',
    );
    const amrOnly = find(recent(60, { amr: ['mfa'] }), RequestMethod.GET, 401)!;
    expect(amrOnly.description).toContain('`insufficient_assurance`');
    expect(amrOnly.headers?.['WWW-Authenticate'].schema.example).not.toContain('acr_values');
    expect(find(recent(60), RequestMethod.GET, 401)!.description).not.toContain(
      'insufficient_assurance',
    );
  });

  it.each([
    ['GET', RequestMethod.GET],
    ['HEAD', RequestMethod.HEAD],
    ['OPTIONS', RequestMethod.OPTIONS],
  ])('documents no cross-site 403 on %s', (_name, method) => {
    expect(statuses(signIn, method)).toEqual([401, 503]);
    const forbidden = find(recent(300), method, 403)!;
    expect(forbidden.description).not.toContain('cross_site_request');
    expect(forbidden.description).toContain('`impersonation_not_allowed`');
  });

  it.each([
    ['POST', RequestMethod.POST],
    ['PUT', RequestMethod.PUT],
    ['PATCH', RequestMethod.PATCH],
    ['DELETE', RequestMethod.DELETE],
    ['ALL', RequestMethod.ALL],
    ['SEARCH', RequestMethod.SEARCH],
  ])('documents the cross-site 403 on %s unless the route allows it', (_name, method) => {
    const forbidden = find(signIn, method, 403)!;
    expect(forbidden.schema).toBe('ReauthForbiddenResponse');
    expect(forbidden.description).toContain('`cross_site_request`');
    expect(forbidden.description).not.toContain('impersonation_not_allowed');
    expect(statuses({ maxAge: null, allowCrossOrigin: true }, method)).toEqual([401, 503]);
    expect(find(recent(300), method, 403)!.description).toMatch(
      /`cross_site_request`.*; `impersonation_not_allowed`/,
    );
  });

  it('documents no 403 where the route allows both', () => {
    expect(
      statuses(
        recent(300, { allowCrossOrigin: true, allowImpersonation: true }),
        RequestMethod.POST,
      ),
    ).toEqual([401, 503]);
    expect(statuses(recent(300, { allowImpersonation: true }), RequestMethod.GET)).toEqual([
      401, 503,
    ]);
  });

  it('documents the 503 with Retry-After on every guarded route', () => {
    for (const requirement of [signIn, recent(300)]) {
      expect(find(requirement, RequestMethod.POST, 503)).toEqual({
        status: 503,
        schema: 'ReauthUnavailableResponse',
        description: expect.stringContaining('retry after `Retry-After` seconds'),
        headers: {
          'Retry-After': {
            description: 'Seconds to wait before retrying.',
            required: true,
            schema: { type: 'integer', example: 5 },
          },
        },
      });
    }
  });
});
