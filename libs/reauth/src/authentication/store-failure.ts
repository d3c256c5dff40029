import { describeError } from '../core/describe-error';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';

/** How a store call failed, for a log line: a full store is named as such (it needs sizing). */
export function storeFailure(error: unknown): string {
  return error instanceof ReauthStoreFullError
    ? `: the store is full (${error.maxEntries} live entries)`
    : ` with ${describeError(error)}`;
}
