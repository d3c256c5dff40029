import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  evaluateFreshness,
  isValidMaxAge,
  type FreshnessInput,
} from './freshness';

const NOW = 1_735_680_000;
const TEN_YEARS = 10 * 365 * 24 * 60 * 60;

function evaluate(overrides: Partial<FreshnessInput>) {
  return evaluateFreshness({
    authTime: NOW,
    maxAge: 300,
    now: NOW,
    toleranceSeconds: 5,
    ...overrides,
  });
}

describe('DEFAULT_CLOCK_TOLERANCE_SECONDS', () => {
  it('is five seconds', () => {
    expect(DEFAULT_CLOCK_TOLERANCE_SECONDS).toBe(5);
  });
});

describe('isValidMaxAge', () => {
  it.each([0, 1, 59, 300, 86_400, TEN_YEARS])('accepts %p', (value) => {
    expect(isValidMaxAge(value)).toBe(true);
  });

  it.each<unknown>([
    -1,
    null,
    '1',
    '300',
    [],
    [300],
    {},
    true,
    false,
    1.5,
    1e13,
    TEN_YEARS + 1,
    NaN,
    Infinity,
    -Infinity,
    -0.5,
    Number.MAX_SAFE_INTEGER + 1,
    undefined,
    300n,
    Symbol('300'),
    () => 300,
  ])('rejects %p', (value) => {
    expect(isValidMaxAge(value)).toBe(false);
  });
});

describe('evaluateFreshness', () => {
  describe('with a usable auth_time', () => {
    it('is fresh when the sign-in just happened', () => {
      expect(evaluate({ authTime: NOW })).toEqual({ fresh: true, authTime: NOW, age: 0 });
    });

    it('is fresh exactly at maxAge', () => {
      expect(evaluate({ authTime: NOW - 300 })).toEqual({
        fresh: true,
        authTime: NOW - 300,
        age: 300,
      });
    });

    it('is stale one second past maxAge and echoes the authTime', () => {
      expect(evaluate({ authTime: NOW - 301 })).toEqual({
        fresh: false,
        reason: 'stale',
        authTime: NOW - 301,
      });
    });

    it('accepts auth_time 0 as a (very old) sign-in', () => {
      expect(evaluate({ authTime: 0 })).toEqual({ fresh: false, reason: 'stale', authTime: 0 });
      expect(evaluate({ authTime: 0, maxAge: TEN_YEARS, now: 100 })).toEqual({
        fresh: true,
        authTime: 0,
        age: 100,
      });
    });

    it('does not stretch maxAge by the clock tolerance', () => {
      expect(evaluate({ authTime: NOW - 302, toleranceSeconds: 5 })).toEqual({
        fresh: false,
        reason: 'stale',
        authTime: NOW - 302,
      });
    });
  });

  describe('with an auth_time in the future', () => {
    it.each([1, 4, 5])('treats %p s ahead (within the tolerance) as age 0', (ahead) => {
      expect(evaluate({ authTime: NOW + ahead })).toEqual({
        fresh: true,
        authTime: NOW + ahead,
        age: 0,
      });
    });

    it.each([6, 3600, 1_735_680_000_000 - NOW, Number.MAX_SAFE_INTEGER - NOW])(
      'is stale without echoing authTime when %p s ahead',
      (ahead) => {
        const result = evaluate({ authTime: NOW + ahead });
        expect(result).toEqual({ fresh: false, reason: 'stale' });
        expect(result).not.toHaveProperty('authTime');
      },
    );

    it('rejects a millisecond timestamp even with a huge maxAge', () => {
      const result = evaluate({ authTime: NOW * 1000, maxAge: TEN_YEARS });
      expect(result).toEqual({ fresh: false, reason: 'stale' });
    });

    it('honours a zero tolerance', () => {
      expect(evaluate({ authTime: NOW + 1, toleranceSeconds: 0 })).toEqual({
        fresh: false,
        reason: 'stale',
      });
    });
  });

  describe('with maxAge 0', () => {
    it.each([NOW, NOW - 1, NOW + 1, 0])('is never fresh (authTime %p)', (authTime) => {
      expect(evaluate({ authTime, maxAge: 0 })).toEqual({
        fresh: false,
        reason: 'stale',
        authTime,
      });
    });

    it('still hides a bogus future authTime', () => {
      expect(evaluate({ authTime: NOW + 60, maxAge: 0 })).toEqual({
        fresh: false,
        reason: 'stale',
      });
    });

    it('still reports a missing auth_time as such', () => {
      expect(evaluate({ authTime: undefined, maxAge: 0 })).toEqual({
        fresh: false,
        reason: 'missing_auth_time',
      });
    });
  });

  describe('with an unusable auth_time', () => {
    it.each<unknown>([
      -1,
      null,
      '1',
      String(NOW),
      [],
      [NOW],
      {},
      { valueOf: () => NOW },
      true,
      false,
      1.5,
      NOW + 0.5,
      NaN,
      Infinity,
      -Infinity,
      Number.MAX_SAFE_INTEGER + 2,
      undefined,
      BigInt(NOW),
      '',
    ])('returns missing_auth_time for %p', (authTime) => {
      const result = evaluate({ authTime });
      expect(result).toEqual({ fresh: false, reason: 'missing_auth_time' });
      expect(result).not.toHaveProperty('authTime');
    });
  });

  describe('with caller misuse', () => {
    const malformed: unknown[] = [-1, null, '1', [], {}, true, 1.5, NaN, Infinity, undefined];

    it.each([...malformed, 1e13, TEN_YEARS + 1])('throws a TypeError for maxAge %p', (maxAge) => {
      expect(() => evaluate({ maxAge: maxAge as number })).toThrow(
        new TypeError('maxAge must be an integer number of seconds from 0 to 10 years'),
      );
    });

    it.each(malformed)('throws a TypeError for now %p', (now) => {
      expect(() => evaluate({ now: now as number })).toThrow(
        new TypeError('now must be a non-negative integer number of Unix seconds'),
      );
    });

    it.each(malformed)('throws a TypeError for toleranceSeconds %p', (toleranceSeconds) => {
      expect(() => evaluate({ toleranceSeconds: toleranceSeconds as number })).toThrow(
        new TypeError('toleranceSeconds must be a non-negative integer number of seconds'),
      );
    });

    it('checks the caller arguments before the untrusted authTime', () => {
      expect(() => evaluate({ authTime: 'junk', maxAge: -1 })).toThrow(TypeError);
    });
  });
});
