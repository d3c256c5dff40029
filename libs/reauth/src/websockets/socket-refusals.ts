import { Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { requireOptionalPeer } from '../core/optional-peer';
import { PROTOCOL, RECONNECT_REQUIRED_ERROR } from '../core/protocol';
import { StepUpOffers } from '../factors/step-up-offers';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { ReauthRefusal } from '../exceptions/reauth-refusal';
import { RefusalReports } from '../flow/refusal-reports';
import { RouteSettings, StateSealSettings } from '../options/reauth-settings';
import { SOCKET_REAUTH_PATH } from './socket-reauth.controller';
import { sealSocketTicket } from './socket-ticket';

/** Seconds a client is asked to wait before trying again, as every 503 of the library says. */
const RETRY_AFTER_SECONDS = 5;
/** `ws`'s `readyState` of an open connection. */
const OPEN = 1;

/**
 * Thrown by the guard for a guarded message whose connection's session cookie holds an expired
 * access token: a socket cannot send a refreshed cookie, so the client renews it over HTTP and
 * reconnects. Answered as `reconnect_required`.
 */
export class SocketReconnectRequired extends Error {
  override readonly name = 'SocketReconnectRequired';
}

/**
 * What a WebSocket refusal sends: the fields of the HTTP refusal's JSON body (`statusCode`,
 * `error`, `message`, and for `reauth_required` `reason`, `maxAge`, `acrValues`, `reauthUrl`...),
 * and `event`, the name of the refused message.
 */
export type SocketRefusalPayload = Record<string, unknown> & {
  statusCode: number;
  error: string;
  message: string;
  event: string;
};

/** The JSON body of an HTTP refusal, as the exceptions' `getResponse()` gives it. */
type RefusalBody = Record<string, unknown> & { statusCode: number; error: string; message: string };

/**
 * Answers a refused WebSocket message, since Nest applies no global filter to gateways: the same
 * fields as the HTTP answer (`reauth_required` with `reason`, `maxAge`, `acrValues`,
 * `reauthUrl` and the in-page `stepUp` offer; `reauth_forbidden`; `reauth_unavailable` with
 * `retryAfter`; or `reconnect_required` with `refreshUrl`), plus `event`: the refused message's
 * event name. It goes to the socket.io acknowledgement when the client asked for one, else as
 * the `reauth_error` event (`{ event, data }` on `ws`). The guard then throws the `WsException`
 * this returns, so an app listening to Nest's `exception` event sees the same payload there.
 */
@Injectable()
export class SocketRefusals {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly reports: RefusalReports,
    private readonly offers: StepUpOffers,
    private readonly routes: RouteSettings,
    private readonly sealing: StateSealSettings,
    private readonly clock: ReauthClock,
  ) {}

  /**
   * Sends the refusal to the client and returns the exception for Nest; never throws. `cookie`:
   * the connection was authenticated by the session cookie (its ticket then names the session).
   */
  async refuse(
    error: ReauthRefusal | SocketReconnectRequired,
    context: ExecutionContext,
    route: string,
    cookie = false,
  ): Promise<Error> {
    const event = eventOf(context);
    let payload: SocketRefusalPayload;
    try {
      payload = await this.payloadOf(error, event, route, cookie);
    } catch (failure) {
      payload = this.unavailable(this.reports.asUnavailable(failure), event);
    }
    send(context, payload);
    const { WsException } = requireOptionalPeer<typeof import('@nestjs/websockets')>(
      '@nestjs/websockets',
      'A guarded WebSocket gateway',
      'npm install @nestjs/websockets',
    );
    return new WsException(payload);
  }

  private async payloadOf(
    error: ReauthRefusal | SocketReconnectRequired,
    event: string,
    route: string,
    cookie: boolean,
  ): Promise<SocketRefusalPayload> {
    if (error instanceof SocketReconnectRequired) {
      const refreshUrl = this.path('stepUp');
      return {
        statusCode: 401,
        error: RECONNECT_REQUIRED_ERROR,
        reason: 'session_expired',
        message:
          'The session must be renewed over HTTP: request refreshUrl, then reconnect and send again.',
        ...(refreshUrl === undefined ? {} : { refreshUrl }),
        event,
      };
    }
    if (error instanceof ReauthUnavailableException) return this.unavailable(error, event);
    if (error instanceof ReauthForbiddenException) {
      this.reports.forbidden(`the WebSocket message ${route}`, error.reason);
      return { ...(error.getResponse() as RefusalBody), event };
    }
    return this.reauthRequired(error, event, cookie);
  }

  private async reauthRequired(
    exception: ReauthRequiredException,
    event: string,
    cookie: boolean,
  ): Promise<SocketRefusalPayload> {
    this.reports.required(exception);
    const { details } = exception;
    const login = this.path('login');
    const reauthUrl =
      login === undefined
        ? undefined
        : `${login}/${SOCKET_REAUTH_PATH}?ticket=${sealSocketTicket(
            details,
            this.sealing.cookiePassword,
            this.clock.nowSeconds(),
            cookie,
          )}`;
    if (reauthUrl === undefined) {
      this.logger.warn(
        `A WebSocket refusal of ${details.route ?? 'a handler'} has no reauthUrl: the login route is not mounted (routes.login)`,
      );
    }
    const stepUp =
      reauthUrl === undefined ? undefined : await this.offers.offer(details, reauthUrl);
    return {
      ...(exception.getResponse() as RefusalBody),
      ...(reauthUrl === undefined ? {} : { reauthUrl }),
      ...(stepUp ? { stepUp } : {}),
      event,
    };
  }

  private unavailable(exception: ReauthUnavailableException, event: string): SocketRefusalPayload {
    this.reports.unavailable(exception);
    return {
      ...(exception.getResponse() as RefusalBody),
      retryAfter: RETRY_AFTER_SECONDS,
      event,
    };
  }

  /** A library route's path, with the app's global prefix; `undefined` when not mounted. */
  private path(name: 'login' | 'stepUp'): string | undefined {
    const { prefix } = this.routes.routes;
    const path = this.routes.routes[name];
    return path === false ? undefined : `${prefix}${path}`;
  }
}

/** The refused message's event name: the handler's `@SubscribeMessage` pattern. */
function eventOf(context: ExecutionContext): string {
  const pattern: unknown = context.switchToWs().getPattern();
  return typeof pattern === 'string' ? pattern : String(pattern);
}

/** Sends the refusal: the socket.io acknowledgement, or the error event. Never throws. */
function send(context: ExecutionContext, payload: SocketRefusalPayload): void {
  const [client, , third] = context.getArgs<unknown[]>();
  try {
    // socket.io passes the client's acknowledgement after the data; `ws` passes the event name.
    if (typeof third === 'function') {
      (third as (answer: unknown) => void)(payload);
      return;
    }
    const socket = client as {
      send?: (data: string) => void;
      emit?: (event: string, data: unknown) => void;
      readyState?: number;
      nsp?: unknown;
    };
    if (socket.nsp !== undefined && typeof socket.emit === 'function') {
      socket.emit(PROTOCOL.socketErrorEvent, payload);
    } else if (typeof socket.send === 'function' && socket.readyState === OPEN) {
      socket.send(JSON.stringify({ event: PROTOCOL.socketErrorEvent, data: payload }));
    }
  } catch {
    // A connection that closed meanwhile gets nothing; the handler still does not run.
  }
}
