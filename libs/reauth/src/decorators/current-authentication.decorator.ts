import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { reauthRequestOf } from '../graphql/graphql-context';

/**
 * Injects what the guard found out about the caller (`Authentication`: the verified claims,
 * where the token came from, and for session cookies the WorkOS user) on a route marked
 * `@RequireRecentAuth()` or `@RequireSignIn()`. On routes without either it is `undefined`: call
 * `ReauthService.currentAuthentication()` there instead.
 *
 * @example
 * ```ts
 * @Get('account')
 * @RequireSignIn()
 * account(@CurrentAuthentication() auth: Authentication) {
 *   return { email: auth.user?.email, signedInAt: auth.claims.auth_time };
 * }
 * ```
 */
export const CurrentAuthentication = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => reauthRequestOf(context)?.reauth,
);
