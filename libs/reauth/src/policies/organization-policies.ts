import { Injectable, Logger } from '@nestjs/common';
import { isValidAssuranceList } from '../core/assurance';
import { BoundedCache } from '../core/bounded-cache';
import { ReauthClock } from '../core/clock';
import { describeError } from '../core/describe-error';
import { isValidMaxAge } from '../core/freshness';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { PolicyRoute, ReauthPolicyOverride } from '../interfaces/policy-options.interface';
import type { InPageMethod } from '../interfaces/step-up-options.interface';
import type { EffectivePolicy } from './effective-policy';
import {
  OrganizationPolicySettings,
  type ResolvedOrganizationPolicy,
} from '../options/organization-policy-settings';
import { PolicyLevels } from '../options/policy-levels';
import { levelAsOverride, tightenPolicy } from './tighten-policy';

// Distinct organizations times routes: a flood of organizations costs at most this many entries.
const CACHE_ENTRIES = 10_000;
const MAX_ORGANIZATION_LENGTH = 256;
// Refused in an organization's name: it is logged and written into rules (and explanations).
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const OVERRIDE_KEYS: readonly string[] = ['maxAge', 'acr', 'amr', 'methods', 'slide'];
// A record, so that the compiler notices a new method (options/ is not imported: it imports us).
const IN_PAGE_METHODS: Readonly<Record<InPageMethod, true>> = { passkey: true, password: true };

/** Why an organization's rule could not be applied; the `cause` of the 503 it may become. */
class OrganizationPolicyError extends Error {
  override readonly name = 'OrganizationPolicyError';

