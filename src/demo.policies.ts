import { DEMO_USERS, type EmulatorUserSeed } from 'authkit-emulator';
import type {
  ReauthLevel,
  ReauthOrganizationPolicy,
  ReauthPolicyOverride,
} from 'nest-workos-reauth';
import { SENSITIVE_MAX_AGE } from './views/pages';

/**
 * The demo's named levels: `sensitive` (the default of a bare `@RequireRecentAuth()`) asks for a
 * sign-in within 5 minutes; `strict` also asks for a second factor.
 */
export const DEMO_LEVELS: Readonly<Record<string, ReauthLevel>> = Object.freeze({
  sensitive: { maxAge: SENSITIVE_MAX_AGE },
  strict: { maxAge: SENSITIVE_MAX_AGE, amr: ['mfa'] },
});

/** The level `@RequireRecentAuth()` uses. */
export const DEMO_DEFAULT_LEVEL = 'sensitive';

/** An organization that keeps its people on a shorter leash than the demo's own. */
export const STRICT_ORGANIZATION_ID = 'org_strict_example';

/**
 * What each customer organization asks of each level, as a customer's admin would set it: the
 * rules only tighten (the library ignores anything looser). The emulator's demo organization
 * (every demo user's `org_id`) has no rule, so the demo's levels hold as written; a user of
 * {@link STRICT_ORGANIZATION_ID} confirms `sensitive` actions after 60 seconds instead of 5 minutes.
 */
export const ORGANIZATION_RULES: Readonly<
  Record<string, Readonly<Record<string, ReauthPolicyOverride>>>
> = Object.freeze({
  [STRICT_ORGANIZATION_ID]: { sensitive: { maxAge: 60 }, strict: { maxAge: 60 } },
});

/**
 * The rule for a route, from the organization in the verified token (`org_id`). A user without
 * an organization, or a route without a level, is not looked up at all.
 */
export function organizationRule(
  organization: string,
  level: string | undefined,
  rules: typeof ORGANIZATION_RULES = ORGANIZATION_RULES,
): ReauthPolicyOverride | undefined {
  if (level === undefined || !Object.hasOwn(rules, organization)) return undefined;
  const perLevel = rules[organization];
  return Object.hasOwn(perLevel, level) ? perLevel[level] : undefined;
}

/** The module's `organizationPolicy`: the table above, answered from memory. */
export const DEMO_ORGANIZATION_POLICY: ReauthOrganizationPolicy = {
  resolve: (organization, route) => organizationRule(organization, route.level),
  cacheSeconds: 0,
};

/**
 * The emulator's users for the demo: its own three, and Dave of {@link STRICT_ORGANIZATION_ID},
 * on whom the organization's rule can be seen: his `sensitive` actions ask again after 60 seconds.
 */
export const DEMO_EMULATOR_USERS: readonly EmulatorUserSeed[] = Object.freeze([
  ...DEMO_USERS,
  {
    email: 'dave@strict.example.com',
    password: 'dave-password',
    firstName: 'Dave',
    lastName: 'Davis',
    role: 'member',
    organizationId: STRICT_ORGANIZATION_ID,
    permissions: ['account:read', 'account:write', 'transfers:create'],
  },
]);
