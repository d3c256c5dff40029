import {
  MAX_WWW_AUTHENTICATE_LENGTH,
  parseWwwAuthenticate,
  WwwAuthenticateSyntaxError,
} from './www-authenticate';

function refusal(value: string | string[]): string {
  try {
    parseWwwAuthenticate(value);
  } catch (error) {
    expect(error).toBeInstanceOf(WwwAuthenticateSyntaxError);
    expect(error).toMatchObject({ code: 'www_authenticate_malformed' });
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('parseWwwAuthenticate', () => {
  it('reads an RFC 9470 challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          error: 'insufficient_user_authentication',
          error_description: 'More recent authentication is required',
          max_age: '5',
        },
      },
    ]);
  });

  it('reads several challenges in one value, with token values, BWS and empty list elements', () => {
    expect(
      parseWwwAuthenticate(
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple" ,, DPoP algs="ES256 PS256" , Bearer',
      ),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
      { scheme: 'bearer', params: {} },
    ]);
  });

  it('reads challenges across several header lines, in order', () => {
    expect(parseWwwAuthenticate(['Basic realm="a"', 'Bearer scope = "read write"'])).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { scope: 'read write' } },
    ]);
  });

  it('reads token68, and tells it apart from a first parameter', () => {
    expect(parseWwwAuthenticate('Negotiate YII+/abc==, Bearer a=b')).toEqual([
      { scheme: 'negotiate', token68: 'YII+/abc==', params: {} },
      { scheme: 'bearer', params: { a: 'b' } },
    ]);
  });

  it('reads a lone word, or a word and "=", after the scheme as token68, as RFC 9110 does', () => {
    expect(parseWwwAuthenticate('Bearer realm')).toEqual([
      { scheme: 'bearer', token68: 'realm', params: {} },
    ]);
    expect(parseWwwAuthenticate('Bearer realm=')).toEqual([
      { scheme: 'bearer', token68: 'realm=', params: {} },
    ]);
  });

  it('lower-cases schemes and parameter names, keeps values as sent', () => {
    expect(parseWwwAuthenticate('BEARER Error="Insufficient_Scope"')).toEqual([
      { scheme: 'bearer', params: { error: 'Insufficient_Scope' } },
    ]);
  });

  it('keeps an escaped backslash and an empty quoted string', () => {
    expect(parseWwwAuthenticate('Bearer realm="", x="a\\\\b"')[0].params).toEqual({
      realm: '',
      x: 'a\\b',
    });
  });

  it('gives parameters no prototype: __proto__ is just a name', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", constructor=y');
    expect(Object.getPrototypeOf(challenge.params)).toBeNull();
    expect(challenge.params.__proto__).toBe('x');
  });

  it.each([
    ['an empty scheme', '=abc', 'expected an auth-scheme at 0'],
    ['a value missing', 'Bearer a=b, realm=', 'expected a parameter value at 18'],
    [
      'a value missing before a comma',
      'Bearer a=b, realm=, c=d',
      'expected a parameter value at 18',
    ],
    ['an unclosed quote', 'Bearer realm="abc', 'a quoted string without its closing quote'],
    ['a trailing backslash in quotes', 'Bearer realm="abc\\', 'without its closing quote'],
    ['two parameters without a comma', 'Bearer a=b c=d', 'expected "," between parameters'],
    ['a parameter named twice', 'Bearer error="a", Error="b"', 'the parameter error twice'],
    ['a tab after the scheme', 'Bearer\trealm="x"', 'expected a space after the auth-scheme'],
    ['a control character', 'Bearer realm="a\u0000b"', 'a control or non-ASCII character at 15'],
    ['a line break', 'Bearer realm="a"\r\nX: y', 'a control or non-ASCII character'],
    ['non-ASCII', 'Bearer realm="café"', 'a control or non-ASCII character'],
    ['parameters after token68', 'Basic abc=, realm=x', 'expected a space after the auth-scheme'],
    ['a quoted scheme', '"Bearer"', 'expected an auth-scheme at 0'],
    ['a separator in a token value', 'Bearer a=b;c', 'expected "," between parameters'],
  ])('refuses %s', (_label, value, message) => {
    expect(refusal(value)).toContain(message);
  });

  it('refuses values over the size limit, across lines too', () => {
    const long = `Bearer realm="${'a'.repeat(MAX_WWW_AUTHENTICATE_LENGTH)}"`;
    expect(refusal(long)).toBe(
      `the value is longer than ${MAX_WWW_AUTHENTICATE_LENGTH} characters`,
    );
    const half = `Bearer realm="${'a'.repeat(MAX_WWW_AUTHENTICATE_LENGTH / 2)}"`;
    expect(refusal([half, half])).toContain('longer than');
  });

  it('refuses more than 16 challenges and more than 32 parameters', () => {
    expect(refusal(Array.from({ length: 17 }, () => 'Basic').join(', '))).toBe(
      'more than 16 challenges',
    );
    expect(refusal(Array.from({ length: 9 }, () => 'Basic, Basic'))).toBe(
      'more than 16 challenges',
    );
    const params = Array.from({ length: 33 }, (_, i) => `p${i}=v`).join(', ');
    expect(refusal(`Bearer ${params}`)).toBe('more than 32 parameters');
  });

  it.each([null, 1, {}, [1]])('refuses a line that is not a string: %p', (value) => {
    expect(refusal(value as unknown as string)).toBe('a value is not a string');
  });

  it('reads nothing from an empty value or only commas', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(' , ,')).toEqual([]);
    expect(parseWwwAuthenticate([])).toEqual([]);
  });
});
