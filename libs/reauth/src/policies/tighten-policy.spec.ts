import type { EffectivePolicy } from './effective-policy';
import { levelAsOverride, tightenPolicy } from './tighten-policy';

const BASE: EffectivePolicy = {
  maxAge: 600,
  acr: ['urn:loa:2', 'urn:loa:3'],
  amr: ['mfa', 'hwk'],
  methods: ['passkey', 'password'],
  slide: { capSeconds: 3600 },
  level: 'sudo',
  rules: ['level sudo'],
};

describe('tightenPolicy', () => {
  it('takes the shorter maxAge and what both lists accept, and records the rule', () => {
    expect(
      tightenPolicy(
        BASE,
        { maxAge: 300, acr: ['urn:loa:3', 'urn:loa:4'], amr: ['hwk'], methods: ['passkey'] },
        'organization org_1',
      ),
    ).toEqual({
      maxAge: 300,
      acr: ['urn:loa:3'],
      amr: ['hwk'],
      methods: ['passkey'],
      slide: { capSeconds: 3600 },
      level: 'sudo',
      rules: ['level sudo', 'organization org_1'],
    });
  });

  it('never loosens: a longer maxAge and extra values change nothing', () => {
    const tightened = tightenPolicy(
      BASE,
      { maxAge: 86_400, acr: [...BASE.acr!, 'urn:loa:1'], amr: [...BASE.amr!, 'pwd'] },
      'organization org_1',
    );
    expect(tightened).toEqual({ ...BASE, rules: ['level sudo', 'organization org_1'] });
  });

  it('cannot add an in-page method the route does not accept', () => {
    const passkeyOnly = { ...BASE, methods: ['passkey' as const] };
    expect(tightenPolicy(passkeyOnly, { methods: ['password'] }, 'r')?.methods).toEqual([]);
    expect(tightenPolicy(passkeyOnly, { methods: ['passkey', 'password'] }, 'r')?.methods).toEqual([
      'passkey',
    ]);
  });

  it('applies the override alone where the route names nothing', () => {
    const plain: EffectivePolicy = { maxAge: 900, rules: [] };
    expect(
      tightenPolicy(plain, { acr: ['urn:loa:2'], amr: ['mfa'], methods: ['passkey'] }, 'r'),
    ).toEqual({
      maxAge: 900,
      acr: ['urn:loa:2'],
      amr: ['mfa'],
      methods: ['passkey'],
      rules: ['r'],
    });
  });

  it('keeps the route where the override says nothing, but still records the rule', () => {
    expect(tightenPolicy(BASE, {}, 'organization org_1')).toEqual({
      ...BASE,
      rules: ['level sudo', 'organization org_1'],
    });
  });

  it.each([
    ['acr', { acr: ['urn:loa:9'] }],
    ['amr', { amr: ['pwd'] }],
  ])('is unsatisfiable when no %s is accepted by both', (_, override) => {
    expect(tightenPolicy(BASE, override, 'r')).toBeUndefined();
  });

  it('leaves the provider only when no in-page method is in common (still satisfiable)', () => {
    const passwordOnly = { ...BASE, methods: ['password' as const] };
    expect(tightenPolicy(passwordOnly, { methods: ['passkey'] }, 'r')).toMatchObject({
      methods: [],
    });
  });

  it.each([-1, 1.5, 315_360_001, Number.NaN, Infinity, '300', null])(
    'is unsatisfiable with maxAge %p',
    (maxAge) => {
      expect(tightenPolicy(BASE, { maxAge: maxAge as number }, 'r')).toBeUndefined();
    },
  );

  it('accepts maxAge from 0 to 10 years', () => {
    expect(tightenPolicy(BASE, { maxAge: 315_360_000 }, 'r')?.maxAge).toBe(600);
    expect(tightenPolicy(BASE, { maxAge: 0 }, 'r')?.maxAge).toBe(0);
  });

  it('ends the sliding window on slide: false, and on a one-time result', () => {
    expect(tightenPolicy(BASE, { slide: false }, 'r')).not.toHaveProperty('slide');
    expect(tightenPolicy(BASE, { maxAge: 0 }, 'r')).not.toHaveProperty('slide');
    expect(tightenPolicy(BASE, { maxAge: 60 }, 'r')?.slide).toEqual({ capSeconds: 3600 });
  });

  it('keeps the action binding, the level and the organization', () => {
    const bind = { fields: ['to'], summary: () => 'Send' };
    const bound: EffectivePolicy = { maxAge: 0, bind, level: 'x', organization: 'o', rules: [] };
    const tightened = tightenPolicy(bound, { amr: ['mfa'] }, 'r');
    expect(tightened?.bind).toBe(bind);
    expect(tightened).toMatchObject({ level: 'x', organization: 'o', amr: ['mfa'] });
  });

  it('returns a route open to any signed-in session as it is', () => {
    const signIn: EffectivePolicy = Object.freeze({ maxAge: null, rules: [] });
    expect(tightenPolicy(signIn, { maxAge: 0, amr: ['mfa'] }, 'r')).toBe(signIn);
  });

  it('returns frozen data, and leaves its inputs alone', () => {
    const base: EffectivePolicy = {
      maxAge: 600,
      acr: ['a', 'b'],
      amr: ['mfa'],
      slide: { capSeconds: 900 },
      rules: ['level x'],
    };
    const override = { acr: ['b'], methods: ['passkey' as const] };
    const tightened = tightenPolicy(base, override, 'r')!;
    for (const part of [
      tightened,
      tightened.rules,
      tightened.acr,
      tightened.amr,
      tightened.slide,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(tightened.methods)).toBe(true);
    for (const part of [base, base.rules, base.acr, base.amr, base.slide, override.methods]) {
      expect(Object.isFrozen(part)).toBe(false);
    }
    expect(base).toEqual({
      maxAge: 600,
      acr: ['a', 'b'],
      amr: ['mfa'],
      slide: { capSeconds: 900 },
      rules: ['level x'],
    });
    expect(override).toEqual({ acr: ['b'], methods: ['passkey'] });
  });
});

describe('levelAsOverride', () => {
  it('copies what the level requires, and ends a window when the level has none', () => {
    expect(
      levelAsOverride({ maxAge: 300, acr: ['a'], amr: ['mfa'], methods: ['passkey'] }),
    ).toEqual({ maxAge: 300, acr: ['a'], amr: ['mfa'], methods: ['passkey'], slide: false });
    expect(levelAsOverride({ maxAge: 900, slide: { capSeconds: 7200 } })).toEqual({
      maxAge: 900,
    });
  });

  it('tightens a route as the level would', () => {
    expect(tightenPolicy(BASE, levelAsOverride({ maxAge: 120, amr: ['hwk'] }), 'r')).toEqual({
      maxAge: 120,
      acr: BASE.acr,
      amr: ['hwk'],
      methods: BASE.methods,
      level: 'sudo',
      rules: ['level sudo', 'r'],
    });
  });
});
