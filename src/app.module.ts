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
import { HomeController } from './home.controller';
import { SecurityHeadersMiddleware } from './security-headers.middleware';
import { SpaController } from './spa.controller';

/**
 * The demo: a home page, an account area with sensitive actions, passkeys and the user's sign-in
 * activity, and a small JSON API.
 */
@Module({})
export class AppModule implements NestModule {
  static forRoot(reauth: ReauthModuleOptions): DynamicModule {
    return {
      module: AppModule,
      // The library emits its audit events through EventEmitter2 once the app has one.
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ReauthModule.forRoot(reauth)],
      controllers: [
        HomeController,
        AccountController,
        ApiController,
        SpaController,
        AssetsController,
      ],
      providers: [AccountsService, ActivityLog],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware).forRoutes('{*splat}');
  }
}
