import { ReauthModule, type ReauthModuleOptions } from 'nest-workos-reauth';
import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountController } from './account.controller';
import { AccountsService } from './accounts.service';
import { ActivityLog } from './activity.service';
import { ApiController } from './api.controller';
import { AssetsController } from './assets.controller';
import { AuthKitSessions } from './authkit-sessions';
import { AuthKitSessionsController } from './authkit-sessions.controller';
import { HomeController } from './home.controller';
import { SecurityHeadersMiddleware } from './security-headers.middleware';
import { SpaController } from './spa.controller';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';

/**
 * The demo: a home page, an account area with sensitive actions, passkeys, the user's sign-in
 * activity and sessions ended at WorkOS, and a small JSON API.
 */
@Module({})
export class AppModule implements NestModule {
  /**
   * `sessions` says whether WorkOS's webhooks reach the app and, with the embedded emulator, ends
   * a session at AuthKit: only then is `POST /account/end-at-authkit` served.
   */
  static forRoot(
    reauth: ReauthModuleOptions,
    sessions = new AuthKitSessions(false),
  ): DynamicModule {
    return {
      module: AppModule,
      // The library emits its audit events through EventEmitter2 once the app has one.
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ReauthModule.forRoot(reauth)],
      controllers: [
        HomeController,
        AccountController,
        ApiController,
        SpaController,
        ChatController,
        AssetsController,
        ...(sessions.canEnd ? [AuthKitSessionsController] : []),
      ],
      providers: [
        AccountsService,
        ActivityLog,
        ChatGateway,
        { provide: AuthKitSessions, useValue: sessions },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware).forRoutes('{*splat}');
  }
}
