import { DEMO_ORGANIZATION_ID } from 'authkit-emulator';
import {
  DEMO_DEFAULT_LEVEL,
  DEMO_LEVELS,
  DEMO_ORGANIZATION_POLICY,
  organizationRule,
  STRICT_ORGANIZATION_ID,
} from './demo.policies';

describe('the demo’s policies', () => {
  it('default to the sensitive level: a sign-in within 5 minutes', () => {
    expect(DEMO_LEVELS[DEMO_DEFAULT_LEVEL]).toEqual({ maxAge: 300 });
  });

  it('tighten the sensitive level to 60 seconds for the strict organization', () => {
    expect(organizationRule(STRICT_ORGANIZATION_ID, 'sensitive')).toEqual({ maxAge: 60 });
  });

  it.each<[string, string | undefined]>([
    [DEMO_ORGANIZATION_ID, 'sensitive'],
    [DEMO_ORGANIZATION_ID, 'strict'],
    [STRICT_ORGANIZATION_ID, undefined],
    [STRICT_ORGANIZATION_ID, 'unknown'],
    ['org_elsewhere', 'sensitive'],
    ['__proto__', 'sensitive'],
    [STRICT_ORGANIZATION_ID, 'toString'],
  ])('leave %s on level %s as it is', (organization, level) => {
    expect(organizationRule(organization, level)).toBeUndefined();
  });

  it('answer the module from the table, uncached', async () => {
    expect(
      await DEMO_ORGANIZATION_POLICY.resolve(STRICT_ORGANIZATION_ID, {
        route: 'api:ApiController.transfer',
        level: 'sensitive',
        maxAge: 300,
      }),
    ).toEqual({ maxAge: 60 });
    expect(DEMO_ORGANIZATION_POLICY.cacheSeconds).toBe(0);
  });
});
