import type { ReauthRequest } from './reauth-request.interface';
import type { InPageMethod } from './step-up-options.interface';

/** A bound field's value: what a digest can commit to without ambiguity. */
export type BoundValue = string | number | boolean;

/** A route's action binding (the route option `bind`). */
export interface ActionBinding {
  /** The body fields that identify the action, in the order the digest commits to. */
  fields: readonly string[];
  /** The human summary shown where the user confirms. */
  summary: (fields: Readonly<Record<string, BoundValue>>) => string;
}

/** What a route requires; stored as route metadata. */
export interface RecentAuthRequirement {
  /**
   * Seconds since the last active sign-in; `null` when any signed-in session will do; absent
   * when a level (or the module's default level) says.
   */
  maxAge?: number | null;
  /** The module level the route uses; with `maxAge` absent and no `level`, the default level. */
  level?: string;
  /** The action binding (the `bind` option of `@RequireRecentAuth`). */
  bind?: ActionBinding;
  action?: (request: ReauthRequest & { body?: unknown }) => unknown;
  allowCrossOrigin?: boolean;
  allowImpersonation?: boolean;
  acr?: readonly string[];
  amr?: readonly string[];
  /** The in-page methods that may satisfy the route; absent: every method the module enables. */
  methods?: readonly InPageMethod[];
}
