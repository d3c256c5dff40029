import type { InPageMethod } from './step-up-options.interface';

/**
 * A named level of the module's `levels` option: what "sensitive" means, said once and used by
 * name on routes (`@RequireRecentAuth('strict')`).
 *
 * @example
 * ```ts
 * ReauthModule.forRoot({
 *   // ...
 *   levels: {
 *     moderate: { maxAge: 3600 },
 *     strict: { maxAge: 300, amr: ['mfa'] },
 *     sudo: { maxAge: 900, slide: { capSeconds: 7200 } },
 *   },
 *   defaultLevel: 'moderate',
 * });
 * ```
 */
export interface ReauthLevel {
  /**
   * Seconds since the last proof (a sign-in at the provider or a confirmation in the page). `0`
   * means one-time: every request needs its own proof.
   */
  maxAge: number;
  /** As `@RequireRecentAuth`'s `acr`: the sign-in's `acr` must be one of these. */
  acr?: string[];
  /** As `@RequireRecentAuth`'s `amr`: the proof must have shown one of these methods. */
  amr?: string[];
  /** As `@RequireRecentAuth`'s `methods`: the in-page confirmations that count. */
  methods?: InPageMethod[];
  /**
   * A sliding window (off unless given): each request this level lets through extends the
   * proof's life by `maxAge` from that request, up to `capSeconds` after the proof itself. An
   * active session keeps its step-up that long without being asked again; a stolen one too, which
   * is what the cap bounds. Needs `maxAge` above 0 and `capSeconds` at least `maxAge`.
   */
  slide?: { capSeconds: number };
}

/**
 * What an organization's rule may change on a route: each field can only tighten what the route
 * declares (a shorter `maxAge`, fewer accepted `acr`/`amr`/`methods`, `slide: false` to stop a
 * sliding window), never loosen it.
 */
export interface ReauthPolicyOverride {
  /** Applied when shorter than the route's. */
  maxAge?: number;
  /** Intersected with the route's (or applied when the route names none). */
  acr?: string[];
  /** Intersected with the route's (or applied when the route names none). */
  amr?: string[];
  /** Intersected with the route's. */
  methods?: InPageMethod[];
  /** `false` ends the route's sliding window for this organization. */
  slide?: false;
}

/** The route an organization rule is asked about. */
export interface PolicyRoute {
  /** `<controller path>:Controller.handler`. */
  route: string;
  /** The route's level, when it uses one. */
  level?: string;
  /** The route's own `maxAge` (before the rule). */
  maxAge: number;
}

/**
 * Per-organization rules: a customer's admin decides that their organization needs more on some
 * routes. The resolver runs on verified claims only, its answers are cached, and it can only
 * tighten what a route declares. Routes with `@RequireSignIn()` are not asked about.
 *
 * @example
 * ```ts
 * organizationPolicy: {
 *   // org_id on WorkOS; any verified claim on an OpenID provider
 *   claim: 'org_id',
 *   resolve: async (organization, { level }) =>
 *     level === 'export' ? await rules.forOrganization(organization) : undefined,
 *   onFailure: 'strict',
 * }
 * ```
 */
export interface ReauthOrganizationPolicy {
  /** The verified claim that names the organization; default `org_id`. It must be a string. */
  claim?: string;
  /**
   * The organization's rule for this route: an override, the name of a level (applied as an
   * override), or `undefined` for the route as declared.
   */
  resolve(
    organization: string,
    route: PolicyRoute,
  ): ReauthPolicyOverride | string | undefined | Promise<ReauthPolicyOverride | string | undefined>;
  /** How long an answer is reused, per organization and route; default 60, `0` for never. */
  cacheSeconds?: number;
  /** How long the resolver may take before it counts as failed; default 1000 ms. */
  timeoutMs?: number;
  /**
   * What a failure (a throw, a timeout, a claim of the wrong type, an unusable answer) means:
   * `'unavailable'` (the default) refuses with a 503; a level's name applies that level as the
   * organization's rule, so the user can still confirm and go on.
   */
  onFailure?: string;
}

/**
 * The guarded-handler inventory and the unguarded-writes check (see `ReauthService.inventory`).
 */
export interface ReauthInventoryOptions {
  /** Logs the inventory as a table at start-up. Default `false`. */
  log?: boolean;
  /**
   * State-changing handlers (POST, PUT, PATCH, DELETE, GraphQL mutations) without any
   * requirement, in Nest modules whose controllers or resolvers guard some handler (so a whole
   * controller left undecorated next to guarded ones counts too): `'warn'` logs each, `'error'`
   * stops the app from starting. The library's own routes are never counted. Default `'off'`.
   */
  unguardedWrites?: 'off' | 'warn' | 'error';
  /** Handlers left out of that check, as `Controller.handler`. */
  allowUnguarded?: string[];
}

/** Explanations of refusals, for debugging; off by default. */
export interface ReauthExplainOptions {
  /** Adds a `Reauth-Explain` header to each refusal. Default `false`. */
  header?: boolean;
  /** Logs one line per refusal, at debug level. Default `false`. */
  log?: boolean;
}
