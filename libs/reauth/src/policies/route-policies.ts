import { Injectable } from '@nestjs/common';
import type { RecentAuthRequirement } from '../interfaces/route-requirement.interface';
import type { EffectivePolicy } from './effective-policy';
import { PolicySettings } from '../options/policy-settings';

/** A route whose requirement cannot be resolved: named at start-up, a 500 at request time. */
export class RoutePolicyError extends Error {
  override name = 'RoutePolicyError';
}

/**
 * Turns a route's declared requirement (a number, a level's name, or the default level) into
 * its {@link EffectivePolicy}, once per route: the result is cached with the route's metadata.
 */
@Injectable()
export class RoutePolicies {
  private readonly resolved = new WeakMap<RecentAuthRequirement, EffectivePolicy>();

  constructor(private readonly settings: PolicySettings) {}

  /** The route's policy before any organization rule. */
  of(requirement: RecentAuthRequirement): EffectivePolicy {
    let policy = this.resolved.get(requirement);
    if (!policy) {
      policy = this.resolve(requirement);
      this.resolved.set(requirement, policy);
    }
    return policy;
  }

  /** Why the route's requirement cannot be resolved, or `undefined`. */
  problemOf(requirement: RecentAuthRequirement): string | undefined {
    try {
      this.of(requirement);
      return undefined;
    } catch (error) {
      if (error instanceof RoutePolicyError) return error.message;
      throw error;
    }
  }

  private resolve(requirement: RecentAuthRequirement): EffectivePolicy {
    const { bind } = requirement;
    if (requirement.maxAge !== undefined) {
      return Object.freeze({
        maxAge: requirement.maxAge,
        ...(requirement.acr ? { acr: requirement.acr } : {}),
        ...(requirement.amr ? { amr: requirement.amr } : {}),
        ...(requirement.methods ? { methods: requirement.methods } : {}),
        ...(bind ? { bind } : {}),
        rules: Object.freeze([
          requirement.maxAge === null ? 'route: signed in' : `route: maxAge ${requirement.maxAge}`,
        ]),
      });
    }
    const name = requirement.level ?? this.settings.defaultLevel;
    if (name === undefined) {
      throw new RoutePolicyError(
        'uses the default level, but the module sets no defaultLevel: set one, or give the route a number or a level',
      );
    }
    const level = this.settings.levels.get(name);
    if (!level) {
      const known = [...this.settings.levels.keys()];
      throw new RoutePolicyError(
        `uses the level ${JSON.stringify(name)}, which the module's levels do not define (${known.length ? known.join(', ') : 'none defined'})`,
      );
    }
    if (bind && level.maxAge !== 0) {
      throw new RoutePolicyError(
        `binds its action, which makes it one-time, but the level ${JSON.stringify(name)} has maxAge ${level.maxAge}: use a level with maxAge 0`,
      );
    }
    return Object.freeze({
      maxAge: level.maxAge,
      ...(level.acr ? { acr: level.acr } : {}),
      ...(level.amr ? { amr: level.amr } : {}),
      ...(level.methods ? { methods: level.methods } : {}),
      ...(level.slide ? { slide: level.slide } : {}),
      ...(bind ? { bind } : {}),
      level: name,
      rules: Object.freeze([
        requirement.level === undefined ? `default level ${name}` : `level ${name}`,
      ]),
    });
  }
}
