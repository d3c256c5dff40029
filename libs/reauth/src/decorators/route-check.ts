import {
  InternalServerErrorException,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { reauthRequestOf } from '../graphql/graphql-context';

/**
 * The handlers each request was let through to by the library's checks. `RecentAuthGuard` adds
 * one once every check passed; the decorators' {@link ROUTE_CHECK} lets a handler run only when
 * it finds it. A WeakMap: an entry lives as long as its request and nothing else can reach it.
 */
const checked = new WeakMap<object, Set<unknown>>();

/** Records that the library's checks for `handler` ran on `request` and passed. */
export function markChecked(request: object, handler: unknown): void {
  const handlers = checked.get(request);
  if (handlers) handlers.add(handler);
  else checked.set(request, new Set([handler]));
}

/** Whether {@link markChecked} recorded `handler` for `request`. */
export function wasChecked(request: object, handler: unknown): boolean {
  return checked.get(request)?.has(handler) === true;
}

/** Whether `RecentAuthGuard` let `request` through to any handler, every check passed. */
export function wasGuardChecked(request: object): boolean {
  return checked.has(request);
}

/**
 * The guard classes that run the library's checks for WebSocket messages themselves
 * (`RecentAuthGatewayGuard`): {@link ROUTE_CHECK} lets a message through to one of them (or a
 * subclass) when it is among the handler's or the gateway's guards, whatever order the
 * decorators were written in, and that guard then refuses the message itself when a check fails.
 */
export const GATEWAY_CHECKING_GUARDS = new WeakSet<object>();

/** Whether `guards` (a `@UseGuards` list: classes or instances) holds a gateway-checking guard. */
function hasGatewayGuard(guards: unknown): boolean {
  if (!Array.isArray(guards)) return false;
  return guards.some((guard: unknown) => {
    let type: unknown = typeof guard === 'function' ? guard : (guard as object | null)?.constructor;
    while (typeof type === 'function') {
      if (GATEWAY_CHECKING_GUARDS.has(type)) return true;
      type = Object.getPrototypeOf(type);
    }
    return false;
  });
}

/** Handlers already named in the error log: one line per handler, not one per request. */
const reported = new WeakSet<object>();
const logger = new Logger('ReauthModule');

/**
 * The second lock on a route marked `@RequireRecentAuth()` or `@RequireSignIn()`: a guard the
 * decorator attaches itself, so it runs wherever the route is mounted, with or without the
 * module. Global guards run before a route's own, so with `ReauthModule` in the app
 * `RecentAuthGuard` has decided by then; when it did not run (the module was forgotten, or a
 * subclass skipped the checks) the route answers 500 and the log says how to fix the app. A
 * security decorator that is only metadata would leave the route open to anyone.
 */
class RouteCheckGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const request = requestOf(context);
    if (request !== undefined && wasChecked(request, handler)) return true;
    const controller = context.getClass();
    // Decorators apply bottom-up: `@UseGuards(RecentAuthGatewayGuard)` written above
    // `@RequireRecentAuth()` puts this check first. That guard runs next and decides (or refuses).
    if (
      context.getType<string>() === 'ws' &&
      (hasGatewayGuard(Reflect.getMetadata(GUARDS_METADATA, handler)) ||
        hasGatewayGuard(Reflect.getMetadata(GUARDS_METADATA, controller)))
    ) {
      return true;
    }
    if (!reported.has(handler) && context.getType<string>() === 'ws') {
      reported.add(handler);
      // Nest 11 applies no global guard (APP_GUARD) to WebSocket gateways.
      logger.error(
        `${controller.name}.${handler.name} requires a (recent) sign-in, but nest-workos-reauth's check did not run for it, so it refuses every message. Nest applies no global guard to WebSocket gateways: add @UseGuards(RecentAuthGatewayGuard) to the gateway class (from nest-workos-reauth, with ReauthModule imported).`,
      );
    }
    if (!reported.has(handler)) {
      reported.add(handler);
      logger.error(
        `${controller.name}.${handler.name} requires a (recent) sign-in, but nest-workos-reauth's check did not run for it, so it refuses every request with a 500. Import ReauthModule.forRoot(...) (or forRootAsync) in the application's root module: it registers RecentAuthGuard as a global guard. A subclass of RecentAuthGuard must let canActivate run its checks.`,
      );
    }
    throw new InternalServerErrorException();
  }
}

function requestOf(context: ExecutionContext): object | undefined {
  const type = context.getType<string>();
  // A WebSocket message's arguments are one array, shared by every guard of that message.
  if (type === 'ws') return context.getArgs<unknown[]>();
  if (type !== 'http' && type !== 'graphql') return undefined;
  const request: unknown = reauthRequestOf(context);
  return typeof request === 'object' && request !== null ? request : undefined;
}

/** The one instance every decorated route shares: it holds no state of its own. */
export const ROUTE_CHECK: CanActivate = new RouteCheckGuard();
