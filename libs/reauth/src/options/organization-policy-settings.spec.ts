import type { ReauthLevel } from '../interfaces/policy-options.interface';
import { resolveOrganizationPolicy } from './organization-policy-settings';

const LEVELS: ReadonlyMap<string, ReauthLevel> = new Map([['strict', { maxAge: 300 }]]);
const resolve = () => undefined;

describe('the organizationPolicy option', () => {
  it('is off when absent', () => {
    expect(resolveOrganizationPolicy(undefined, LEVELS)).toBeUndefined();
  });

  it('fills in the defaults, frozen', () => {
    const resolved = resolveOrganizationPolicy({ resolve }, LEVELS);
    expect(resolved).toEqual({
      claim: 'org_id',
      resolve: expect.any(Function),
      cacheSeconds: 60,
      timeoutMs: 1000,
      onFailure: 'unavailable',
    });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('keeps what is given, including a level to fall back on', () => {
    expect(
      resolveOrganizationPolicy(
        { claim: 'tenant', resolve, cacheSeconds: 0, timeoutMs: 60_000, onFailure: 'strict' },
        LEVELS,
      ),
    ).toMatchObject({ claim: 'tenant', cacheSeconds: 0, timeoutMs: 60_000, onFailure: 'strict' });
    expect(
      resolveOrganizationPolicy({ resolve, cacheSeconds: 86_400, timeoutMs: 1 }, LEVELS),
    ).toMatchObject({ cacheSeconds: 86_400, timeoutMs: 1 });
  });

  it('calls resolve on its own object, so a class instance keeps its this', async () => {
    class Rules {
      private readonly strict = new Set(['org_1']);
      claim = 'org';
      resolve(organization: string) {
        return this.strict.has(organization) ? 'strict' : undefined;
      }
    }
    const resolved = resolveOrganizationPolicy(new Rules(), LEVELS)!;
    expect(resolved.claim).toBe('org');
    expect(await resolved.resolve('org_1', { route: 'r', maxAge: 600 })).toBe('strict');
  });

  it.each([
    [null, 'organizationPolicy must be an object'],
    [[], 'organizationPolicy must be an object'],
    ['org_id', 'organizationPolicy must be an object'],
    [{}, 'organizationPolicy.resolve must be a function'],
    [{ resolve: 'strict' }, 'organizationPolicy.resolve must be a function'],
    [{ resolve, claim: '' }, 'organizationPolicy.claim must be a non-empty string'],
    [{ resolve, claim: ' ' }, 'organizationPolicy.claim must be a non-empty string'],
    [{ resolve, claim: 1 }, 'organizationPolicy.claim must be a non-empty string'],
    [
      { resolve, cacheSeconds: -1 },
      'organizationPolicy.cacheSeconds must be an integer from 0 to 86400',
    ],
    [
      { resolve, cacheSeconds: 86_401 },
      'organizationPolicy.cacheSeconds must be an integer from 0 to 86400',
    ],
    [
      { resolve, cacheSeconds: 1.5 },
      'organizationPolicy.cacheSeconds must be an integer from 0 to 86400',
    ],
    [
      { resolve, cacheSeconds: '60' },
      'organizationPolicy.cacheSeconds must be an integer from 0 to 86400',
    ],
    [{ resolve, timeoutMs: 0 }, 'organizationPolicy.timeoutMs must be an integer from 1 to 60000'],
    [
      { resolve, timeoutMs: 60_001 },
      'organizationPolicy.timeoutMs must be an integer from 1 to 60000',
    ],
    [
      { resolve, timeoutMs: null },
      'organizationPolicy.timeoutMs must be an integer from 1 to 60000',
    ],
    [
      { resolve, onFailure: true },
      "organizationPolicy.onFailure must be 'unavailable' or the name of a level",
    ],
    [
      { resolve, onFailure: 'lax' },
      'organizationPolicy.onFailure names level "lax", which is not in levels',
    ],
    [
      { resolve, onFailure: '' },
      'organizationPolicy.onFailure names level "", which is not in levels',
    ],
  ])('refuses %j at start-up', (value, message) => {
    expect(() => resolveOrganizationPolicy(value, LEVELS)).toThrow(
      new TypeError(`ReauthModule: ${message}`),
    );
  });
});
