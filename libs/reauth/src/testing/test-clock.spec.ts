import { ReauthClock } from '../core/clock';
import { TestClock } from './test-clock';

const START_MS = Date.UTC(2030, 0, 1); // 1893456000 s
const NOT_NUMBERS = [undefined, null, '1', [], {}, true, NaN, Infinity, -Infinity];

describe('TestClock', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is a ReauthClock that stands still until moved', () => {
    const clock = new TestClock(START_MS + 999);
    expect(clock).toBeInstanceOf(ReauthClock);
    expect(clock.now()).toBe(START_MS + 999);
    expect(clock.nowSeconds()).toBe(1_893_456_000);
    expect(clock.now()).toBe(START_MS + 999);
  });

  it('starts at Date.now() read once, at construction', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(START_MS);
    const clock = new TestClock();
    now.mockReturnValue(START_MS + 60_000);
    expect(clock.now()).toBe(START_MS);
    expect(now).toHaveBeenCalledTimes(1);
  });

  it('advances by seconds, fractions included, and returns whole seconds', () => {
    const clock = new TestClock(START_MS);
    expect(clock.advance(301)).toBe(1_893_456_301);
    expect(clock.advance(0.5)).toBe(1_893_456_301);
    expect(clock.now()).toBe(START_MS + 301_500);
    expect(clock.advance(0)).toBe(1_893_456_301);
    expect(clock.advance(0.5)).toBe(1_893_456_302);
  });

  it('sets the time, backwards too', () => {
    const clock = new TestClock(START_MS);
    clock.set(START_MS - 3_600_000);
    expect(clock.nowSeconds()).toBe(1_893_452_400);
    clock.set(0);
    expect(clock.now()).toBe(0);
  });

  it.each([null, '1', [], {}, true, NaN, Infinity, -Infinity])('rejects the start %p', (value) => {
    expect(() => new TestClock(value as number)).toThrow(
      new TypeError('TestClock: startMs must be a finite number of milliseconds'),
    );
  });

  it.each([...NOT_NUMBERS, -1, -0.5, -Number.MIN_VALUE])('rejects advance(%p)', (value) => {
    const clock = new TestClock(START_MS);
    expect(() => clock.advance(value as number)).toThrow(
      new TypeError('TestClock: advance() takes a finite number of seconds >= 0'),
    );
    expect(clock.now()).toBe(START_MS);
  });

  it.each(NOT_NUMBERS)('rejects set(%p)', (value) => {
    const clock = new TestClock(START_MS);
    expect(() => clock.set(value as number)).toThrow(
      new TypeError('TestClock: set() takes a finite number of milliseconds'),
    );
    expect(clock.now()).toBe(START_MS);
  });
});
