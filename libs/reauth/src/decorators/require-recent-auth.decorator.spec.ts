import { Reflector } from '@nestjs/core';
import {
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
} from './require-recent-auth.decorator';

describe('@RequireRecentAuth', () => {
  it.each([-1, null, [], true, 1.5, 1e13, NaN, Infinity])(
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

  it.each([
    ['@RequireRecentAuth()', () => RequireRecentAuth(300, { openapi: 'no' as never })],
    ['@RequireSignIn()', () => RequireSignIn({ openapi: 0 as never })],
  ])('%s refuses an openapi option that is not a boolean', (name, decorate) => {
    expect(decorate).toThrow(new TypeError(`${name}: options.openapi must be a boolean`));
  });

  it('stores the same requirement with openapi true or false', () => {
    class Target {
      @RequireRecentAuth(300, { openapi: false })
      quiet(): void {}

      @RequireSignIn({ openapi: true })
      documented(): void {}
    }
    const reflector = new Reflector();
    expect(reflector.get(RecentAuthMetadata, Target.prototype.quiet)).toEqual({ maxAge: 300 });
    expect(reflector.get(RecentAuthMetadata, Target.prototype.documented)).toEqual({
      maxAge: null,
    });
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

  describe('acr and amr', () => {
    const reflector = new Reflector();

    it('stores them frozen, as copies, next to the other options', () => {
      const acr = ['urn:example:loa:2', 'urn:example:loa:3'];
      const amr = ['otp', 'hwk'];
      class Target {
        @RequireRecentAuth(300, { acr, amr, allowCrossOrigin: true })
        handler(): void {}
      }
      const stored = reflector.get(RecentAuthMetadata, Target.prototype.handler);
      expect(stored).toEqual({
        maxAge: 300,
        allowCrossOrigin: true,
        acr: ['urn:example:loa:2', 'urn:example:loa:3'],
        amr: ['otp', 'hwk'],
      });
      expect(Object.isFrozen(stored.acr)).toBe(true);
      expect(Object.isFrozen(stored.amr)).toBe(true);
      expect(stored.acr).not.toBe(acr);
      expect(() => (stored.acr as string[]).push('urn:example:loa:1')).toThrow(TypeError);
      // Changing the caller's arrays afterwards changes nothing.
      acr.push('urn:example:loa:1');
      amr.length = 0;
      expect(reflector.get(RecentAuthMetadata, Target.prototype.handler)).toMatchObject({
        acr: ['urn:example:loa:2', 'urn:example:loa:3'],
        amr: ['otp', 'hwk'],
      });
    });

    it('stores either alone, and neither when not given', () => {
      class Target {
        @RequireRecentAuth(60, { acr: ['loa2'] })
        acrOnly(): void {}

        @RequireRecentAuth(60, { amr: ['mfa'] })
        amrOnly(): void {}

        @RequireRecentAuth(60)
        plain(): void {}
      }
      const read = (name: 'acrOnly' | 'amrOnly' | 'plain') =>
        reflector.get(RecentAuthMetadata, Target.prototype[name]);
      expect(read('acrOnly')).toMatchObject({ acr: ['loa2'], amr: undefined });
      expect(read('amrOnly')).toMatchObject({ acr: undefined, amr: ['mfa'] });
      expect(read('plain').acr).toBeUndefined();
      expect(read('plain').amr).toBeUndefined();
    });

    it('applies to a whole controller, and a handler overrides it', () => {
      @RequireRecentAuth(300, { amr: ['mfa'] })
      class Target {
        inherits(): void {}

        @RequireRecentAuth(0, { acr: ['loa3'] })
        own(): void {}
      }
      const read = (name: 'inherits' | 'own') =>
        reflector.getAllAndOverride(RecentAuthMetadata, [Target.prototype[name], Target]);
      expect(read('inherits')).toMatchObject({ maxAge: 300, amr: ['mfa'] });
      expect(read('own')).toMatchObject({ maxAge: 0, acr: ['loa3'], amr: undefined });
    });

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['a string', 'urn:example:loa:2'],
      ['a value with a space', ['two words']],
      ['a value with a quote', ['a"b']],
      ['a value with a backslash', ['a\\b']],
      ['an empty value', ['']],
      ['duplicates', ['otp', 'otp']],
      ['eleven values', Array.from({ length: 11 }, (_, i) => `v${i}`)],
      ['a value of 201 characters', ['x'.repeat(201)]],
      ['a number', [1]],
      ['null', null],
    ])('refuses %s at decoration time', (_label, value) => {
      for (const name of ['acr', 'amr'] as const) {
        expect(() => RequireRecentAuth(300, { [name]: value as string[] })).toThrow(
          new TypeError(
            `@RequireRecentAuth(): options.${name} must be an array of 1 to 10 distinct values without spaces or quotes`,
          ),
        );
      }
    });
  });
});
