import { negotiateResponse, type ReauthResponseStyle, type RequestHeaders } from './negotiation';

const CHROME_NAVIGATION_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const FIREFOX_NAVIGATION_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

// Headers objects are often built by hand, so the tests also feed values the type forbids.
function untypedHeaders(headers: Record<string, unknown>): RequestHeaders {
  return headers as RequestHeaders;
}

describe('negotiateResponse', () => {
  describe('browser navigations', () => {
    it.each<[string, RequestHeaders]>([
      ['Sec-Fetch-Mode: navigate', { 'sec-fetch-mode': 'navigate' }],
      ['Sec-Fetch-Mode with odd case and spaces', { 'sec-fetch-mode': ' Navigate ' }],
      [
        'Sec-Fetch-Mode: navigate beats a JSON Accept',
        { 'sec-fetch-mode': 'navigate', accept: 'application/json' },
      ],
      ['a Chrome navigation without Sec-Fetch headers', { accept: CHROME_NAVIGATION_ACCEPT }],
      ['a Firefox navigation', { accept: FIREFOX_NAVIGATION_ACCEPT, 'sec-fetch-mode': 'navigate' }],
      ['Accept: text/html', { accept: 'text/html' }],
      ['Accept: text/*', { accept: 'text/*' }],
      ['Accept: TEXT/HTML', { accept: 'TEXT/HTML' }],
      ['HTML with a higher q than JSON', { accept: 'application/json;q=0.5, text/html' }],
      ['HTML and JSON tied, HTML listed first', { accept: 'text/html, application/json' }],
      ['HTML over a wildcard', { accept: 'text/html, */*;q=0.1' }],
      [
        'a repeated Accept header preferring HTML',
        { accept: ['text/html', 'application/json;q=0.1'] },
      ],
      ['Basic credentials on a navigation', { authorization: 'Basic dTpw', accept: 'text/html' }],
    ])('redirects for %s', (_name, headers) => {
      expect(negotiateResponse(headers)).toBe('redirect');
    });
  });

  describe('programmatic requests', () => {
    it.each<[string, RequestHeaders]>([
      ['no headers', {}],
      [
        'fetch() asking for HTML (Sec-Fetch-Mode: cors)',
        { 'sec-fetch-mode': 'cors', accept: 'text/html' },
      ],
      [
        'a same-origin fetch asking for HTML',
        { 'sec-fetch-mode': 'same-origin', accept: 'text/html' },
      ],
      ['a no-cors request asking for HTML', { 'sec-fetch-mode': 'no-cors', accept: 'text/html' }],
      ['no Accept header', { 'user-agent': 'curl/8.5.0' }],
      ['Accept: */*', { accept: '*/*' }],
      ['Accept: application/json', { accept: 'application/json' }],
      ['Accept: application/*', { accept: 'application/*' }],
      ['JSON with a higher q than HTML', { accept: 'text/html;q=0.5, application/json' }],
      ['JSON and HTML tied, JSON listed first', { accept: 'application/json, text/html' }],
      ['a wildcard beating HTML', { accept: 'text/html;q=0.5, */*;q=0.9' }],
      ['HTML refused', { accept: 'text/html;q=0' }],
      ['an unrelated type only', { accept: 'image/png' }],
      ['Sec-Fetch-Mode: cors', { 'sec-fetch-mode': 'cors', accept: '*/*' }],
      ['Sec-Fetch-Mode: no-cors', { 'sec-fetch-mode': 'no-cors' }],
      [
        'Sec-Fetch-Mode: same-origin',
        { 'sec-fetch-mode': 'same-origin', accept: 'application/json' },
      ],
      [
        'X-Requested-With on a navigation',
        { 'x-requested-with': 'XMLHttpRequest', 'sec-fetch-mode': 'navigate' },
      ],
      [
        'X-Requested-With with an HTML Accept',
        { 'x-requested-with': 'XMLHttpRequest', accept: 'text/html' },
      ],
      ['an empty X-Requested-With', { 'x-requested-with': '', accept: CHROME_NAVIGATION_ACCEPT }],
      ['X-Requested-With with any value', { 'x-requested-with': 'fetch', accept: 'text/html' }],
      ['a repeated X-Requested-With', { 'x-requested-with': ['a', 'b'], accept: 'text/html' }],
      [
        'Bearer on a navigation',
        { authorization: 'Bearer abc.def.ghi', 'sec-fetch-mode': 'navigate' },
      ],
      [
        'Bearer with an HTML Accept',
        { authorization: 'Bearer abc', accept: CHROME_NAVIGATION_ACCEPT },
      ],
      ['a lower-case bearer scheme', { authorization: 'bearer abc', accept: 'text/html' }],
      ['an upper-case bearer scheme', { authorization: 'BEARER\tabc', accept: 'text/html' }],
      ['a bare Bearer scheme', { authorization: 'Bearer', 'sec-fetch-mode': 'navigate' }],
      [
        'a repeated Authorization header',
        { authorization: ['Bearer a', 'Bearer b'], accept: 'text/html' },
      ],
    ])('answers JSON for %s', (_name, headers) => {
      expect(negotiateResponse(headers)).toBe('json');
    });

    it('does not mistake a scheme that merely starts with "bearer" for Bearer', () => {
      expect(negotiateResponse({ authorization: 'Bearerish abc', accept: 'text/html' })).toBe(
        'redirect',
      );
    });
  });

  describe('malformed header values', () => {
    // Labels keep the test names short; some values are 100 000 characters long.
    const malformedAccepts: [label: string, value: unknown, expected: ReauthResponseStyle][] = [
      ['empty', '', 'json'],
      ['a space', ' ', 'json'],
      [';;;', ';;;', 'json'],
      [',,,', ',,,', 'json'],
      ['""', '""', 'json'],
      ['a lone quote', '"', 'json'],
      ['text/html;q=abc', 'text/html;q=abc', 'json'],
      ['text/html;q=NaN', 'text/html;q=NaN', 'json'],
      ['text/html; q=-1', 'text/html; q=-1', 'json'],
      ['*/*;q=0', '*/*;q=0', 'json'],
      ['/', '/', 'json'],
      ['*', '*', 'json'],
      ['text/', 'text/', 'json'],
      ['/html', '/html', 'json'],
      ['text/html followed by NUL', 'text/html\u0000', 'json'],
      ['a line separator before text/html', '\u2028text/html', 'json'],
      ['an unmatched charset parameter', 'text/html;charset="utf\\8"', 'json'],
      ['100 000 letters', 'a'.repeat(100_000), 'json'],
      ['20 000 media ranges', 'a/b,'.repeat(20_000), 'json'],
      ['an empty array', [], 'json'],
      ['an array of empty strings', ['', ''], 'json'],
      ['an array of garbage', [';;;', 'x'], 'json'],
      ['-1', -1, 'json'],
      ['null', null, 'json'],
      ['the string 1', '1', 'json'],
      ['an object', {}, 'json'],
      ['true', true, 'json'],
      ['1.5', 1.5, 'json'],
      ['1e13', 1e13, 'json'],
      ['an array of non-strings', [1, null], 'json'],
      // negotiator still reads these as text/html with a junk parameter.
      ['text/html with an empty q', 'text/html;q=', 'redirect'],
      ['text/html with an unterminated quote', 'text/html;level="', 'redirect'],
      [
        'text/html with a 40 000-character parameter',
        `text/html;a="${'\\a'.repeat(20_000)}`,
        'redirect',
      ],
      ['text/html with q=1e400', 'text/html;q=1e400', 'redirect'],
    ];
    const malformedValues = malformedAccepts.map(([, value]) => value);

    it.each(malformedAccepts)('answers exactly for Accept: %s', (_label, accept, expected) => {
      expect(negotiateResponse(untypedHeaders({ accept }))).toBe(expected);
    });

    it.each(['accept', 'sec-fetch-mode', 'authorization', 'x-requested-with'])(
      'never throws for any malformed %s',
      (name) => {
        for (const value of [...malformedValues, undefined]) {
          expect(() => negotiateResponse(untypedHeaders({ [name]: value }))).not.toThrow();
        }
      },
    );

    it('never redirects for a malformed Sec-Fetch-Mode', () => {
      for (const mode of [...malformedValues, ['navigate', 'navigate'], 'navigat', 'navigate;']) {
        expect(negotiateResponse(untypedHeaders({ 'sec-fetch-mode': mode }))).toBe('json');
      }
    });

    it('ignores a malformed Authorization and still redirects a navigation', () => {
      for (const authorization of malformedValues) {
        const headers = untypedHeaders({ authorization, 'sec-fetch-mode': 'navigate' });
        expect(negotiateResponse(headers)).toBe('redirect');
      }
    });

    it('treats any X-Requested-With, even a malformed one, as a script', () => {
      for (const value of malformedValues) {
        const headers = untypedHeaders({ 'x-requested-with': value, 'sec-fetch-mode': 'navigate' });
        expect(negotiateResponse(headers)).toBe('json');
      }
    });
  });
});
