import { oauth } from '../providers/oidc/oauth';
import { parseWwwAuthenticate } from './www-authenticate';

/**
 * The reader against oauth4webapi's (the OpenID Connect provider's HTTP client), which it keeps
 * internal and hands out as the `cause` of a WWWAuthenticateChallengeError. On well-formed values
 * both read the same challenges; where oauth4webapi is lenient (a parameter named twice, a
 * header outside the grammar), this reader refuses.
 */

const AS = { issuer: 'https://op.example' };
const CLIENT = { client_id: 'client' };

interface TheirChallenge {
  scheme: string;
  parameters: Record<string, string>;
  token68?: string;
}

async function theirs(header: string): Promise<TheirChallenge[] | undefined> {
  const response = new Response(null, { status: 401, headers: { 'www-authenticate': header } });
  try {
    await oauth().processUserInfoResponse(AS, CLIENT, 'sub', response);
  } catch (error) {
    if (error instanceof oauth().WWWAuthenticateChallengeError) {
      return error.cause as unknown as TheirChallenge[];
    }
    throw error;
  }
  return undefined;
}

const WELL_FORMED = [
  'Bearer',
  'Bearer realm="example"',
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
  'Bearer error="insufficient_user_authentication", acr_values="urn:a urn:b"',
  'Bearer error=insufficient_scope, scope="files:read files:write"',
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"',
  'Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""',
  'DPoP algs="ES256 PS256", error="use_dpop_nonce", Bearer realm="api"',
  'Negotiate YII+/abc==, Bearer error="invalid_token"',
  'Bearer realm="a\\\\b", x="a, b=c"',
  'bearer ERROR="x"',
];

describe('parseWwwAuthenticate and oauth4webapi', () => {
  it.each(WELL_FORMED)('read %s alike', async (header) => {
    const expected = (await theirs(header))!.map((challenge) => ({
      scheme: challenge.scheme,
      ...(challenge.token68 === undefined ? {} : { token68: challenge.token68 }),
      params: challenge.parameters,
    }));
    const ours = parseWwwAuthenticate(header).map((challenge) => ({
      ...challenge,
      params: { ...challenge.params },
    }));
    expect(ours).toEqual(expected);
  });

  it.each([
    ['a parameter named twice (oauth4webapi keeps the last)', 'Bearer error="a", error="b"'],
    ['a non-ASCII value', 'Bearer realm="café"'],
  ])('differ where this reader is strict: %s', async (_label, header) => {
    expect(await theirs(header)).toBeDefined();
    expect(() => parseWwwAuthenticate(header)).toThrow();
  });
});
