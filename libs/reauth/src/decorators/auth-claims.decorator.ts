import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { reauthRequestOf } from '../graphql/graphql-context';
import type { AuthKitClaims } from '../interfaces';

/**
 * Injects the verified access-token claims (or one claim) of a request that passed
 * `@RequireRecentAuth()` or `@RequireSignIn()`; `undefined` on routes without either.
 *
 * @example
 * ```ts
 * @Get('me')
 * @RequireSignIn()
 * me(@AuthClaims() claims: AuthKitClaims, @AuthClaims('sub') userId: string) { ... }
 * ```
 */
export const AuthClaims = createParamDecorator(
  (claim: keyof AuthKitClaims | undefined, context: ExecutionContext): unknown => {
    // HTTP routes and GraphQL resolvers alike.
    const claims = reauthRequestOf(context)?.reauth?.claims;
    return claim === undefined ? claims : claims?.[claim];
  },
);
