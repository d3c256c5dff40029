import type { RecentAuthRequirement } from '../interfaces/route-requirement.interface';
import { resolvePolicySettings } from '../options/policy-settings';
import { RoutePolicies, RoutePolicyError } from './route-policies';

const BIND = Object.freeze({
  fields: Object.freeze(['amount', 'payee']),
  summary: ({ amount, payee }: Readonly<Record<string, unknown>>) =>
    `Transfer ${String(amount)} to ${String(payee)}`,
});

function policiesWith(options: { levels?: unknown; defaultLevel?: unknown } = {}) {
  return new RoutePolicies(resolvePolicySettings(options));
}

const LEVELS = {
  once: { maxAge: 0 },
  moderate: { maxAge: 3600 },
  strict: { maxAge: 300, acr: ['loa2'], amr: ['mfa'] },
  inPage: { maxAge: 600, methods: ['passkey'] },
  sudo: { maxAge: 900, slide: { capSeconds: 7200 } },
};

describe('RoutePolicies', () => {
  describe('a route with a number', () => {
    it('keeps its maxAge, acr, amr and methods, ruled by the route', () => {
      const policies = policiesWith({ levels: LEVELS, defaultLevel: 'moderate' });
      expect(
        policies.of({
          maxAge: 300,
          acr: ['loa2'],
          amr: ['mfa'],
          methods: ['password'],
          allowCrossOrigin: true,
        }),
      ).toStrictEqual({
        maxAge: 300,
        acr: ['loa2'],
        amr: ['mfa'],
        methods: ['password'],
        rules: ['route: maxAge 300'],
      });
      expect(policies.of({ maxAge: 0 })).toStrictEqual({ maxAge: 0, rules: ['route: maxAge 0'] });
    });

    it('keeps a binding on a one-time route', () => {
      expect(policiesWith().of({ maxAge: 0, bind: BIND })).toStrictEqual({
        maxAge: 0,
        bind: BIND,
        rules: ['route: maxAge 0'],
      });
    });

    it('needs no level and no default level', () => {
      expect(policiesWith().problemOf({ maxAge: 60 })).toBeUndefined();
    });
  });

  it('a @RequireSignIn() route: any signed-in session, never the default level', () => {
    const policies = policiesWith({ levels: LEVELS, defaultLevel: 'strict' });
    expect(policies.of({ maxAge: null })).toStrictEqual({
      maxAge: null,
      rules: ['route: signed in'],
    });
  });

  describe('a route with a level', () => {
    const policies = policiesWith({ levels: LEVELS, defaultLevel: 'moderate' });

    it.each<[string, object]>([
      ['once', { maxAge: 0 }],
      ['moderate', { maxAge: 3600 }],
      ['strict', { maxAge: 300, acr: ['loa2'], amr: ['mfa'] }],
      ['inPage', { maxAge: 600, methods: ['passkey'] }],
      ['sudo', { maxAge: 900, slide: { capSeconds: 7200 } }],
    ])('takes everything from the level %s', (level, expected) => {
      expect(policies.of({ level })).toStrictEqual({
        ...expected,
        level,
        rules: [`level ${level}`],
      });
    });

    it('takes the level alone, not the acr, amr or methods a requirement also carries', () => {
      expect(
        policies.of({ level: 'moderate', acr: ['loa3'], amr: ['hwk'], methods: ['password'] }),
      ).toStrictEqual({ maxAge: 3600, level: 'moderate', rules: ['level moderate'] });
    });

    it('binds the action of a route on a one-time level', () => {
      expect(policies.of({ level: 'once', bind: BIND })).toStrictEqual({
        maxAge: 0,
        bind: BIND,
        level: 'once',
        rules: ['level once'],
      });
    });

    it.each(['moderate', 'sudo'])(
      'refuses a bound route on the level %s (not one-time)',
      (level) => {
        const maxAge = LEVELS[level as keyof typeof LEVELS].maxAge;
        const message = `binds its action, which makes it one-time, but the level "${level}" has maxAge ${maxAge}: use a level with maxAge 0`;
        expect(() => policies.of({ level, bind: BIND })).toThrow(new RoutePolicyError(message));
        expect(policies.problemOf({ level, bind: BIND })).toBe(message);
      },
    );

    it('refuses a level the module does not define, listing those it does', () => {
      const message =
        'uses the level "sudo2", which the module\'s levels do not define (once, moderate, strict, inPage, sudo)';
      expect(() => policies.of({ level: 'sudo2' })).toThrow(RoutePolicyError);
      expect(() => policies.of({ level: 'sudo2' })).toThrow(message);
      expect(policies.problemOf({ level: 'sudo2' })).toBe(message);
    });

    it('says when the module defines no levels at all', () => {
      expect(policiesWith().problemOf({ level: 'strict' })).toBe(
        'uses the level "strict", which the module\'s levels do not define (none defined)',
      );
    });
  });

  describe('a route with the default level', () => {
    it('takes the module’s defaultLevel, saying so in its rules', () => {
      const policies = policiesWith({ levels: LEVELS, defaultLevel: 'strict' });
      expect(policies.of({})).toStrictEqual({
        maxAge: 300,
        acr: ['loa2'],
        amr: ['mfa'],
        level: 'strict',
        rules: ['default level strict'],
      });
    });

    it('cannot be resolved without a defaultLevel', () => {
      const message =
        'uses the default level, but the module sets no defaultLevel: set one, or give the route a number or a level';
      const policies = policiesWith({ levels: LEVELS });
      expect(() => policies.of({})).toThrow(new RoutePolicyError(message));
      expect(policies.problemOf({ allowCrossOrigin: true })).toBe(message);
    });

    it('refuses a bound route when the default level is not one-time', () => {
      expect(
        policiesWith({ levels: LEVELS, defaultLevel: 'moderate' }).problemOf({ bind: BIND }),
      ).toBe(
        'binds its action, which makes it one-time, but the level "moderate" has maxAge 3600: use a level with maxAge 0',
      );
    });
  });

  describe('caching', () => {
    it('resolves each requirement object once, and returns the same frozen policy', () => {
      const policies = policiesWith({ levels: LEVELS, defaultLevel: 'moderate' });
      const requirement: RecentAuthRequirement = { level: 'strict' };
      const first = policies.of(requirement);
      expect(policies.of(requirement)).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first.rules)).toBe(true);
      // An equal requirement of another route is another object: resolved on its own.
      const other = policies.of({ level: 'strict' });
      expect(other).not.toBe(first);
      expect(other).toStrictEqual(first);
    });

    it('caches nothing for a requirement that fails, so it fails every time', () => {
      const policies = policiesWith();
      const requirement: RecentAuthRequirement = { level: 'strict' };
      expect(() => policies.of(requirement)).toThrow(RoutePolicyError);
      expect(() => policies.of(requirement)).toThrow(RoutePolicyError);
    });

    it('rethrows what is not a route problem', () => {
      const policies = policiesWith();
      const broken = Object.defineProperty({}, 'maxAge', {
        get: () => {
          throw new Error('boom');
        },
      }) as RecentAuthRequirement;
      expect(() => policies.problemOf(broken)).toThrow(new Error('boom'));
    });
  });

  it('names its error', () => {
    expect(new RoutePolicyError('x')).toMatchObject({ name: 'RoutePolicyError', message: 'x' });
  });
});
