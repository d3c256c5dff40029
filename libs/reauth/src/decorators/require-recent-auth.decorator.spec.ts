import { Reflector } from '@nestjs/core';
import {
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
} from './require-recent-auth.decorator';

describe('@RequireRecentAuth', () => {
  it.each([-1, null, '1', [], {}, true, 1.5, 1e13, NaN, Infinity, undefined])(
    'refuses %p at decoration time',
    (value) => {
      expect(() => RequireRecentAuth(value as number)).toThrow(
        /^@RequireRecentAuth\(\): maxAgeSeconds must be an integer number of seconds from 0 to 10 years/,
      );
    },
  );

  it.each([null, 1, 'x'])('refuses options %p', (options) => {
    expect(() => RequireRecentAuth(300, options as never)).toThrow(TypeError);
  });

  it('refuses an action that is not a function', () => {
    expect(() => RequireRecentAuth(300, { action: {} as never })).toThrow(
      '@RequireRecentAuth(): options.action must be a function',
    );
  });

  it('stores the requirement so that the handler wins over the class', () => {
    const action = () => ({ draft: true });
    @RequireRecentAuth(600)
    class Target {
      @RequireRecentAuth(0, { action })
      strict(): void {}

      inherits(): void {}

      @RequireSignIn()
      relaxed(): void {}
    }
    const reflector = new Reflector();
    const read = (name: 'strict' | 'inherits' | 'relaxed') =>
      reflector.getAllAndOverride(RecentAuthMetadata, [Target.prototype[name], Target]);
    expect(read('strict')).toEqual({ maxAge: 0, action });
    expect(read('inherits')).toEqual({ maxAge: 600, action: undefined });
    expect(read('relaxed')).toEqual({ maxAge: null });
  });
});
