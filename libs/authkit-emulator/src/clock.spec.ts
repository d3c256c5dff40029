import { EmulatorClock } from './clock';

describe('EmulatorClock', () => {
  it('reads its source and advances by whole seconds', () => {
    const clock = new EmulatorClock(() => 1_700_000_000_500);
    expect(clock.nowSeconds()).toBe(1_700_000_000);
    expect(clock.advance(301)).toBe(1_700_000_301);
    expect(clock.nowMs()).toBe(1_700_000_301_500);
  });

  it.each([-1, 1.5, NaN, Infinity, 1e300])('refuses to advance by %p', (seconds) => {
    const clock = new EmulatorClock(() => 0);
    expect(() => clock.advance(seconds)).toThrow(TypeError);
    expect(clock.nowMs()).toBe(0);
  });
});
