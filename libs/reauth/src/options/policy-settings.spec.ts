import { resolveLevel, resolvePolicySettings } from './policy-settings';

const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13];
const TEN_YEARS = 10 * 365 * 24 * 60 * 60;

/** The TypeError the module throws for `option`. */
function problem(option: string, requirement: string): TypeError {
  return new TypeError(`ReauthModule: ${option} ${requirement}`);
}

function levels(value: unknown) {
  return () => resolvePolicySettings({ levels: value });
}

describe('resolvePolicySettings', () => {
  describe('defaults', () => {
    it('gives no levels, no default level, and everything off', () => {
      const settings = resolvePolicySettings({});
      expect(settings.levels.size).toBe(0);
      expect(settings.defaultLevel).toBeUndefined();
      expect(settings.inventory).toEqual({
        log: false,
        unguardedWrites: 'off',
        allowUnguarded: [],
      });
      expect(settings.explainRefusals).toEqual({ header: false, log: false });
    });

    it('freezes what it returns, down to the level lists', () => {
      const settings = resolvePolicySettings({
        levels: {
          strict: { maxAge: 300, amr: ['mfa'], acr: ['loa2'], slide: { capSeconds: 600 } },
          inPage: { maxAge: 60, methods: ['passkey'] },
        },
        inventory: { allowUnguarded: ['A.b'] },
      });
      expect(Object.isFrozen(settings)).toBe(true);
      expect(Object.isFrozen(settings.inventory)).toBe(true);
      expect(Object.isFrozen(settings.inventory.allowUnguarded)).toBe(true);
      expect(Object.isFrozen(settings.explainRefusals)).toBe(true);
      const strict = settings.levels.get('strict')!;
      for (const frozen of [strict, strict.acr, strict.amr, strict.slide]) {
        expect(Object.isFrozen(frozen)).toBe(true);
      }
      expect(Object.isFrozen(settings.levels.get('inPage')!.methods)).toBe(true);
    });

    it('copies the caller’s lists: changing them afterwards changes nothing', () => {
      const amr = ['mfa'];
      const methods: ('passkey' | 'password')[] = ['passkey'];
      const allowUnguarded = ['A.b'];
      const settings = resolvePolicySettings({
        levels: { strict: { maxAge: 300, amr, methods } },
        inventory: { allowUnguarded },
      });
      amr.push('otp');
      methods.push('password');
      allowUnguarded.length = 0;
      expect(settings.levels.get('strict')).toEqual({
        maxAge: 300,
        amr: ['mfa'],
        methods: ['passkey'],
      });
      expect(settings.inventory.allowUnguarded).toEqual(['A.b']);
    });
  });

  describe('levels', () => {
    it('keeps each valid level as given, without keys it did not give', () => {
      const settings = resolvePolicySettings({
        levels: {
          once: { maxAge: 0 },
          moderate: { maxAge: 3600 },
          strict: { maxAge: 300, amr: ['mfa'], methods: ['passkey', 'password'] },
          assured: { maxAge: 600, acr: ['urn:example:loa:2'], methods: [] },
          sudo: { maxAge: 900, slide: { capSeconds: 7200 } },
          exact: { maxAge: 900, slide: { capSeconds: 900 } },
          longest: { maxAge: TEN_YEARS, slide: { capSeconds: TEN_YEARS } },
          'a.b:c_d-1': { maxAge: 1 },
          ['x'.repeat(64)]: { maxAge: 1 },
        },
      });
      expect(Object.fromEntries(settings.levels)).toStrictEqual({
        once: { maxAge: 0 },
        moderate: { maxAge: 3600 },
        strict: { maxAge: 300, amr: ['mfa'], methods: ['passkey', 'password'] },
        assured: { maxAge: 600, acr: ['urn:example:loa:2'], methods: [] },
        sudo: { maxAge: 900, slide: { capSeconds: 7200 } },
        exact: { maxAge: 900, slide: { capSeconds: 900 } },
        longest: { maxAge: TEN_YEARS, slide: { capSeconds: TEN_YEARS } },
        'a.b:c_d-1': { maxAge: 1 },
        ['x'.repeat(64)]: { maxAge: 1 },
      });
    });

    it.each([null, '1', [], true, 1.5, -1])('refuses levels %p', (value) => {
      expect(levels(value)).toThrow(problem('levels', 'must be an object of named levels'));
    });

    it.each(['', 'x'.repeat(65), 'two words', 'é', 'a/b', 'a"b', 'niveau✓'])(
      'refuses the level name %p',
      (name) => {
        expect(levels({ [name]: { maxAge: 1 } })).toThrow(
          problem(
            'levels',
            `has a name that is not 1 to 64 letters, digits or _.:-: ${JSON.stringify(name)}`,
          ),
        );
      },
    );

    it.each(MALFORMED.filter((value) => value !== null && !(value instanceof Object)))(
      'refuses the level %p (not an object)',
      (value) => {
        expect(levels({ strict: value })).toThrow(
          problem('levels.strict', 'must be an object with a maxAge'),
        );
      },
    );

    it.each([null, []])('refuses the level %p', (value) => {
      expect(levels({ strict: value })).toThrow(
        problem('levels.strict', 'must be an object with a maxAge'),
      );
    });

    it.each(['maxage', 'bind', 'level', 'slideCap', 'capSeconds'])(
      'refuses the unknown key %p',
      (key) => {
        expect(levels({ strict: { maxAge: 300, [key]: 1 } })).toThrow(
          problem(`levels.strict.${key}`, 'is not a level option'),
        );
      },
    );

    it.each([...MALFORMED, undefined, NaN, Infinity, TEN_YEARS + 1, '300'])(
      'refuses maxAge %p',
      (maxAge) => {
        expect(levels({ strict: { maxAge } })).toThrow(
          problem('levels.strict.maxAge', 'must be an integer from 0 to 10 years'),
        );
      },
    );

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['a string', 'mfa'],
      ['null', null],
      ['a number', [1]],
      ['an empty value', ['']],
      ['a space', ['two words']],
      ['a quote', ['a"b']],
      ['duplicates', ['mfa', 'mfa']],
      ['eleven values', Array.from({ length: 11 }, (_, i) => `v${i}`)],
      ['an object', {}],
    ])('refuses acr and amr with %s', (_label, value) => {
      for (const name of ['acr', 'amr']) {
        expect(levels({ strict: { maxAge: 300, [name]: value } })).toThrow(
          problem(
            `levels.strict.${name}`,
            'must be an array of 1 to 10 distinct values without spaces or quotes',
          ),
        );
      }
    });

    it.each<[string, unknown]>([
      ['a string', 'passkey'],
      ['null', null],
      ['an object', {}],
      ['an unknown method', ['otp']],
      ['duplicates', ['passkey', 'passkey']],
      ['a number', [1]],
      ['true', true],
    ])('refuses methods with %s', (_label, methods) => {
      expect(levels({ strict: { maxAge: 300, methods } })).toThrow(
        problem('levels.strict.methods', "must be an array of distinct 'passkey' and 'password'"),
      );
    });

    it('refuses methods next to an acr: no confirmation in the page issues one', () => {
      expect(levels({ strict: { maxAge: 300, acr: ['loa2'], methods: ['passkey'] } })).toThrow(
        problem(
          'levels.strict.methods',
          'cannot count with acr: only the provider issues an acr, so no confirmation in the page can satisfy this level',
        ),
      );
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['a number', 600],
      ['an array', [600]],
      ['an unknown key', { capSeconds: 600, maxSeconds: 900 }],
    ])('refuses slide as %s', (_label, slide) => {
      expect(levels({ sudo: { maxAge: 300, slide } })).toThrow(
        problem('levels.sudo.slide', 'must be an object { capSeconds }'),
      );
    });

    it('refuses a sliding one-time level', () => {
      expect(levels({ once: { maxAge: 0, slide: { capSeconds: 600 } } })).toThrow(
        problem(
          'levels.once.slide',
          'cannot slide a one-time level (maxAge 0): each request needs its own proof',
        ),
      );
    });

    it.each([
      ...MALFORMED,
      undefined,
      NaN,
      Infinity,
      299,
      300.5,
      TEN_YEARS + 1,
      Number.MAX_SAFE_INTEGER + 2,
    ])('refuses capSeconds %p', (capSeconds) => {
      expect(levels({ sudo: { maxAge: 300, slide: { capSeconds } } })).toThrow(
        problem(
          'levels.sudo.slide.capSeconds',
          "must be an integer from the level's maxAge (300) to 10 years",
        ),
      );
    });

    it('resolves one level alone, naming the option it was given', () => {
      expect(resolveLevel({ maxAge: 60 }, 'organizationPolicy.onFailure')).toEqual({ maxAge: 60 });
      expect(() => resolveLevel({ maxAge: -1 }, 'organizationPolicy.onFailure')).toThrow(
        problem('organizationPolicy.onFailure.maxAge', 'must be an integer from 0 to 10 years'),
      );
    });
  });

  describe('defaultLevel', () => {
    it('names one of the levels', () => {
      const settings = resolvePolicySettings({
        levels: { moderate: { maxAge: 3600 } },
        defaultLevel: 'moderate',
      });
      expect(settings.defaultLevel).toBe('moderate');
    });

    it('refuses a level the module does not define, listing those it does', () => {
      expect(() =>
        resolvePolicySettings({
          levels: { moderate: { maxAge: 3600 }, strict: { maxAge: 300 } },
          defaultLevel: 'sudo',
        }),
      ).toThrow(problem('defaultLevel', 'must name one of levels (moderate, strict), got "sudo"'));
    });

    it.each([...MALFORMED, 'strict', ''])('refuses %p without levels', (defaultLevel) => {
      expect(() => resolvePolicySettings({ defaultLevel })).toThrow(
        problem(
          'defaultLevel',
          `must name one of levels (none defined), got ${JSON.stringify(defaultLevel)}`,
        ),
      );
    });

    it('does not take a name from the prototype of an object', () => {
      expect(() =>
        resolvePolicySettings({ levels: { strict: { maxAge: 1 } }, defaultLevel: 'toString' }),
      ).toThrow(problem('defaultLevel', 'must name one of levels (strict), got "toString"'));
    });
  });

  describe('inventory', () => {
    it('keeps what is given', () => {
      expect(
        resolvePolicySettings({
          inventory: { log: true, unguardedWrites: 'error', allowUnguarded: ['Health.ping'] },
        }).inventory,
      ).toEqual({ log: true, unguardedWrites: 'error', allowUnguarded: ['Health.ping'] });
      expect(resolvePolicySettings({ inventory: { unguardedWrites: 'warn' } }).inventory).toEqual({
        log: false,
        unguardedWrites: 'warn',
        allowUnguarded: [],
      });
    });

    it.each([null, '1', [], true, 1.5, -1, 1e13])('refuses inventory %p', (inventory) => {
      expect(() => resolvePolicySettings({ inventory })).toThrow(
        problem('inventory', 'must be an object'),
      );
    });

    it.each(MALFORMED.filter((value) => typeof value !== 'boolean'))(
      'refuses inventory.log %p',
      (log) => {
        expect(() => resolvePolicySettings({ inventory: { log } })).toThrow(
          problem('inventory.log', 'must be a boolean'),
        );
      },
    );

    it.each([...MALFORMED, 'on', 'Warn', ''])('refuses inventory.unguardedWrites %p', (value) => {
      expect(() => resolvePolicySettings({ inventory: { unguardedWrites: value } })).toThrow(
        problem('inventory.unguardedWrites', 'must be one of "off", "warn", "error"'),
      );
    });

    it.each([...MALFORMED.filter((value) => !Array.isArray(value)), [''], [1], ['A.b', null]])(
      'refuses inventory.allowUnguarded %p',
      (allowUnguarded) => {
        expect(() => resolvePolicySettings({ inventory: { allowUnguarded } })).toThrow(
          problem('inventory.allowUnguarded', "must be an array of 'Controller.handler' names"),
        );
      },
    );
  });

  describe('explainRefusals', () => {
    it('turns each part on alone', () => {
      expect(resolvePolicySettings({ explainRefusals: { header: true } }).explainRefusals).toEqual({
        header: true,
        log: false,
      });
      expect(resolvePolicySettings({ explainRefusals: { log: true } }).explainRefusals).toEqual({
        header: false,
        log: true,
      });
    });

    it.each([null, '1', [], true, 1.5, -1, 1e13])('refuses explainRefusals %p', (value) => {
      expect(() => resolvePolicySettings({ explainRefusals: value })).toThrow(
        problem('explainRefusals', 'must be an object'),
      );
    });

    it.each(MALFORMED.filter((value) => typeof value !== 'boolean'))(
      'refuses explainRefusals.header and .log %p',
      (value) => {
        for (const name of ['header', 'log']) {
          expect(() => resolvePolicySettings({ explainRefusals: { [name]: value } })).toThrow(
            problem(`explainRefusals.${name}`, 'must be a boolean'),
          );
        }
      },
    );
  });
});
