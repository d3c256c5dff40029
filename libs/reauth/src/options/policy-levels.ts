import type { ReauthLevel } from '../interfaces/policy-options.interface';

/** The module's checked `levels`, by name (a DI token and its type). */
export abstract class PolicyLevels {
  abstract readonly levels: ReadonlyMap<string, ReauthLevel>;
}
