import { findStepUpChallenge, parseWwwAuthenticate } from './challenge.js';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
      [
        {
          scheme: 'bearer',
          params: {
            error: 'insufficient_user_authentication',
            error_description: 'More recent authentication is required',
            max_age: '300',
          },
        },
      ],
    ],
    [
      'Bearer error=insufficient_user_authentication, max_age=300',
      [{ scheme: 'bearer', params: { error: 'insufficient_user_authentication', max_age: '300' } }],
    ],
    ['Bearer', [{ scheme: 'bearer', params: {} }]],
    [
      'Basic realm="a, b", Bearer realm="x", error="invalid_token"',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'x', error: 'invalid_token' } },
      ],
    ],
    [
      'Negotiate abc123==, Bearer max_age=0',
      [
        { scheme: 'negotiate', params: {}, token68: 'abc123==' },
        { scheme: 'bearer', params: { max_age: '0' } },
      ],
    ],
    [
      'Bearer, Basic realm="r"',
      [
        { scheme: 'bearer', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    [
      'BEARER ERROR = "x" , MAX_AGE = 5',
      [{ scheme: 'bearer', params: { error: 'x', max_age: '5' } }],
    ],
    [
      'Bearer error_description="say \\"hi\\" \\\\ bye"',
      [{ scheme: 'bearer', params: { error_description: 'say "hi" \\ bye' } }],
    ],
  ])('parses %s', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it.each([
    '',
    ',,,',
    '=',
    '"quoted"',
    'Bearer error="unterminated',
    'Bearer error=',
    '\u0000',
    'Bearer ,,, error="x"',
  ])('never throws on malformed %p', (header) => {
    expect(() => parseWwwAuthenticate(header)).not.toThrow();
  });

  it('keeps the challenges read before a malformed one', () => {
    expect(parseWwwAuthenticate('Basic realm="r", Bearer error="unterminated')).toEqual([
      { scheme: 'basic', params: { realm: 'r' } },
      { scheme: 'bearer', params: {} },
    ]);
  });

  it.each([undefined, null, 1, {}])('treats %p as no challenges', (value) => {
    expect(parseWwwAuthenticate(value as never)).toEqual([]);
  });
});

describe('findStepUpChallenge', () => {
  it('finds the RFC 9470 challenge among several', () => {
    expect(
      findStepUpChallenge(
        'Basic realm="x", Bearer error="insufficient_user_authentication", error_description="Step up", max_age=300, acr_values="urn:a urn:b"',
      ),
    ).toEqual({ maxAge: 300, errorDescription: 'Step up', acrValues: ['urn:a', 'urn:b'] });
  });

  it.each([
    null,
    undefined,
    '',
    'Bearer',
    'Bearer error="invalid_token"',
    'Basic error="insufficient_user_authentication"',
  ])('finds none in %p', (header) => {
    expect(findStepUpChallenge(header)).toBeUndefined();
  });

  it('reads acr_values alone, split on spaces or tabs', () => {
    expect(
      findStepUpChallenge(
        'Bearer error="insufficient_user_authentication", acr_values=" urn:a  urn:b\turn:c "',
      ),
    ).toEqual({ acrValues: ['urn:a', 'urn:b', 'urn:c'] });
    expect(
      findStepUpChallenge('Bearer error="insufficient_user_authentication", acr_values=phr'),
    ).toEqual({ acrValues: ['phr'] });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['more than 10 values', Array.from({ length: 11 }, (_, i) => `urn:${i}`).join(' ')],
    ['a value longer than 200 characters', `urn:a urn:${'x'.repeat(197)}`],
  ])('leaves out acr_values that are %s', (_case, acrValues) => {
    expect(
      findStepUpChallenge(
        `Bearer error="insufficient_user_authentication", max_age=60, acr_values="${acrValues}"`,
      ),
    ).toEqual({ maxAge: 60 });
  });

  it('keeps 10 acr_values of 200 characters', () => {
    const values = Array.from({ length: 10 }, (_, i) => `urn:${i}:${'x'.repeat(194)}`);
    expect(
      findStepUpChallenge(
        `Bearer error="insufficient_user_authentication", acr_values="${values.join(' ')}"`,
      ),
    ).toEqual({ acrValues: values });
  });

  it.each(['-1', 'abc', '1.5', '1e3', '99999999999'])(
    'ignores a malformed max_age %p',
    (maxAge) => {
      expect(
        findStepUpChallenge(`Bearer error="insufficient_user_authentication", max_age="${maxAge}"`),
      ).toEqual({});
    },
  );
});
