import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthBadActionException } from '../exceptions/reauth-bad-action.exception';
import {
  REAUTH_BAD_ACTION_SCHEMA,
  REAUTH_FORBIDDEN_SCHEMA,
  REAUTH_REQUIRED_SCHEMA,
  REAUTH_UNAVAILABLE_SCHEMA,
} from './schemas';

/** The fields of a body, and those it has whatever the request. */
function fieldsOf(bodies: object[]): { all: string[]; always: string[] } {
  const keys = bodies.map((body) =>
    Object.entries(body)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key),
  );
  return {
    all: [...new Set(keys.flat())].sort(),
    always: keys.reduce((common, next) => common.filter((key) => next.includes(key))).sort(),
  };
}

function documented(spec: { properties: object }): { all: string[]; always: string[] } {
  const properties = Object.entries(spec.properties) as [string, { required: boolean }][];
  return {
    all: properties.map(([key]) => key).sort(),
    always: properties
      .filter(([, property]) => property.required)
      .map(([key]) => key)
      .sort(),
  };
}

const body = (exception: { getResponse(): string | object }) => exception.getResponse() as object;

describe('the schemas describe the bodies the exceptions make', () => {
  it('the JSON 401 (with the reauthUrl the filter adds)', () => {
    const bodies = [
      { ...body(new ReauthRequiredException({ reason: 'unauthenticated' })), reauthUrl: 'u' },
      {
        ...body(
          new ReauthRequiredException({
            reason: 'insufficient_assurance',
            maxAge: 300,
            authTime: 1,
            acrValues: ['loa2'],
          }),
        ),
        reauthUrl: 'u',
        stepUp: { ticket: 't', methods: [{ kind: 'provider', url: 'u' }] },
      },
      {
        ...body(
          new ReauthRequiredException({
            reason: 'stale',
            maxAge: 0,
            boundAction: { digest: 'd', summary: 'Transfer 50 EUR to Bob', fields: {} },
          }),
        ),
        reauthUrl: 'u',
      },
    ];
    expect(documented(REAUTH_REQUIRED_SCHEMA)).toEqual(fieldsOf(bodies));
  });

  it('the 400 of an action-bound route', () => {
    const bodies = [
      body(new ReauthBadActionException('action_fields_missing', ['payee'])),
      body(new ReauthBadActionException('action_summary_invalid')),
    ];
    expect(documented(REAUTH_BAD_ACTION_SCHEMA)).toEqual(fieldsOf(bodies));
  });

  it('the 403', () => {
    const bodies = [
      body(new ReauthForbiddenException('cross_site_request')),
      body(new ReauthForbiddenException('impersonation_not_allowed')),
    ];
    expect(documented(REAUTH_FORBIDDEN_SCHEMA)).toEqual(fieldsOf(bodies));
  });

  it('the 503', () => {
    const bodies = [
      body(new ReauthUnavailableException('jwks')),
      body(new ReauthUnavailableException('store', { setCookie: 'x=1' })),
    ];
    expect(documented(REAUTH_UNAVAILABLE_SCHEMA)).toEqual(fieldsOf(bodies));
  });

  it('with the status code and error code each body carries', () => {
    const cases = [
      [REAUTH_REQUIRED_SCHEMA, body(new ReauthRequiredException({ reason: 'stale' }))],
      [REAUTH_FORBIDDEN_SCHEMA, body(new ReauthForbiddenException('cross_site_request'))],
      [REAUTH_UNAVAILABLE_SCHEMA, body(new ReauthUnavailableException('workos'))],
      [REAUTH_BAD_ACTION_SCHEMA, body(new ReauthBadActionException('action_fields_missing'))],
    ] as const;
    for (const [spec, made] of cases) {
      const { statusCode, error } = made as { statusCode: number; error: string };
      expect(spec.properties.statusCode.enum).toEqual([statusCode]);
      expect(spec.properties.error.enum).toEqual([error]);
    }
  });
});
