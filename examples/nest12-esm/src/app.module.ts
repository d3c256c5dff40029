import { Module } from '@nestjs/common';
import { ReauthModule } from 'nest-workos-reauth';
import { AppController } from './app.controller.js';
import { reauthOptionsFromEnv } from './reauth.config.js';

@Module({
  imports: [ReauthModule.forRootAsync({ useFactory: () => reauthOptionsFromEnv() })],
  controllers: [AppController],
})
export class AppModule {}
