import { Logger } from '@nestjs/common';
import { FunctionReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { ReauthLevel, ReauthOrganizationPolicy } from '../interfaces/policy-options.interface';
import type { EffectivePolicy } from './effective-policy';
import { OrganizationPolicies } from './organization-policies';
import { resolveOrganizationPolicy } from '../options/organization-policy-settings';

const ROUTE = 'projects:ProjectsController.remove';
const LEVELS: ReadonlyMap<string, ReauthLevel> = new Map<string, ReauthLevel>([
  ['strict', { maxAge: 60, amr: ['mfa'] }],
  ['elsewhere', { maxAge: 60, acr: ['urn:other'] }],
]);
const BASE: EffectivePolicy = Object.freeze({
  maxAge: 600,
  acr: Object.freeze(['urn:loa:2', 'urn:loa:3']),
  amr: Object.freeze(['mfa', 'hwk']),
  methods: Object.freeze(['passkey' as const]),
  slide: Object.freeze({ capSeconds: 3600 }),
  level: 'sudo',
  rules: Object.freeze(['level sudo']),
});
const CLAIMS = Object.freeze({ sub: 'user_secret', email: 'a@b.example', org_id: 'org_1' });

type Answer = Awaited<ReturnType<ReauthOrganizationPolicy['resolve']>>;

let nowMs: number;
let warn: jest.SpyInstance;

beforeEach(() => {
  nowMs = 1_700_000_000_000;
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

function policiesWith(
  resolve: (organization: string, route: unknown) => unknown,
  options: Omit<Partial<ReauthOrganizationPolicy>, 'resolve'> = {},
) {
  const resolver = jest.fn(resolve);
  const organizationPolicy = resolveOrganizationPolicy({ resolve: resolver, ...options }, LEVELS);
  const policies = new OrganizationPolicies(
    { organizationPolicy },
    { levels: LEVELS },
    new FunctionReauthClock(() => nowMs),
  );
  return { policies, resolver };
}

async function refusal(promise: Promise<unknown>): Promise<ReauthUnavailableException> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ReauthUnavailableException);
  expect((error as ReauthUnavailableException).dependency).toBe('policy');
  return error as ReauthUnavailableException;
}

function causeCode(error: ReauthUnavailableException): unknown {
  return (error.cause as { code?: unknown }).code;
}

function loggedLines(): string[] {
  return warn.mock.calls.map(([message]) => String(message));
}

describe('OrganizationPolicies', () => {
  describe('leaves the route as declared', () => {
    it('without an organization policy', async () => {
      const policies = new OrganizationPolicies(
        { organizationPolicy: undefined },
        { levels: LEVELS },
        new FunctionReauthClock(() => nowMs),
      );
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toBe(BASE);
    });

    it('on a route open to any signed-in session (RequireSignIn): not even asked', async () => {
      const { policies, resolver } = policiesWith(() => ({ maxAge: 0 }));
      const signIn: EffectivePolicy = Object.freeze({ maxAge: null, rules: [] });
      await expect(policies.apply(signIn, CLAIMS, ROUTE)).resolves.toBe(signIn);
      await expect(policies.apply(signIn, { org_id: [] }, ROUTE)).resolves.toBe(signIn);
      expect(resolver).not.toHaveBeenCalled();
    });

    it('without the claim: not asked (an inherited property is not a claim)', async () => {
      const { policies, resolver } = policiesWith(() => ({ maxAge: 0 }));
      await expect(policies.apply(BASE, { sub: 'user_1' }, ROUTE)).resolves.toBe(BASE);
      const custom = policiesWith(() => ({ maxAge: 0 }), { claim: 'toString' });
      await expect(custom.policies.apply(BASE, { sub: 'user_1' }, ROUTE)).resolves.toBe(BASE);
      expect(resolver).not.toHaveBeenCalled();
      expect(custom.resolver).not.toHaveBeenCalled();
    });

    it('when the organization has no rule', async () => {
      const { policies, resolver } = policiesWith(() => undefined);
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toBe(BASE);
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toBe(BASE);
      expect(resolver).toHaveBeenCalledTimes(1);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  describe("applies the organization's rule", () => {
    it('asks about the organization and the route, with the route as declared', async () => {
      const { policies, resolver } = policiesWith(() => undefined);
      await policies.apply(BASE, CLAIMS, ROUTE);
      expect(resolver).toHaveBeenCalledWith('org_1', { route: ROUTE, level: 'sudo', maxAge: 600 });
      expect(Object.isFrozen(resolver.mock.calls[0][1])).toBe(true);
      const tenant = policiesWith(() => undefined, { claim: 'tenant' });
      await tenant.policies.apply({ maxAge: 300, rules: [] }, { tenant: 'acme' }, ROUTE);
      expect(tenant.resolver).toHaveBeenCalledWith('acme', { route: ROUTE, maxAge: 300 });
    });

    it('only tightens: a longer maxAge, more acr, amr or methods are ignored', async () => {
      const { policies } = policiesWith(() => ({
        maxAge: 86_400,
        acr: ['urn:loa:1', 'urn:loa:3'],
        amr: ['mfa', 'pwd'],
        methods: ['passkey', 'password'],
      }));
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toEqual({
        ...BASE,
        acr: ['urn:loa:3'],
        amr: ['mfa'],
        organization: 'org_1',
        rules: ['level sudo', 'organization org_1'],
      });
    });

    it('shortens maxAge and ends the sliding window', async () => {
      const { policies } = policiesWith(() => ({ maxAge: 120, slide: false }));
      const tightened = await policies.apply(BASE, CLAIMS, ROUTE);
      expect(tightened).toEqual({
        maxAge: 120,
        acr: BASE.acr,
        amr: BASE.amr,
        methods: BASE.methods,
        level: 'sudo',
        organization: 'org_1',
        rules: ['level sudo', 'organization org_1'],
      });
      expect(Object.isFrozen(tightened)).toBe(true);
    });

    it("applies a level's name as the rule", async () => {
      const { policies } = policiesWith(() => 'strict');
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toEqual({
        maxAge: 60,
        acr: BASE.acr,
        amr: ['mfa'],
        methods: BASE.methods,
        level: 'sudo',
        organization: 'org_1',
        rules: ['level sudo', 'organization org_1: level strict'],
      });
    });

    it('keeps a copy of the answer: changing it later changes nothing', async () => {
      const answer = { maxAge: 300, amr: ['mfa'] };
      const { policies } = policiesWith(() => answer);
      await policies.apply(BASE, CLAIMS, ROUTE);
      answer.maxAge = 0;
      answer.amr.push('hwk');
      const other: EffectivePolicy = { ...BASE, rules: ['level other'] };
      await expect(policies.apply(other, CLAIMS, ROUTE)).resolves.toMatchObject({
        maxAge: 300,
        amr: ['mfa'],
      });
    });
  });

  describe('caching', () => {
    it('reuses an answer per organization and route for cacheSeconds, by the clock', async () => {
      const { policies, resolver } = policiesWith(() => ({ maxAge: 300 }), { cacheSeconds: 30 });
      const first = await policies.apply(BASE, CLAIMS, ROUTE);
      nowMs += 29_999;
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toBe(first);
      expect(resolver).toHaveBeenCalledTimes(1);
      await policies.apply(BASE, CLAIMS, 'other:OtherController.route');
      await policies.apply(BASE, { org_id: 'org_2' }, ROUTE);
      expect(resolver).toHaveBeenCalledTimes(3);
      nowMs += 1;
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toEqual(first);
      expect(resolver).toHaveBeenCalledTimes(4);
    });

    it('applies a cached answer to another policy of the same route', async () => {
      const { policies, resolver } = policiesWith(() => ({ maxAge: 300 }));
      await policies.apply(BASE, CLAIMS, ROUTE);
      await expect(
        policies.apply({ maxAge: 900, rules: ['level other'] }, CLAIMS, ROUTE),
      ).resolves.toEqual({
        maxAge: 300,
        organization: 'org_1',
        rules: ['level other', 'organization org_1'],
      });
      expect(resolver).toHaveBeenCalledTimes(1);
    });

    it('asks every time with cacheSeconds 0', async () => {
      const { policies, resolver } = policiesWith(() => ({ maxAge: 300 }), { cacheSeconds: 0 });
      await policies.apply(BASE, CLAIMS, ROUTE);
      await policies.apply(BASE, CLAIMS, ROUTE);
      expect(resolver).toHaveBeenCalledTimes(2);
    });

    it('shares one call among concurrent identical lookups', async () => {
      let answer!: (value: Answer) => void;
      const { policies, resolver } = policiesWith(
        () => new Promise<Answer>((resolve) => (answer = resolve)),
        { cacheSeconds: 0 },
      );
      const pending = Array.from({ length: 10 }, () => policies.apply(BASE, CLAIMS, ROUTE));
      answer({ maxAge: 300 });
      const results = await Promise.all(pending);
      expect(resolver).toHaveBeenCalledTimes(1);
      expect(new Set(results).size).toBe(1);
      expect(results[0]).toMatchObject({ maxAge: 300, organization: 'org_1' });
    });

    it('shares a failure too, and does not keep it', async () => {
      let fail!: (error: Error) => void;
      const { policies, resolver } = policiesWith(
        () => new Promise<Answer>((_, reject) => (fail = reject)),
      );
      const pending = Array.from({ length: 10 }, () =>
        refusal(policies.apply(BASE, CLAIMS, ROUTE)),
      );
      fail(new Error('database down'));
      await Promise.all(pending);
      expect(resolver).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledTimes(10);
      resolver.mockImplementation(() => Promise.resolve({ maxAge: 300 }));
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toMatchObject({ maxAge: 300 });
      expect(resolver).toHaveBeenCalledTimes(2);
    });
  });

  describe('failures', () => {
    it('a resolver that throws: 503, its error kept as the cause, never in the log', async () => {
      const error = new Error('connection string postgres://secret@db');
      const { policies } = policiesWith(() => {
        throw error;
      });
      const refused = await refusal(policies.apply(BASE, CLAIMS, ROUTE));
      expect(causeCode(refused)).toBe('resolver_failed');
      expect((refused.cause as Error).cause).toBe(error);
      expect(loggedLines()).toEqual([
        `Organization policy failed on ${ROUTE} for organization org_1: the resolver failed with Error; refusing with 503`,
      ]);
    });

    it('a resolver that rejects: 503', async () => {
      const { policies } = policiesWith(() => Promise.reject(new TypeError('x')));
      expect(causeCode(await refusal(policies.apply(BASE, CLAIMS, ROUTE)))).toBe('resolver_failed');
      expect(loggedLines()[0]).toContain('the resolver failed with TypeError');
    });

    it('a resolver that hangs: 503 after timeoutMs, and the next request asks again', async () => {
      jest.useFakeTimers();
      const { policies, resolver } = policiesWith(() => new Promise<Answer>(() => undefined), {
        timeoutMs: 250,
      });
      let settled = false;
      const refused = refusal(policies.apply(BASE, CLAIMS, ROUTE)).finally(() => (settled = true));
      await jest.advanceTimersByTimeAsync(249);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(causeCode(await refused)).toBe('timeout');
      expect(loggedLines()).toEqual([
        `Organization policy failed on ${ROUTE} for organization org_1: the resolver took over 250 ms; refusing with 503`,
      ]);
      const again = refusal(policies.apply(BASE, CLAIMS, ROUTE));
      await jest.advanceTimersByTimeAsync(250);
      await again;
      expect(resolver).toHaveBeenCalledTimes(2);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('an answer within timeoutMs clears its timer', async () => {
      jest.useFakeTimers();
      const { policies } = policiesWith(() => Promise.resolve({ maxAge: 300 }));
      await policies.apply(BASE, CLAIMS, ROUTE);
      expect(jest.getTimerCount()).toBe(0);
    });

    it.each<[string, unknown, string]>([
      ['-1', -1, 'a number'],
      ['1.5', 1.5, 'a number'],
      ['null', null, 'null'],
      ['true', true, 'a boolean'],
      ['[]', [], 'an array'],
      ['["org_1"]', ['org_1'], 'an array'],
      ['{}', {}, 'an object'],
      ['""', '', 'empty'],
      ['of 257 characters', 'o'.repeat(257), 'a string of 257 characters (at most 256)'],
      ['with CR LF', 'org_1\r\nSet-Cookie: x', 'a string with control characters'],
    ])('a claim %s: 503 without asking, the value not logged', async (_, claim, what) => {
      const { policies, resolver } = policiesWith(() => undefined);
      const refused = await refusal(policies.apply(BASE, { ...CLAIMS, org_id: claim }, ROUTE));
      expect(causeCode(refused)).toBe('bad_claim');
      expect(resolver).not.toHaveBeenCalled();
      expect(loggedLines()).toEqual([
        `Organization policy failed on ${ROUTE}: the claim org_id is ${what}; refusing with 503`,
      ]);
    });

    it('accepts any other string as the organization, up to 256 characters', async () => {
      const { policies, resolver } = policiesWith(() => undefined);
      for (const organization of ['1', 'Acme Corporation', 'o'.repeat(256)]) {
        await expect(policies.apply(BASE, { org_id: organization }, ROUTE)).resolves.toBe(BASE);
        expect(resolver).toHaveBeenLastCalledWith(organization, expect.anything());
      }
    });

    it.each<[string, unknown, string]>([
      ['null', null, "must be undefined, a level's name or an object, got null"],
      ['a number', 300, "must be undefined, a level's name or an object, got a number"],
      ['true', true, "must be undefined, a level's name or an object, got a boolean"],
      ['an array', [], "must be undefined, a level's name or an object, got an array"],
      ['a class instance', new Map(), 'must be a plain object'],
      ['an unknown key', { maxAge: 60, capSeconds: 1 }, 'has an unknown key "capSeconds"'],
      ['maxAge -1', { maxAge: -1 }, 'maxAge must be an integer from 0 to 315360000'],
      ['maxAge 1.5', { maxAge: 1.5 }, 'maxAge must be an integer from 0 to 315360000'],
      ['maxAge "60"', { maxAge: '60' }, 'maxAge must be an integer from 0 to 315360000'],
      ['maxAge 1e13', { maxAge: 1e13 }, 'maxAge must be an integer from 0 to 315360000'],
      ['acr []', { acr: [] }, 'acr must be 1 to 10 distinct values without spaces or quotes'],
      ['acr with a space', { acr: ['a b'] }, 'acr must be 1 to 10 distinct values'],
      ['amr as a string', { amr: 'mfa' }, 'amr must be 1 to 10 distinct values'],
      ['methods sms', { methods: ['sms'] }, "methods must be an array of distinct 'passkey'"],
      ['methods twice', { methods: ['passkey', 'passkey'] }, 'methods must be an array'],
      ['methods as a string', { methods: 'passkey' }, 'methods must be an array'],
      ['slide true', { slide: true }, 'slide must be false or absent'],
      ['a slide of its own', { slide: { capSeconds: 1e6 } }, 'slide must be false or absent'],
    ])('an answer with %s: 503', async (_, answer, why) => {
      const { policies } = policiesWith(() => answer);
      const refused = await refusal(policies.apply(BASE, CLAIMS, ROUTE));
      expect(causeCode(refused)).toBe('bad_answer');
      expect(loggedLines()[0]).toContain(
        `Organization policy failed on ${ROUTE} for organization org_1: the resolver's answer ${why}`,
      );
    });

    it('an answer naming an unknown level: 503', async () => {
      const { policies } = policiesWith(() => 'strickt');
      expect(causeCode(await refusal(policies.apply(BASE, CLAIMS, ROUTE)))).toBe('bad_answer');
      expect(loggedLines()[0]).toContain(
        'the resolver named level "strickt", which is not in levels',
      );
    });

    it.each<[string, Answer]>([
      ['no acr in common', { acr: ['urn:other'] }],
      ['no amr in common', { amr: ['pwd'] }],
      ['a level with no acr in common', 'elsewhere'],
    ])(
      'a rule leaving nothing that satisfies the route (%s): 503, not cached',
      async (_, answer) => {
        const { policies, resolver } = policiesWith(() => answer);
        expect(causeCode(await refusal(policies.apply(BASE, CLAIMS, ROUTE)))).toBe('unsatisfiable');
        await refusal(policies.apply(BASE, CLAIMS, ROUTE));
        expect(resolver).toHaveBeenCalledTimes(2);
      },
    );

    it('never logs a claim but the organization', async () => {
      const { policies } = policiesWith(() => Promise.reject(new Error('user_secret')));
      await refusal(policies.apply(BASE, CLAIMS, ROUTE));
      await refusal(policies.apply(BASE, { ...CLAIMS, org_id: 'user_secret'.repeat(30) }, ROUTE));
      for (const line of loggedLines()) {
        expect(line).not.toContain('user_secret');
        expect(line).not.toContain('a@b.example');
      }
    });
  });

  describe('onFailure: a level', () => {
    it('applies the level as the organization rule instead of a 503', async () => {
      const { policies } = policiesWith(
        () => {
          throw new Error('down');
        },
        { onFailure: 'strict' },
      );
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toEqual({
        maxAge: 60,
        acr: BASE.acr,
        amr: ['mfa'],
        methods: BASE.methods,
        level: 'sudo',
        organization: 'org_1',
        rules: ['level sudo', 'organization org_1 failed: level strict'],
      });
      expect(loggedLines()).toEqual([
        `Organization policy failed on ${ROUTE} for organization org_1: the resolver failed with Error; applying level strict`,
      ]);
    });

    it('after a timeout, without caching the fallback', async () => {
      jest.useFakeTimers();
      const { policies, resolver } = policiesWith(() => new Promise<Answer>(() => undefined), {
        onFailure: 'strict',
      });
      const first = policies.apply(BASE, CLAIMS, ROUTE);
      await jest.advanceTimersByTimeAsync(1000);
      await expect(first).resolves.toMatchObject({ maxAge: 60 });
      const second = policies.apply(BASE, CLAIMS, ROUTE);
      await jest.advanceTimersByTimeAsync(1000);
      await second;
      expect(resolver).toHaveBeenCalledTimes(2);
    });

    it.each([-1, null, [], {}, true, 1.5, ''])(
      'for a claim %j, without naming an organization',
      async (claim) => {
        const { policies, resolver } = policiesWith(() => undefined, { onFailure: 'strict' });
        const tightened = await policies.apply(BASE, { org_id: claim }, ROUTE);
        expect(tightened).toMatchObject({
          maxAge: 60,
          amr: ['mfa'],
          rules: ['level sudo', 'organization claim org_id unusable: level strict'],
        });
        expect(tightened).not.toHaveProperty('organization');
        expect(resolver).not.toHaveBeenCalled();
      },
    );

    it.each<[string, unknown]>([
      ['a bad answer', { maxAge: -1 }],
      ['an unknown level', 'nope'],
      ['an unsatisfiable rule', { amr: ['pwd'] }],
    ])('for %s', async (_, answer) => {
      const { policies } = policiesWith(() => answer, { onFailure: 'strict' });
      await expect(policies.apply(BASE, CLAIMS, ROUTE)).resolves.toMatchObject({
        maxAge: 60,
        rules: ['level sudo', 'organization org_1 failed: level strict'],
      });
    });

    it('is a 503 when even the level cannot tighten the route', async () => {
      const { policies } = policiesWith(() => Promise.reject(new Error('down')), {
        onFailure: 'elsewhere',
      });
      expect(causeCode(await refusal(policies.apply(BASE, CLAIMS, ROUTE)))).toBe('resolver_failed');
      expect(loggedLines()).toEqual([
        `Organization policy failed on ${ROUTE} for organization org_1: the resolver failed with Error; level elsewhere cannot tighten the route, refusing with 503`,
      ]);
    });
  });
});
