import type { HttpAdapterHost } from '@nestjs/core';
import { headerSafeLocation, HttpResponses } from './http-responses';

describe('headerSafeLocation', () => {
  it('leaves printable ASCII, escapes included, as it is', () => {
    for (const location of [
      'https://idp.example/authorize?state=abc.def&max_age=300',
      '/account/security?saved=1',
      '/caf%C3%A9?q=a%20b',
      'https://idp.example/logout?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F',
    ]) {
      expect(headerSafeLocation(location)).toBe(location);
    }
  });

  it('percent-encodes what Node would refuse in a header, as UTF-8', () => {
    expect(headerSafeLocation('/café')).toBe('/caf%C3%A9');
    expect(headerSafeLocation('/a b\tc')).toBe('/a%20b%09c');
    expect(headerSafeLocation('/x\r\nSet-Cookie: y=1')).toBe('/x%0D%0ASet-Cookie:%20y=1');
    expect(headerSafeLocation('/\u{1F600}')).toBe('/%F0%9F%98%80');
    // A lone surrogate has no UTF-8 form: it becomes U+FFFD rather than an exception.
    expect(headerSafeLocation('/\uD800')).toBe('/%EF%BF%BD');
  });
});

describe('HttpResponses.addVary', () => {
  /** An adapter's header calls on a plain record. */
  function responsesWith(headers: Record<string, unknown>): HttpResponses {
    const httpAdapter = {
      getHeader: (_: unknown, name: string) => headers[name.toLowerCase()],
      setHeader: (_: unknown, name: string, value: string) => {
        headers[name.toLowerCase()] = value;
      },
    };
    return new HttpResponses({ httpAdapter } as unknown as HttpAdapterHost);
  }

  it.each<[unknown, string]>([
    [undefined, 'Accept-Language'],
    ['', 'Accept-Language'],
    ['Accept, Sec-Fetch-Mode', 'Accept, Sec-Fetch-Mode, Accept-Language'],
    [['Accept', 'Cookie'], 'Accept, Cookie, Accept-Language'],
    ['accept-language', 'accept-language'],
    ['*', '*'],
    [42, 'Accept-Language'],
  ])('adds to %j: %s', (vary, expected) => {
    const headers: Record<string, unknown> = { vary };
    responsesWith(headers).addVary({}, 'Accept-Language');
    expect(headers.vary).toBe(expected);
  });
});
