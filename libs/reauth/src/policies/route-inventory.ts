import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { OWN_ROUTES_METADATA_KEY } from '../core/constants';
import type { InPageMethod } from '../interfaces/step-up-options.interface';
import { OrganizationPolicySettings } from '../options/organization-policy-settings';
import { PolicySettings } from '../options/policy-settings';
import { RouteSettings } from '../options/reauth-settings';
import { declaredHandlers, type DeclaredHandler } from './guarded-handlers';
import { RoutePolicies } from './route-policies';

/**
 * One guarded handler of the app and the policy it enforces before any organization rule:
 * plain data, safe to serialise as JSON (see `ReauthService.inventory`).
 */
export interface InventoryEntry {
  /** `http` for a controller's route, `graphql` for a resolver's operation or field. */
  kind: 'http' | 'graphql';
  /**
   * `POST /api/account/transfer` (with the app's global prefix, as `redirectUri` shows it), or
   * `Mutation.transfer`, `Query.balance`, `field.recoveryCodes` for GraphQL.
   */
  endpoint: string;
  /** The class and method that declare it: `AccountController.transfer`. */
  handler: string;
  /** `recent` for `@RequireRecentAuth`, `sign-in` for `@RequireSignIn`. */
  requirement: 'recent' | 'sign-in';
  /** The level's name, when the route uses one (given, or the module's `defaultLevel`). */
  level?: string;
  /** Seconds since the last proof; `0`: one-time; `null`: any signed-in session. */
  maxAge: number | null;
  /** The `acr` values the route accepts, when it requires one. */
  acr?: string[];
  /** The `amr` values the route accepts, when it requires one. */
  amr?: string[];
  /** The in-page methods that may confirm it; absent: every method the module enables. */
  methods?: InPageMethod[];
  /** The level's sliding window. */
  slide?: { capSeconds: number };
  /** The body fields the confirmation is bound to (`bind`), in the digest's order. */
  boundFields?: string[];
  /** Whether the module's `organizationPolicy` may tighten it at request time. */
  organizationRules: boolean;
}

/**
 * Lists the app's guarded handlers with their effective policies, and the state-changing
 * handlers that carry no requirement where they look like an omission. Computed on first use,
 * once every module is known (the module's start-up checks are the first user), then kept.
 */
@Injectable()
export class RouteInventory {
  private handlers?: readonly DeclaredHandler[];
  private entries?: readonly InventoryEntry[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly policies: RoutePolicies,
    private readonly settings: PolicySettings,
    private readonly routes: RouteSettings,
    private readonly organizations: OrganizationPolicySettings,
  ) {}

  /** Every guarded handler, sorted by endpoint. */
  list(): readonly InventoryEntry[] {
    this.entries ??= Object.freeze(
      this.declared()
        .filter((declared) => declared.requirement !== undefined)
        .map((declared) => this.entryOf(declared))
        .sort((a, b) => compare(a.endpoint, b.endpoint) || compare(a.handler, b.handler)),
    );
    return this.entries;
  }

  /**
   * The state-changing handlers (POST, PUT, PATCH, DELETE, GraphQL mutations) without a
   * requirement whose Nest module declares at least one guarded handler, as
   * `POST /x (Controller.handler)`, sorted; without those `inventory.allowUnguarded` names and
   * the library's own routes. The module, not only the class, is the scope: a controller added
   * to a module that guards its writes, and forgotten, is the omission this check is for.
   */
  unguardedWrites(): string[] {
    const declared = this.declared();
    const guardedScopes = new Set(
      declared.filter((handler) => handler.requirement).map((handler) => scopeOf(handler)),
    );
    const allowed = new Set(this.settings.inventory.allowUnguarded);
    return declared
      .filter(
        (handler) =>
          handler.writes &&
          !handler.requirement &&
          guardedScopes.has(scopeOf(handler)) &&
          !allowed.has(handler.handlerName) &&
          Reflect.getMetadata(OWN_ROUTES_METADATA_KEY, handler.owner) !== true,
      )
      .map((handler) => `${this.endpointOf(handler)} (${handler.handlerName})`)
      .sort(compare);
  }

  private declared(): readonly DeclaredHandler[] {
    this.handlers ??= declaredHandlers(this.discovery, this.scanner, this.reflector);
    return this.handlers;
  }

  private entryOf(declared: DeclaredHandler): InventoryEntry {
    const policy = this.policies.of(declared.requirement!);
    return Object.freeze({
      kind: declared.kind,
      endpoint: this.endpointOf(declared),
      handler: declared.handlerName,
      requirement: policy.maxAge === null ? 'sign-in' : 'recent',
      ...(policy.level === undefined ? {} : { level: policy.level }),
      maxAge: policy.maxAge,
      ...(policy.acr ? { acr: [...policy.acr] } : {}),
      ...(policy.amr ? { amr: [...policy.amr] } : {}),
      ...(policy.methods ? { methods: [...policy.methods] } : {}),
      ...(policy.slide ? { slide: { capSeconds: policy.slide.capSeconds } } : {}),
      ...(policy.bind ? { boundFields: [...policy.bind.fields] } : {}),
      organizationRules:
        this.organizations.organizationPolicy !== undefined && policy.maxAge !== null,
    } satisfies InventoryEntry);
  }

  /** HTTP endpoints under the app's global prefix; GraphQL ones as they are. */
  private endpointOf(declared: DeclaredHandler): string {
    if (declared.kind !== 'http') return declared.endpoint;
    const { prefix } = this.routes.routes;
    const [method, path] = declared.endpoint.split(' ', 2);
    return `${method} ${prefix === '' || path !== '/' ? `${prefix}${path}` : prefix}`;
  }
}

/** Handlers of one module share a scope; without a known module, their class is the scope. */
function scopeOf(handler: DeclaredHandler): object {
  return handler.module ?? handler.owner;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The inventory as log lines: a header, then one aligned line per handler (endpoint, handler,
 * policy).
 */
export function inventoryTable(entries: readonly InventoryEntry[]): string[] {
  const rows = [
    ['ENDPOINT', 'HANDLER', 'POLICY'],
    ...entries.map((entry) => [entry.endpoint, entry.handler, policySummary(entry)]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map(([endpoint, handler, policy]) =>
    `${endpoint.padEnd(widths[0])}  ${handler.padEnd(widths[1])}  ${policy}`.trimEnd(),
  );
}

/**
 * `sign-in`, `max_age=300`, `level strict: max_age=300 amr=mfa`, `max_age=0 bound(amount,payee)`,
 * `level relaxed: max_age=600 slide cap 1800`; ` +organization rules` when a rule may tighten it.
 */
export function policySummary(entry: InventoryEntry): string {
  if (entry.maxAge === null) return 'sign-in';
  const parts = [
    `max_age=${entry.maxAge}`,
    entry.acr && `acr=${entry.acr.join(',')}`,
    entry.amr && `amr=${entry.amr.join(',')}`,
    entry.methods && `methods=${entry.methods.join(',')}`,
    entry.slide && `slide cap ${entry.slide.capSeconds}`,
    entry.boundFields && `bound(${entry.boundFields.join(',')})`,
    entry.organizationRules && '+organization rules',
  ].filter((part): part is string => typeof part === 'string');
  return `${entry.level === undefined ? '' : `level ${entry.level}: `}${parts.join(' ')}`;
}
