import { Module, UseGuards, type Type } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import {
  ReauthModule,
  RecentAuthGatewayGuard,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';
import { emulatorOptions, MAX_AGE, type AppConfig } from '../config';

/**
 * The messages `bench:websockets` sends over socket.io: `open` only passes the gateway guard (the
 * baseline), `signed-in` verifies the handshake's token, `recent` checks its sign-in too.
 */
@UseGuards(RecentAuthGatewayGuard)
@WebSocketGateway()
class BenchGateway {
  @SubscribeMessage('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @RequireSignIn()
  @SubscribeMessage('signed-in')
  signedIn(): { ok: true } {
    return { ok: true };
  }

  @RequireRecentAuth(MAX_AGE)
  @SubscribeMessage('recent')
  recent(): { ok: true } {
    return { ok: true };
  }
}

/** (ws) A socket.io gateway guarded by the library, as an app wires one. */
export function websocketsApp(config: AppConfig): Type {
  @Module({
    imports: [ReauthModule.forRoot({ ...emulatorOptions(config) })],
    providers: [BenchGateway],
  })
  class WebSocketsAppModule {}
  return WebSocketsAppModule;
}
