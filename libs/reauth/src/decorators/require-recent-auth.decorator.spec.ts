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

  describe('levels', () => {
    const reflector = new Reflector();

    it.each(['strict', 'a', 'x'.repeat(64), 'level.2:b_c-d', 'UPPER'])(
      'stores the level %p, without a maxAge',
      (level) => {
        class Target {
          @RequireRecentAuth(level)
          handler(): void {}
        }
        const stored = reflector.get(RecentAuthMetadata, Target.prototype.handler);
        expect(stored).toEqual({ level });
        expect('maxAge' in stored).toBe(false);
      },
    );

    it.each(['', 'x'.repeat(65), 'two words', ' strict', 'strict\n', 'niveau✓', 'é', 'a/b', 'a"b'])(
      'refuses the level name %p',
      (name) => {
        expect(() => RequireRecentAuth(name)).toThrow(
          new TypeError(
            `@RequireRecentAuth(): a level name must be 1 to 64 letters, digits or _.:-, got ${JSON.stringify(name)}`,
          ),
        );
      },
    );

    it('quotes at most 80 characters of a long name', () => {
      expect(() => RequireRecentAuth('x'.repeat(500))).toThrow(
        new TypeError(
          `@RequireRecentAuth(): a level name must be 1 to 64 letters, digits or _.:-, got "${'x'.repeat(80)}"`,
        ),
      );
    });

    it('stores the module’s default level (no maxAge, no level) without an argument or with options only', () => {
      const action = () => ({ draft: true });
      class Target {
        @RequireRecentAuth()
        bare(): void {}

        @RequireRecentAuth({ allowCrossOrigin: true, action })
        optionsOnly(): void {}

        @RequireRecentAuth(undefined, { allowImpersonation: true })
        undefinedFirst(): void {}
      }
      const read = (name: 'bare' | 'optionsOnly' | 'undefinedFirst') =>
        reflector.get(RecentAuthMetadata, Target.prototype[name]);
      expect(read('bare')).toEqual({});
      expect(read('bare')).not.toHaveProperty('maxAge');
      expect(read('bare')).not.toHaveProperty('level');
      expect(read('optionsOnly')).toEqual({ allowCrossOrigin: true, action });
      expect(read('optionsOnly')).not.toHaveProperty('maxAge');
      expect(read('undefinedFirst')).toEqual({ allowImpersonation: true });
    });

    it('stores a level with its options', () => {
      class Target {
        @RequireRecentAuth('strict', { allowCrossOrigin: true, openapi: false })
        handler(): void {}
      }
      expect(reflector.get(RecentAuthMetadata, Target.prototype.handler)).toEqual({
        level: 'strict',
        allowCrossOrigin: true,
      });
    });

    it.each<[string, object]>([
      ['acr', { acr: ['loa2'] }],
      ['amr', { amr: ['mfa'] }],
      ['methods', { methods: ['passkey'] }],
    ])('refuses %s with a level or the default level', (name, options) => {
      const error = new TypeError(
        `@RequireRecentAuth(): options.${name} cannot be combined with a level: the level says which ${name} it accepts (define another level)`,
      );
      expect(() => RequireRecentAuth('strict', options)).toThrow(error);
      expect(() => RequireRecentAuth(options)).toThrow(error);
      expect(() => RequireRecentAuth(undefined, options)).toThrow(error);
      expect(() => RequireRecentAuth(300, options)).not.toThrow();
    });
  });

  describe('bind', () => {
    const reflector = new Reflector();
    const summary = ({ amount, payee }: Readonly<Record<string, unknown>>) =>
      `Transfer ${String(amount)} EUR to ${String(payee)}`;
    const FIELDS_ERROR = new TypeError(
      '@RequireRecentAuth(): options.bind.fields must be an array of 1 to 10 distinct body field names',
    );

    it('stores a frozen copy of the fields with the summary, on a one-time route', () => {
      const fields = ['amount', 'payee'];
      class Target {
        @RequireRecentAuth(0, { bind: { fields, summary } })
        transfer(): void {}
      }
      const stored = reflector.get(RecentAuthMetadata, Target.prototype.transfer);
      expect(stored).toMatchObject({ maxAge: 0, bind: { fields: ['amount', 'payee'], summary } });
      expect(Object.isFrozen(stored.bind)).toBe(true);
      expect(Object.isFrozen(stored.bind!.fields)).toBe(true);
      fields.push('note');
      expect(stored.bind!.fields).toEqual(['amount', 'payee']);
    });

    it('stores a binding with a level or the default level (the module checks it is one-time)', () => {
      class Target {
        @RequireRecentAuth('once', { bind: { fields: ['id'], summary } })
        named(): void {}

        @RequireRecentAuth({ bind: { fields: ['id'], summary } })
        byDefault(): void {}
      }
      expect(reflector.get(RecentAuthMetadata, Target.prototype.named)).toMatchObject({
        level: 'once',
        bind: { fields: ['id'] },
      });
      expect(reflector.get(RecentAuthMetadata, Target.prototype.byDefault)).toMatchObject({
        bind: { fields: ['id'] },
      });
    });

    it('captures the bound fields of the body for the redirect flow, unless given an action', () => {
      const own = () => ({ own: true });
      class Target {
        @RequireRecentAuth(0, { bind: { fields: ['amount', 'payee'], summary } })
        captured(): void {}

        @RequireRecentAuth(0, { bind: { fields: ['amount'], summary }, action: own })
        ownAction(): void {}
      }
      const capture = reflector.get(RecentAuthMetadata, Target.prototype.captured).action!;
      const request = (body: unknown) => ({ body }) as Parameters<typeof capture>[0];
      expect(capture(request({ amount: 100, payee: 'bob', password: 'secret' }))).toStrictEqual({
        amount: 100,
        payee: 'bob',
      });
      expect(capture(request({ amount: 100 }))).toStrictEqual({ amount: 100 });
      for (const body of [undefined, null, 'amount=100', 42]) {
        expect(capture(request(body))).toBeUndefined();
      }
      expect(reflector.get(RecentAuthMetadata, Target.prototype.ownAction).action).toBe(own);
    });

    it.each([-1, null, '1', [], true, 1.5, 1e13])('refuses bind %p', (bind) => {
      expect(() => RequireRecentAuth(0, { bind: bind as never })).toThrow(
        new TypeError('@RequireRecentAuth(): options.bind must be an object'),
      );
    });

    it.each<[string, unknown]>([
      ['a string', 'amount'],
      ['missing', undefined],
      ['an object', { amount: true }],
      ['empty', []],
      ['eleven fields', Array.from({ length: 11 }, (_, i) => `f${i}`)],
      ['duplicates', ['amount', 'amount']],
      ['an empty name', ['']],
      ['a name with a space', ['pay ee']],
      ['a dotted path', ['payee.iban']],
      ['a name of 65 characters', ['x'.repeat(65)]],
      ['a non-ASCII name', ['montant€']],
      ['a number', [1]],
      ['null', [null]],
      ['__proto__', ['amount', '__proto__']],
    ])('refuses fields as %s', (_label, fields) => {
      expect(() => RequireRecentAuth(0, { bind: { fields, summary } as never })).toThrow(
        FIELDS_ERROR,
      );
    });

    it('accepts ten fields, and names of 64 characters', () => {
      const fields = Array.from({ length: 10 }, (_, i) => `f${i}`);
      expect(() => RequireRecentAuth(0, { bind: { fields, summary } })).not.toThrow();
      expect(() =>
        RequireRecentAuth(0, { bind: { fields: ['x'.repeat(64)], summary } }),
      ).not.toThrow();
    });

    it.each([undefined, null, 'Transfer', {}, 1])('refuses summary %p', (value) => {
      expect(() =>
        RequireRecentAuth(0, { bind: { fields: ['amount'], summary: value as never } }),
      ).toThrow(new TypeError('@RequireRecentAuth(): options.bind.summary must be a function'));
    });

    it.each([300, 1, 60])(
      'refuses a binding with maxAge %p: a bound route is one-time',
      (maxAge) => {
        expect(() => RequireRecentAuth(maxAge, { bind: { fields: ['amount'], summary } })).toThrow(
          new TypeError(
            `@RequireRecentAuth(): options.bind makes the route one-time, so maxAgeSeconds must be 0, got ${maxAge}`,
          ),
        );
      },
    );
  });
});
