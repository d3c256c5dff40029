import type { EffectivePolicy } from './effective-policy';
import { explainRefusal, explanationText } from './refusal-explanation';

const ROUTE = '/payments:PaymentsController.transfer';

describe('explainRefusal', () => {
  it('names the route, the reason, the rules, what is needed and what would satisfy it', () => {
    const policy: EffectivePolicy = {
      maxAge: 300,
      acr: ['loa2'],
      amr: ['mfa', 'hwk'],
      methods: ['passkey'],
      slide: { capSeconds: 7200 },
      level: 'strict',
      organization: 'org_1',
      rules: ['level strict', 'organization org_1'],
    };
    const explanation = explainRefusal(ROUTE, 'stale', policy, ['passkey']);
    expect(explanation).toStrictEqual({
      route: ROUTE,
      reason: 'stale',
      rules: ['level strict', 'organization org_1'],
      needs: { maxAge: 300, acr: ['loa2'], amr: ['mfa', 'hwk'], slideCapSeconds: 7200 },
      satisfiedBy: ['passkey', 'provider'],
    });
    expect(Object.isFrozen(explanation)).toBe(true);
    expect(Object.isFrozen(explanation.needs)).toBe(true);
    expect(Object.isFrozen(explanation.satisfiedBy)).toBe(true);
    expect(explanationText(explanation)).toBe(
      'reason=stale; rules=level strict, organization org_1; needs=max_age=300 acr=loa2 amr=mfa,hwk slide-cap=7200; satisfied-by=passkey, provider',
    );
  });

  it('leaves out what the policy does not ask for', () => {
    const explanation = explainRefusal(
      ROUTE,
      'unauthenticated',
      { maxAge: null, rules: ['route: signed in'] },
      [],
    );
    expect(explanation).toStrictEqual({
      route: ROUTE,
      reason: 'unauthenticated',
      rules: ['route: signed in'],
      needs: { maxAge: null },
      satisfiedBy: ['provider'],
    });
    expect(explanationText(explanation)).toBe(
      'reason=unauthenticated; rules=route: signed in; needs=sign-in; satisfied-by=provider',
    );
  });

  it('does not keep the caller’s list of methods', () => {
    const methods = ['passkey', 'password'];
    const explanation = explainRefusal(ROUTE, 'stale', { maxAge: 0, rules: [] }, methods);
    methods.length = 0;
    expect(explanation.satisfiedBy).toEqual(['passkey', 'password', 'provider']);
  });

  it('of a bound action: says only that it is bound, never its summary or values', () => {
    const summary = 'Transfer 9999 EUR to IBAN DE89 3704 0044 0532 0130 00';
    const explanation = explainRefusal(
      ROUTE,
      'stale',
      { maxAge: 0, level: 'once', rules: ['level once'] },
      ['passkey', 'password'],
      summary,
    );
    expect(explanation.needs).toStrictEqual({ maxAge: 0, action: summary });
    const text = explanationText(explanation);
    expect(text).toBe(
      'reason=stale; rules=level once; needs=max_age=0 bound-action; satisfied-by=passkey, password, provider',
    );
    for (const secret of ['9999', 'EUR', 'IBAN', 'DE89', 'Transfer']) {
      expect(text).not.toContain(secret);
    }
  });

  it('says a bound action even with an empty summary', () => {
    const explanation = explainRefusal(ROUTE, 'stale', { maxAge: 0, rules: [] }, [], '');
    expect(explanationText(explanation)).toBe(
      'reason=stale; rules=; needs=max_age=0 bound-action; satisfied-by=provider',
    );
  });
});

describe('explanationText', () => {
  it('replaces anything but printable ASCII, so that it fits a header', () => {
    const explanation = explainRefusal(
      ROUTE,
      'stale\r\nSet-Cookie: x=1',
      { maxAge: 60, rules: ['organization Zoë GmbH', 'level ✓\u0000\u007f'] },
      [],
    );
    const text = explanationText(explanation);
    expect(text).toBe(
      'reason=stale??Set-Cookie: x=1; rules=organization Zo? GmbH, level ???; needs=max_age=60; satisfied-by=provider',
    );
    expect(text).toMatch(/^[\x20-\x7e]*$/);
  });

  it('replaces each UTF-16 unit of a character outside the BMP', () => {
    const text = explanationText(
      explainRefusal(ROUTE, 'stale', { maxAge: 1, rules: ['organization 🏦'] }, []),
    );
    expect(text).toContain('rules=organization ??;');
  });
});
