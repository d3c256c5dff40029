/**
 * A store refused a write because it holds as many live entries as it may. Nothing was dropped
 * to make room (that could revive a used state or lose a grant): the write fails, and the library
 * answers 503 where the write was needed, or carries on without it where it was an optimisation.
 * Size the store for your peak sign-in rate (see "Sizing the store" in docs/deployment.md).
 */
export class ReauthStoreFullError extends Error {
  /** Stable: `store_full`. */
  readonly code = 'store_full';

  constructor(
    /** How many live entries the store may hold, as configured. */
    readonly maxEntries: number,
  ) {
    super(`The reauth store is full (${maxEntries} live entries)`);
    this.name = 'ReauthStoreFullError';
  }
}
