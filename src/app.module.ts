import { ReauthModule, type ReauthModuleOptions } from 'nest-workos-reauth';
import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { AccountController } from './account.controller';
import { AccountsService } from './accounts.service';
import { ApiController } from './api.controller';
import { HomeController } from './home.controller';
import { SecurityHeadersMiddleware } from './security-headers.middleware';
import { SpaController } from './spa.controller';

/** The demo: a home page, an account area with sensitive actions, and a small JSON API. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(reauth: ReauthModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [ReauthModule.forRoot(reauth)],
      controllers: [HomeController, AccountController, ApiController, SpaController],
      providers: [AccountsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware).forRoutes('{*splat}');
  }
}
