import {
  MAX_CLAIMS_PARAMETER_LENGTH,
  parseDownstreamChallenge,
  type DownstreamHeaders,
} from './downstream-challenge';
import { DownstreamChallengeException } from './downstream-challenge.exception';

const base64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const ACRS_C1 = { access_token: { acrs: { essential: true, value: 'c1' } } };

function malformed(headers: DownstreamHeaders): string {
  try {
    parseDownstreamChallenge(headers);
  } catch (error) {
    expect(error).toBeInstanceOf(DownstreamChallengeException);
    expect(error).toMatchObject({
      code: 'downstream_challenge_refused',
      reason: 'malformed',
    });
    expect((error as DownstreamChallengeException).getStatus()).toBe(502);
    return (error as DownstreamChallengeException).detail;
  }
  throw new Error(`accepted ${JSON.stringify(headers)}`);
}

const challenge = (value: string) => ({ 'www-authenticate': value });

describe('parseDownstreamChallenge', () => {
  describe('reads', () => {
    it('RFC 9470 insufficient_user_authentication with max_age and acr_values', () => {
      expect(
        parseDownstreamChallenge(
          challenge(
            'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR urn:x:loa:2", max_age="300"',
          ),
        ),
      ).toEqual({
        kind: 'insufficient_user_authentication',
        maxAge: 300,
        acrValues: ['myACR', 'urn:x:loa:2'],
      });
    });

    it('max_age alone, as a token', () => {
      expect(
        parseDownstreamChallenge(
          challenge('Bearer error=insufficient_user_authentication, max_age=5'),
        ),
      ).toEqual({ kind: 'insufficient_user_authentication', maxAge: 5 });
    });

    it("Entra's claims challenge, with its authentication context as acrs", () => {
      const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${base64(ACRS_C1)}"`;
      expect(parseDownstreamChallenge(challenge(header))).toEqual({
        kind: 'insufficient_claims',
        claims: ACRS_C1,
        acrs: ['c1'],
      });
    });

    it('a claims challenge in base64url without padding, with values and other claims', () => {
      const claims = {
        access_token: {
          acrs: { essential: true, values: ['c2', 'c3'] },
          nbf: { essential: true, value: '1604106651' },
        },
      };
      const encoded = Buffer.from(JSON.stringify(claims)).toString('base64url');
      expect(
        parseDownstreamChallenge(
          challenge(`Bearer error="insufficient_claims", claims="${encoded}"`),
        ),
      ).toEqual({ kind: 'insufficient_claims', claims, acrs: ['c2', 'c3'] });
    });

    it('a claims challenge without acrs (continuous access evaluation)', () => {
      const claims = { access_token: { nbf: { essential: true, value: '1604106651' } } };
      expect(
        parseDownstreamChallenge(
          challenge(`Bearer error="insufficient_claims", claims="${base64(claims)}"`),
        ),
      ).toEqual({ kind: 'insufficient_claims', claims });
    });

    it('insufficient_scope with its scope, as MCP servers send it', () => {
      expect(
        parseDownstreamChallenge(
          challenge(
            'Bearer error="insufficient_scope", scope="files:read files:write files:read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"',
          ),
        ),
      ).toEqual({ kind: 'insufficient_scope', scope: ['files:read', 'files:write'] });
    });

    it('a fetch Headers object, and a DPoP challenge', () => {
      const headers = new Headers({
        'WWW-Authenticate':
          'DPoP algs="ES256", error="insufficient_user_authentication", max_age=60',
      });
      expect(parseDownstreamChallenge(headers)).toEqual({
        kind: 'insufficient_user_authentication',
        maxAge: 60,
      });
    });

    it('several lines from a get() that answers a list (axios)', () => {
      const headers = {
        get: () => ['Basic realm="a"', 'Bearer error="insufficient_scope", scope="b"'],
      };
      expect(parseDownstreamChallenge(headers as unknown as DownstreamHeaders)).toEqual({
        kind: 'insufficient_scope',
        scope: ['b'],
      });
    });

    it('the step-up challenge among others, across several lines', () => {
      expect(
        parseDownstreamChallenge({
          'WWW-Authenticate': [
            'Basic realm="legacy"',
            'Bearer error="insufficient_scope", scope="a"',
          ],
        }),
      ).toEqual({ kind: 'insufficient_scope', scope: ['a'] });
    });

    it('the same step-up asked by a Bearer and a DPoP challenge', () => {
      expect(
        parseDownstreamChallenge(
          challenge(
            'Bearer error="insufficient_user_authentication", max_age=60, DPoP algs="ES256", error="insufficient_user_authentication", max_age="60"',
          ),
        ),
      ).toEqual({ kind: 'insufficient_user_authentication', maxAge: 60 });
    });
  });

  describe('finds no step-up challenge in', () => {
    it.each([
      ['no header', {}],
      ['an empty header', challenge('')],
      ['Bearer without an error', challenge('Bearer realm="api"')],
      ['invalid_token', challenge('Bearer error="invalid_token"')],
      ['an unknown error', challenge('Bearer error="insufficient_magic", max_age=5')],
      ['another scheme', challenge('Basic error="insufficient_scope", scope="a"')],
      ['a Headers object without it', new Headers()],
      ['an undefined value', { 'www-authenticate': undefined }],
    ])('%s', (_label, headers) => {
      expect(parseDownstreamChallenge(headers as DownstreamHeaders)).toBeUndefined();
    });
  });

  describe('refuses as malformed', () => {
    it.each([
      [
        'a broken header',
        'Bearer error="insufficient_scope',
        'WWW-Authenticate is malformed: a quoted string without its closing quote',
      ],
      [
        'a parameter named twice',
        'Bearer error="insufficient_scope", error="invalid_token"',
        'the parameter error twice',
      ],
      [
        'neither max_age nor acr_values',
        'Bearer error="insufficient_user_authentication"',
        'names neither max_age nor acr_values',
      ],
      [
        'max_age -1',
        'Bearer error="insufficient_user_authentication", max_age="-1"',
        'max_age is not a number',
      ],
      [
        'max_age 1.5',
        'Bearer error="insufficient_user_authentication", max_age="1.5"',
        'max_age is not a number',
      ],
      [
        'max_age 1e3',
        'Bearer error="insufficient_user_authentication", max_age="1e3"',
        'max_age is not a number',
      ],
      [
        'max_age empty',
        'Bearer error="insufficient_user_authentication", max_age=""',
        'max_age is not a number',
      ],
      [
        'max_age of milliseconds',
        'Bearer error="insufficient_user_authentication", max_age="300000000000"',
        'max_age is not a number',
      ],
      [
        'max_age over 10 years',
        'Bearer error="insufficient_user_authentication", max_age="315360001"',
        'max_age is not a number',
      ],
      [
        'acr_values with two spaces',
        'Bearer error="insufficient_user_authentication", acr_values="a  b"',
        'acr_values are not',
      ],
      [
        'acr_values repeated',
        'Bearer error="insufficient_user_authentication", acr_values="a a"',
        'acr_values are not',
      ],
      [
        'acr_values with a quote',
        'Bearer error="insufficient_user_authentication", acr_values="a\\"b"',
        'acr_values are not',
      ],
      [
        'eleven acr_values',
        `Bearer error="insufficient_user_authentication", acr_values="${'a b c d e f g h i j k'}"`,
        'acr_values are not',
      ],
      ['insufficient_scope without scope', 'Bearer error="insufficient_scope"', 'names no scope'],
      ['an empty scope', 'Bearer error="insufficient_scope", scope=""', 'scope is not'],
      [
        'a scope with a backslash',
        'Bearer error="insufficient_scope", scope="a\\\\b"',
        'scope is not',
      ],
      [
        '21 scopes',
        `Bearer error="insufficient_scope", scope="${Array.from({ length: 21 }, (_, i) => `s${i}`).join(' ')}"`,
        'scope is not',
      ],
      ['insufficient_claims without claims', 'Bearer error="insufficient_claims"', 'has no claims'],
      [
        'claims that are not base64',
        'Bearer error="insufficient_claims", claims="{\\"access_token\\":{}}"',
        'claims are not base64',
      ],
      [
        'claims of impossible base64 length',
        'Bearer error="insufficient_claims", claims="abcde"',
        'claims are not base64',
      ],
      [
        'claims that are not JSON',
        `Bearer error="insufficient_claims", claims="${base64('not json')}"`,
        'claims are not JSON in UTF-8',
      ],
      [
        'claims that are not UTF-8',
        `Bearer error="insufficient_claims", claims="${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64')}"`,
        'claims are not JSON in UTF-8',
      ],
      [
        'claims that are an array',
        `Bearer error="insufficient_claims", claims="${base64([ACRS_C1])}"`,
        'not a JSON object with members',
      ],
      [
        'claims that are null',
        `Bearer error="insufficient_claims", claims="${base64('null')}"`,
        'not a JSON object with members',
      ],
      [
        'empty claims',
        `Bearer error="insufficient_claims", claims="${base64({})}"`,
        'not a JSON object with members',
      ],
      [
        'claims for something else',
        `Bearer error="insufficient_claims", claims="${base64({ refresh_token: { x: null } })}"`,
        'ask for "refresh_token", not access_token',
      ],
      [
        'claims naming no claim',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: {} })}"`,
        'access_token is not an object naming claims',
      ],
      [
        'a claim request with other members',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { essential: true, max: 1 } } })}"`,
        'access_token.x is not null nor',
      ],
      [
        'a claim request with a non-boolean essential',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { essential: 'yes' } } })}"`,
        'access_token.x is not null nor',
      ],
      [
        'a claim request with an object value',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { value: {} } } })}"`,
        'access_token.x is not null nor',
      ],
      [
        'a claim request with empty values',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { values: [] } } })}"`,
        'access_token.x is not null nor',
      ],
      [
        'acrs without a value',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { acrs: null } })}"`,
        'acrs without 1 to 10 authentication contexts',
      ],
      [
        'acrs with a number',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { acrs: { value: 1 } } })}"`,
        'acrs without 1 to 10 authentication contexts',
      ],
      [
        'acrs with a space',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { acrs: { values: ['c 1'] } } })}"`,
        'acrs without 1 to 10 authentication contexts',
      ],
      [
        'claims nested too deep',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { values: [[[[1]]]] } } })}"`,
        'nested deeper than 5 levels',
      ],
      [
        'claims over 4 KB decoded',
        `Bearer error="insufficient_claims", claims="${base64({ access_token: { x: { value: 'a'.repeat(4100) } } })}"`,
        'longer than 2732 characters',
      ],
      [
        'different step-up challenges',
        'Bearer error="insufficient_scope", scope="a", DPoP error="insufficient_scope", scope="b"',
        'several step-up challenges that ask different things',
      ],
    ])('%s', (_label, value, detail) => {
      expect(malformed(challenge(value))).toContain(detail);
    });

    it('a claims parameter just over its limit, before decoding it', () => {
      const value = `Bearer error="insufficient_claims", claims="${'A'.repeat(MAX_CLAIMS_PARAMETER_LENGTH + 1)}"`;
      expect(malformed(challenge(value))).toContain('longer than 2732 characters');
    });

    it('base64 within the length limit that decodes past 2 KB (no padding, either alphabet)', () => {
      // 2,732 characters decode to 2,049 bytes.
      const value = `Bearer error="insufficient_claims", claims="${'QUFB'.repeat(683)}"`;
      expect(malformed(challenge(value))).toContain('larger than 2048 bytes');
    });

    it('a scope over 1,000 characters', () => {
      const scopes = Array.from({ length: 6 }, (_, i) => `${i}`.padEnd(190, 's')).join(' ');
      expect(
        malformed(challenge(`Bearer error="insufficient_scope", scope="${scopes}"`)),
      ).toContain('in at most 1000 characters');
    });

    it('a Headers-like get() that answers something else than text', () => {
      expect(malformed({ get: () => 42 } as unknown as DownstreamHeaders)).toContain(
        'WWW-Authenticate header is not text',
      );
    });

    it.each([1, {}, [1], null])('a header value that is not text: %p', (value) => {
      expect(malformed({ 'www-authenticate': value as unknown as string })).toContain(
        'WWW-Authenticate header is not text',
      );
    });

    it('a header over 8 KB', () => {
      expect(malformed(challenge(`Bearer realm="${'x'.repeat(9000)}"`))).toContain(
        'longer than 8192 characters',
      );
    });
  });

  it('never sends the downstream text to the client: the body names the reason only', () => {
    try {
      parseDownstreamChallenge(challenge('Bearer error="insufficient_claims", claims="<script>"'));
    } catch (error) {
      const body = (error as DownstreamChallengeException).getResponse();
      expect(body).toEqual({
        statusCode: 502,
        error: 'downstream_challenge_refused',
        reason: 'malformed',
        message:
          'A service this request depends on answered with an authentication challenge that could not be read.',
      });
      return;
    }
    throw new Error('accepted');
  });
});
