import type { GraphQLErrorsOption, ReauthClientOptions } from './reauth-fetch.js';
import { describeValue, originOf } from './values.js';

// The options of createReauthFetch, checked once when it is called: a mistake throws a TypeError
// naming the option then, not at the first re-authentication.

const ORIGIN_EXAMPLE = '"https://auth.example"';

/** `authorizationOrigins`, checked: each an exact http(s) origin, as `URL#origin` writes it. */
export function authorizationOriginsOption(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) {
    throw new TypeError(
      `createReauthFetch: authorizationOrigins must be an array of origins such as ${ORIGIN_EXAMPLE}`,
    );
  }
  return new Set(
    value.map((origin: unknown, i) => {
      if (
        typeof origin !== 'string' ||
        !/^https?:\/\//.test(origin) ||
        originOf(origin) !== origin
      ) {
        throw new TypeError(
          `createReauthFetch: authorizationOrigins[${i}] must be an origin such as ${ORIGIN_EXAMPLE}, got ${describeValue(origin)}`,
        );
      }
      return origin;
    }),
  );
}

const GRAPHQL_ERRORS_OPTIONS: readonly GraphQLErrorsOption[] = ['challenged', 'always', 'never'];

export function graphqlErrorsOption(value: unknown): GraphQLErrorsOption {
  if (value === undefined) return 'challenged';
  if (GRAPHQL_ERRORS_OPTIONS.includes(value as GraphQLErrorsOption)) {
    return value as GraphQLErrorsOption;
  }
  throw new TypeError(
    `createReauthFetch: graphqlErrors must be 'challenged', 'always' or 'never', got ${describeValue(value)}`,
  );
}

/** Whether redirect mode records a request to replay it on the way back. */
export function shouldReplay(
  request: Request,
  choice: ReauthClientOptions['replayAfterRedirect'],
): boolean {
  if (typeof choice === 'function') return choice(request);
  if (choice !== undefined) return choice;
  return request.method === 'GET' || request.method === 'HEAD';
}
