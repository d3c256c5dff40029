import {
  RETURN_TO_MAX_LENGTH,
  refererPath,
  returnToFromRequest,
  sanitizeReturnTo,
} from './return-to';

const MALFORMED: unknown[] = [-1, null, '1', [], {}, true, 1.5, 1e13, undefined, ['/'], 0, NaN];

const UNSAFE_STRINGS: [label: string, value: string][] = [
  ['protocol-relative', '//evil.com'],
  ['protocol-relative with a path', '//evil.com/account'],
  ['slash-backslash', '/\\evil.com'],
  ['backslash-slash', '\\/evil.com'],
  ['a backslash later on', '/account\\..\\evil'],
  ['an absolute https URL', 'https://evil.com'],
  ['an absolute URL without slashes', 'http:evil'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
  ['an encoded // after the slash', '/%2F%2Fevil.com'],
  ['an encoded // in lower case', '/%2f%2fevil.com'],
  ['a single encoded slash after the slash', '/%2fevil.com'],
  ['an encoded // mid-path', '/account/%2f%2fevil'],
  ['a double-encoded //', '/%252f%252fevil.com'],
  ['a triple-encoded //', '/%25252f%25252fevil.com'],
  ['an encoded backslash', '/%5Cevil'],
  ['an encoded backslash in lower case', '/%5cevil'],
  ['a double-encoded backslash', '/%255cevil'],
  ['an encoded backslash in the query', '/account?next=%5C'],
  ['an encoded // without the leading slash', '%2F%2Fevil'],
  ['encoded CRLF', '/foo%0d%0aSet-Cookie:x'],
  ['encoded CRLF in upper case', '/foo%0D%0ASet-Cookie:x'],
  ['double-encoded CRLF', '/foo%250d%250aSet-Cookie:x'],
  ['encoded CRLF in the query', '/foo?x=%0d%0a'],
  ['an encoded tab', '/foo%09bar'],
  ['an encoded NUL', '/foo%00'],
  ['an encoded DEL', '/foo%7f'],
  ['a raw CRLF', '/foo\r\nx'],
  ['a raw LF', '/foo\nx'],
  ['a raw tab', '/foo\tbar'],
  ['a tab hiding //', '/\t/evil.com'],
  ['a raw NUL', '/foo\u0000'],
  ['a raw DEL', '/foo\u007f'],
  ['a raw unit separator', '/foo\u001f'],
  ['a raw tab in the fragment', '/foo#a\tb'],
  ['a dot segment', '/./'],
  ['a dot-dot segment', '/a/../b'],
  ['a leading dot-dot segment', '/../etc'],
  ['an encoded dot-dot segment', '/%2e%2e/etc'],
  ['a half-encoded dot-dot segment', '/a/.%2e/b'],
  ['a trailing dot segment', '/a/.'],
  ['// mid-path', '/a//b'],
  ['a space', '/a b'],
  ['a non-ASCII character', '/café'],
  ['an empty query', '/a?'],
  ['an empty fragment', '/a#'],
  ['an empty string', ''],
  ['a relative path', 'account'],
  ['a dot-relative path', './account'],
  ['a query only', '?x=1'],
  ['a fragment only', '#top'],
];

const SAFE_STRINGS: string[] = [
  '/',
  '/account',
  '/account/security?x=1#frag',
  '/a%20b',
  '/a%2fb',
  '/caf%C3%A9',
  '/search?q=http://example.com',
  '/search?q=%2F%2F',
  '/a#x//y',
  '/100%25',
  '/a;b=c',
  '/a?b=c&d=e',
  "/-_.~!$&'()*+,;=:@",
];

describe('RETURN_TO_MAX_LENGTH', () => {
  it('is 2048', () => {
    expect(RETURN_TO_MAX_LENGTH).toBe(2048);
  });
});

describe('sanitizeReturnTo', () => {
  it.each(SAFE_STRINGS)('accepts %p unchanged', (value) => {
    expect(sanitizeReturnTo(value)).toBe(value);
    expect(sanitizeReturnTo(value, { fallback: '/home' })).toBe(value);
  });

  it.each(UNSAFE_STRINGS)('rejects %s', (_label, value) => {
    expect(sanitizeReturnTo(value)).toBeNull();
    expect(sanitizeReturnTo(value, { fallback: '/home' })).toBe('/home');
  });

  it.each(MALFORMED)('rejects the non-string %p', (value) => {
    expect(sanitizeReturnTo(value)).toBeNull();
    expect(sanitizeReturnTo(value, { fallback: '/' })).toBe('/');
  });

  it('accepts a path of exactly the maximum length', () => {
    const value = `/${'a'.repeat(RETURN_TO_MAX_LENGTH - 1)}`;
    expect(sanitizeReturnTo(value)).toBe(value);
  });

  it.each([RETURN_TO_MAX_LENGTH + 1, 5000])('rejects a path of %p characters', (length) => {
    expect(sanitizeReturnTo(`/${'a'.repeat(length - 1)}`)).toBeNull();
  });

  it('sees through a thousand layers of percent-encoding', () => {
    expect(sanitizeReturnTo(`/%${'25'.repeat(1000)}2fevil.com`)).toBeNull();
    const harmless = `/x%${'25'.repeat(1000)}41`;
    expect(sanitizeReturnTo(harmless)).toBe(harmless);
  });

  it('treats no options like an empty options object', () => {
    expect(sanitizeReturnTo('//evil.com', {})).toBeNull();
  });

  describe('fallback', () => {
    it.each([
      ...UNSAFE_STRINGS.map(([, value]) => value),
      ...MALFORMED.filter((v) => v !== undefined),
    ])('throws a TypeError for the unsafe fallback %p', (fallback) => {
      expect(() => sanitizeReturnTo('/fine', { fallback: fallback as string })).toThrow(
        new TypeError('fallback must be a same-origin absolute path'),
      );
    });
  });
});

describe('returnToFromRequest', () => {
  const host = 'app.example.com';

  describe('GET and HEAD', () => {
    it.each(['GET', 'HEAD', 'get', 'Head'])('returns the original URL for %s', (method) => {
      expect(returnToFromRequest({ method, originalUrl: '/account/security?tab=mfa', host })).toBe(
        '/account/security?tab=mfa',
      );
    });

    it('ignores the Referer', () => {
      expect(
        returnToFromRequest({
          method: 'GET',
          originalUrl: '/account',
          referer: `https://${host}/elsewhere`,
          host,
        }),
      ).toBe('/account');
    });

    it.each(UNSAFE_STRINGS)('falls back for an original URL that is %s', (_label, originalUrl) => {
      expect(returnToFromRequest({ method: 'GET', originalUrl, host })).toBe('/');
      expect(returnToFromRequest({ method: 'GET', originalUrl, host, fallback: '/home' })).toBe(
        '/home',
      );
    });
  });

  describe('other methods', () => {
    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])(
      'returns the same-host Referer path and query for %s',
      (method) => {
        expect(
          returnToFromRequest({
            method,
            originalUrl: '/account/email',
            referer: `https://${host}/account?tab=email#ignored`,
            host,
          }),
        ).toBe('/account?tab=email');
      },
    );

    it('matches the host with its port', () => {
      expect(
        returnToFromRequest({
          method: 'POST',
          originalUrl: '/account/email',
          referer: 'http://localhost:3000/account',
          host: 'localhost:3000',
        }),
      ).toBe('/account');
    });

    it('compares hosts case-insensitively', () => {
      expect(
        returnToFromRequest({
          method: 'POST',
          originalUrl: '/x',
          referer: 'https://APP.example.com/account',
          host: 'App.Example.COM',
        }),
      ).toBe('/account');
    });

    it('returns the Referer path normalised by URL parsing', () => {
      expect(
        returnToFromRequest({
          method: 'POST',
          originalUrl: '/x',
          referer: `https://${host}/a/../account?`,
          host,
        }),
      ).toBe('/account');
    });

    it.each<[string, unknown, unknown]>([
      ['another host', 'https://evil.com/account', host],
      ['a sub-domain of the host', `https://evil.${host}/account`, host],
      ['the host as a sub-domain elsewhere', `https://${host}.evil.com/account`, host],
      ['another port', 'http://localhost:4000/account', 'localhost:3000'],
      [
        'an implicit default port against an explicit one',
        'http://localhost/account',
        'localhost:80',
      ],
      ['credentials in the Referer', `https://${host}@evil.com/account`, host],
      ['a non-web scheme', `ftp://${host}/account`, host],
      ['a javascript: Referer', 'javascript:alert(1)', host],
      ['a relative Referer', '/account', host],
      ['a protocol-relative Referer', `//${host}/account`, host],
      ['an unparsable Referer', 'http://[::1', host],
      ['no Referer', undefined, host],
      ['an empty Referer', '', host],
      ['no Host', `https://${host}/account`, undefined],
      ['an empty Host', 'https:///account', ''],
      ...MALFORMED.map((value): [string, unknown, unknown] => [
        `Referer ${String(value)}`,
        value,
        host,
      ]),
      ...MALFORMED.map((value): [string, unknown, unknown] => [
        `Host ${String(value)}`,
        `https://${host}/account`,
        value,
      ]),
    ])('falls back for %s', (_label, referer, requestHost) => {
      const request = {
        method: 'POST',
        originalUrl: '/account/email',
        referer: referer as string,
        host: requestHost as string,
      };
      expect(returnToFromRequest(request)).toBe('/');
      expect(returnToFromRequest({ ...request, fallback: '/home' })).toBe('/home');
    });

    it('falls back when the same-host Referer path is unsafe', () => {
      expect(
        returnToFromRequest({
          method: 'POST',
          originalUrl: '/x',
          referer: `https://${host}/%2f%2fevil.com`,
          host,
        }),
      ).toBe('/');
    });

    it('never uses the original URL of a non-replayable request', () => {
      expect(returnToFromRequest({ method: 'POST', originalUrl: '/account/delete', host })).toBe(
        '/',
      );
    });

    it.each(MALFORMED)('treats the method %p as non-replayable', (method) => {
      expect(
        returnToFromRequest({ method: method as string, originalUrl: '/account/delete', host }),
      ).toBe('/');
    });
  });

  it.each(['//evil.com', 'https://evil.com', ''])(
    'throws a TypeError for the fallback %p',
    (fallback) => {
      expect(() => returnToFromRequest({ method: 'GET', originalUrl: '/fine', fallback })).toThrow(
        new TypeError('fallback must be a same-origin absolute path'),
      );
    },
  );
});

describe('refererPath', () => {
  it.each([
    ['https://app.example/account?tab=1', 'app.example', '/account?tab=1'],
    ['http://app.example:3000/a', 'app.example:3000', '/a'],
    ['https://evil.example/account', 'app.example', null],
    ['https://app.example//evil.com', 'app.example', null],
    ['javascript:alert(1)', 'app.example', null],
    ['not a url', 'app.example', null],
    [undefined, 'app.example', null],
    ['https://app.example/a', undefined, null],
    [['https://app.example/a'], 'app.example', null],
  ])('reads %p for host %p as %p', (referer, host, expected) => {
    expect(refererPath(referer, host)).toBe(expected);
  });
});
