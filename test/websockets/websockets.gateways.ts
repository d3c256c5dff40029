import { UseGuards } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { RecentAuthGatewayGuard, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';

/** What every scenario gateway answers: a guarded action, a signed-in read, an open echo. */
@UseGuards(RecentAuthGatewayGuard)
abstract class ScenarioGateway {
  /** Ran only once the library's check passed; the test reads it to prove a refusal ran nothing. */
  readonly deleted: unknown[] = [];

  @RequireRecentAuth(60)
  @SubscribeMessage('delete-channel')
  deleteChannel(@MessageBody() body: unknown): { deleted: unknown } {
    this.deleted.push(body);
    return { deleted: body };
  }

  @RequireSignIn()
  @SubscribeMessage('whoami')
  whoami(): { ok: true } {
    return { ok: true };
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): { echo: unknown } {
    return { echo: body };
  }
}

/** The socket.io gateway, on the app's HTTP server. */
@WebSocketGateway({ maxHttpBufferSize: 16 * 1024 })
export class IoChatGateway extends ScenarioGateway {}

/** The `ws` gateway, on the app's HTTP server at `/ws`; frames over 16 KiB close the socket. */
@WebSocketGateway({ path: '/ws', maxPayload: 16 * 1024 })
export class WsChatGateway extends ScenarioGateway {}

/**
 * A gateway that forgot `RecentAuthGatewayGuard`: Nest applies no global guard to gateways, so
 * the module's start-up checks stop the app.
 */
@WebSocketGateway()
export class UnguardedGateway {
  readonly deleted: unknown[] = [];

  @RequireRecentAuth(60)
  @SubscribeMessage('delete-channel')
  deleteChannel(@MessageBody() body: unknown): { deleted: unknown } {
    this.deleted.push(body);
    return { deleted: body };
  }
}

/**
 * A gateway whose guarded handlers carry `RecentAuthGatewayGuard` themselves, written above the
 * library's decorator on one and below it on the other (decorators apply bottom-up, so the
 * guard runs after the decorator's own check on the first).
 */
@WebSocketGateway()
export class HandlerGuardedGateway {
  readonly deleted: unknown[] = [];

  @UseGuards(RecentAuthGatewayGuard)
  @RequireRecentAuth(60)
  @SubscribeMessage('delete-channel')
  deleteChannel(@MessageBody() body: unknown): { deleted: unknown } {
    this.deleted.push(body);
    return { deleted: body };
  }

  @RequireSignIn()
  @UseGuards(RecentAuthGatewayGuard)
  @SubscribeMessage('whoami')
  whoami(): { ok: true } {
    return { ok: true };
  }
}

/** The guard above the library's decorator on the gateway class. */
@UseGuards(RecentAuthGatewayGuard)
@RequireSignIn()
@WebSocketGateway()
export class ClassGuardAboveGateway {
  @SubscribeMessage('whoami')
  whoami(): { ok: true } {
    return { ok: true };
  }
}

/** The guard below the library's decorator on the gateway class. */
@RequireSignIn()
@UseGuards(RecentAuthGatewayGuard)
@WebSocketGateway()
export class ClassGuardBelowGateway {
  @SubscribeMessage('whoami')
  whoami(): { ok: true } {
    return { ok: true };
  }
}
