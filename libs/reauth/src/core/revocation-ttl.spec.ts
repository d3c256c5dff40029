import {
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  revocationTtlSeconds,
  type SessionTokenTimes,
} from './revocation-ttl';

describe('revocationTtlSeconds', () => {
  it('lasts the lifetime of the session’s tokens plus the clock tolerance', () => {
    expect(revocationTtlSeconds({ iat: 1_700_000_000, exp: 1_700_000_300 }, 5)).toBe(305);
    expect(revocationTtlSeconds({ iat: 1_700_000_000, exp: 1_700_086_400 }, 0)).toBe(86_400);
  });

  it('rounds a fractional lifetime up', () => {
    expect(revocationTtlSeconds({ iat: 1_700_000_000.5, exp: 1_700_000_300 }, 5)).toBe(305);
  });

  it('stops at a year, whatever exp and iat say', () => {
    expect(revocationTtlSeconds({ iat: 0, exp: 1e13 }, 5)).toBe(365 * 24 * 3600 + 5);
    expect(revocationTtlSeconds({ iat: -1, exp: 1_700_000_300 }, 5)).toBe(365 * 24 * 3600 + 5);
  });

  const MALFORMED: unknown[] = [null, '1', [], {}, true, Number.POSITIVE_INFINITY, Number.NaN];

  it.each<[string, SessionTokenTimes | undefined]>([
    ['no token', undefined],
    ['no times', {}],
    ['no iat', { exp: 1_700_000_300 }],
    ['no exp', { iat: 1_700_000_000 }],
    ['exp before iat', { iat: 1_700_000_300, exp: 1_700_000_000 }],
    ['exp equal to iat', { iat: 1_700_000_000, exp: 1_700_000_000 }],
  ])('assumes the default lifetime for %s', (_label, token) => {
    expect(revocationTtlSeconds(token, 5)).toBe(DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS + 5);
  });

  it('assumes the default lifetime for a malformed exp or iat', () => {
    for (const bad of MALFORMED) {
      for (const token of [
        { iat: 1_700_000_000, exp: bad },
        { iat: bad, exp: 1_700_000_300 },
        { iat: 1_700_000_000, exp: typeof bad === 'number' ? -bad : bad },
      ]) {
        expect(revocationTtlSeconds(token, 5)).toBe(DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS + 5);
      }
    }
  });
});