  constructor(
    readonly code: 'bad_claim' | 'resolver_failed' | 'timeout' | 'bad_answer' | 'unsatisfiable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An organization's checked answer: the override and the rule it is explained by. */
interface OrganizationRule {
  readonly override: ReauthPolicyOverride;
  readonly text: string;
}

/** A successful lookup: the rule (`null`: none), and the policy it made of `base`. */
interface Lookup {
  readonly rule: OrganizationRule | null;
  readonly base: EffectivePolicy;
  readonly result: EffectivePolicy;
}

/**
 * Applies the `organizationPolicy` option: asks the app's resolver about the organization named
 * by a verified claim, and tightens the route's policy with its answer. Answers are cached per
 * organization and route; concurrent identical lookups share one call; a resolver that throws,
 * hangs or answers nonsense (or a claim of the wrong type) is a failure, which `onFailure`
 * decides: a 503, or a level applied as the organization's rule.
 */
@Injectable()
export class OrganizationPolicies {
  private readonly logger = new Logger('ReauthModule');
  private readonly inflight = new Map<string, Promise<Lookup>>();
  private readonly answers: BoundedCache<Lookup>;

  constructor(
    private readonly settings: OrganizationPolicySettings,
    private readonly levels: PolicyLevels,
    private readonly clock: ReauthClock,
  ) {
    this.answers = new BoundedCache(CACHE_ENTRIES, () => clock.now());
  }

  /**
   * `policy` tightened by the rule of the organization in `claims` (verified claims) for `route`;
   * `policy` itself without an organization policy, a claim, or a rule, and on routes open to any
   * signed-in session.
   *
   * @throws ReauthUnavailableException (`policy`) on a failure, unless `onFailure` names a level
   * that can tighten the route.
   */
  apply(
    policy: EffectivePolicy,
    claims: Readonly<Record<string, unknown>>,
    route: string,
  ): Promise<EffectivePolicy> {
    const settings = this.settings.organizationPolicy;
    if (settings === undefined || policy.maxAge === null) return Promise.resolve(policy);
    const organization = Object.hasOwn(claims, settings.claim) ? claims[settings.claim] : undefined;
    if (organization === undefined) return Promise.resolve(policy);
    if (isOrganizationId(organization)) {
      const cached = this.answers.get(cacheKey(organization, route));
      if (cached?.base === policy) return Promise.resolve(cached.result);
    }
    return this.applyRule(settings, policy, organization, route);
  }

  private async applyRule(
    settings: ResolvedOrganizationPolicy,
    policy: EffectivePolicy,
    organization: unknown,
    route: string,
  ): Promise<EffectivePolicy> {
    const id = isOrganizationId(organization) ? organization : undefined;
    try {
      if (id === undefined) {
        throw new OrganizationPolicyError(
          'bad_claim',
          `the claim ${settings.claim} is ${describeClaim(organization)}`,
        );
      }
      const key = cacheKey(id, route);
      const lookup = this.answers.get(key) ?? (await this.lookup(settings, policy, id, route, key));
      if (lookup.base === policy) return lookup.result;
      return tightenFor(policy, lookup.rule, id);
    } catch (error) {
      const failure =
        error instanceof OrganizationPolicyError
          ? error
          : new OrganizationPolicyError(
              'resolver_failed',
              `the resolver's answer could not be read (${describeError(error)})`,
              { cause: error },
            );
      return this.fallBack(settings, policy, id, route, failure);
    }
  }

  private lookup(
    settings: ResolvedOrganizationPolicy,
    policy: EffectivePolicy,
    organization: string,
    route: string,
    key: string,
  ): Promise<Lookup> {
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.ask(settings, policy, organization, route, key).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async ask(
    settings: ResolvedOrganizationPolicy,
    policy: EffectivePolicy,
    organization: string,
    route: string,
    key: string,
  ): Promise<Lookup> {
    const question: PolicyRoute = Object.freeze({
      route,
      ...(policy.level === undefined ? {} : { level: policy.level }),
      maxAge: policy.maxAge!,
    });
    const answer = await withTimeout(
      new Promise<unknown>((resolve) => resolve(settings.resolve(organization, question))).catch(
        (error: unknown) => {
          throw new OrganizationPolicyError(
            'resolver_failed',
            `the resolver failed with ${describeError(error)}`,
            { cause: error },
          );
        },
      ),
      settings.timeoutMs,
    );
    const rule = this.ruleOf(answer, organization);
    const lookup: Lookup = Object.freeze({
      rule,
      base: policy,
      result: tightenFor(policy, rule, organization),
    });
    if (settings.cacheSeconds > 0) {
      this.answers.set(key, lookup, this.clock.now() + settings.cacheSeconds * 1000);
    }
    return lookup;
  }

  /** The resolver's answer, checked: `null` for none. */
  private ruleOf(answer: unknown, organization: string): OrganizationRule | null {
    if (answer === undefined) return null;
    if (typeof answer === 'string') {
      const level = this.levels.levels.get(answer);
      if (level === undefined) {
        throw new OrganizationPolicyError(
          'bad_answer',
          `the resolver named level ${JSON.stringify(answer.slice(0, 80))}, which is not in levels`,
        );
      }
      return Object.freeze({
        override: levelAsOverride(level),
        text: `organization ${organization}: level ${answer}`,
      });
    }
    return Object.freeze({ override: checkOverride(answer), text: `organization ${organization}` });
  }

  private fallBack(
    settings: ResolvedOrganizationPolicy,
    policy: EffectivePolicy,
    organization: string | undefined,
    route: string,
    failure: OrganizationPolicyError,
  ): EffectivePolicy {
    const name = settings.onFailure;
    const level = name === 'unavailable' ? undefined : this.levels.levels.get(name);
    const failed = `Organization policy failed on ${route}${
      organization === undefined ? '' : ` for organization ${organization}`
    }: ${failure.message}`;
    if (level !== undefined) {
      const rule =
        organization === undefined
          ? `organization claim ${settings.claim} unusable: level ${name}`
          : `organization ${organization} failed: level ${name}`;
      const tightened = tightenPolicy(policy, levelAsOverride(level), rule);
      if (tightened !== undefined) {
        this.logger.warn(`${failed}; applying level ${name}`);
        return organization === undefined ? tightened : withOrganization(tightened, organization);
      }
      this.logger.warn(`${failed}; level ${name} cannot tighten the route, refusing with 503`);
    } else {
      this.logger.warn(`${failed}; refusing with 503`);
    }
    throw new ReauthUnavailableException('policy', { cause: failure });
  }
}

function cacheKey(organization: string, route: string): string {
  // An organization's id has no control characters: the newline cannot be part of it.
  return `${organization}\n${route}`;
}

function isOrganizationId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value !== '' &&
    value.length <= MAX_ORGANIZATION_LENGTH &&
    !CONTROL_CHARACTERS.test(value)
  );
}

/** What a claim is, without its value: only an organization's id is ever logged. */
function describeClaim(value: unknown): string {
  if (typeof value === 'string') {
    if (value === '') return 'empty';
    if (value.length > MAX_ORGANIZATION_LENGTH) {
      return `a string of ${value.length} characters (at most ${MAX_ORGANIZATION_LENGTH})`;
    }
    return 'a string with control characters';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function tightenFor(
  policy: EffectivePolicy,
  rule: OrganizationRule | null,
  organization: string,
): EffectivePolicy {
  if (rule === null) return policy;
  const tightened = tightenPolicy(policy, rule.override, rule.text);
  if (tightened === undefined) {
    throw new OrganizationPolicyError(
      'unsatisfiable',
      `${rule.text} leaves nothing that satisfies the route (no acr or amr in common with it)`,
    );
  }
  return withOrganization(tightened, organization);
}

function withOrganization(policy: EffectivePolicy, organization: string): EffectivePolicy {
  return Object.freeze({ ...policy, organization });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new OrganizationPolicyError('timeout', `the resolver took over ${timeoutMs} ms`)),
      timeoutMs,
    );
    // A resolver that never answers must not keep the process alive either.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A resolver's object answer, checked and copied (the resolver may reuse its object). */
function checkOverride(value: unknown): ReauthPolicyOverride {
  const bad = (why: string): never => {
    throw new OrganizationPolicyError('bad_answer', `the resolver's answer ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(`must be undefined, a level's name or an object, got ${describeClaim(value)}`);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) bad('must be a plain object');
  const unknown = Object.keys(value).find((key) => !OVERRIDE_KEYS.includes(key));
  if (unknown !== undefined) {
    bad(`has an unknown key ${JSON.stringify(unknown.slice(0, 40))}`);
  }
  const { maxAge, acr, amr, methods, slide } = value as Record<string, unknown>;
  if (maxAge !== undefined && !isValidMaxAge(maxAge)) {
    bad('maxAge must be an integer from 0 to 315360000');
  }
  if (acr !== undefined && !isValidAssuranceList(acr)) {
    bad('acr must be 1 to 10 distinct values without spaces or quotes');
  }
  if (amr !== undefined && !isValidAssuranceList(amr)) {
    bad('amr must be 1 to 10 distinct values without spaces or quotes');
  }
  if (methods !== undefined && !isMethodList(methods)) {
    bad("methods must be an array of distinct 'passkey' and 'password'");
  }
  if (slide !== undefined && slide !== false) bad('slide must be false or absent');
  return Object.freeze({
    ...(maxAge === undefined ? {} : { maxAge: maxAge as number }),
    ...(acr === undefined ? {} : { acr: Object.freeze([...(acr as string[])]) as string[] }),
    ...(amr === undefined ? {} : { amr: Object.freeze([...(amr as string[])]) as string[] }),
    ...(methods === undefined
      ? {}
      : { methods: Object.freeze([...(methods as InPageMethod[])]) as InPageMethod[] }),
    ...(slide === false ? { slide: false as const } : {}),
  });
}

function isMethodList(value: unknown): value is InPageMethod[] {
  return (
    Array.isArray(value) &&
    new Set(value).size === value.length &&
    value.every((method) => typeof method === 'string' && Object.hasOwn(IN_PAGE_METHODS, method))
  );
}
