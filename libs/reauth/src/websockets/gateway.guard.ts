import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GATEWAY_CHECKING_GUARDS } from '../decorators/route-check';
import { RecentAuthGuard } from '../guard/recent-auth.guard';

/**
 * Puts `@RequireRecentAuth` and `@RequireSignIn` to work on a WebSocket gateway's handlers. Nest
 * applies no global guard (`APP_GUARD`) and no global filter to gateways, so the guard that
 * `ReauthModule` registers never sees their messages: put this on the gateway class. It runs
 * the module's own `RecentAuthGuard` for each message (socket.io or `ws`), which answers a
 * refused one itself (see `rememberUpgradeRequests` for `ws`). An app with a decorated handler
 * on a gateway without it (on the class or the handler) does not start, and neither does one
 * without `ReauthModule`.
 *
 * @example
 * ```ts
 * @UseGuards(RecentAuthGatewayGuard)
 * @WebSocketGateway()
 * export class ChatGateway {
 *   @RequireRecentAuth(300)
 *   @SubscribeMessage('delete-channel')
 *   deleteChannel(@MessageBody() channel: string) {
 *     return { deleted: channel };
 *   }
 * }
 * ```
 */
@Injectable()
export class RecentAuthGatewayGuard implements CanActivate {
  /** @internal Made by Nest, in the gateway's module, with the module's guard. */
  constructor(private readonly guard: RecentAuthGuard) {}

  /**
   * Nest's guard hook: the module's checks for a WebSocket message; anything else passes here
   * (HTTP routes and GraphQL resolvers are checked by the global guard already).
   */
  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    return context.getType<string>() === 'ws' ? this.guard.canActivate(context) : true;
  }
}

// A decorator's own check, run before this guard (decorators apply bottom-up), leaves it the decision.
GATEWAY_CHECKING_GUARDS.add(RecentAuthGatewayGuard);
