import { Module } from '@nestjs/common';
import { ReauthModule } from 'nest-workos-reauth';
import { AppController } from './app.controller';
import { reauthOptionsFromEnv } from './reauth.config';

@Module({
  imports: [ReauthModule.forRootAsync({ useFactory: () => reauthOptionsFromEnv() })],
  controllers: [AppController],
})
export class AppModule {}
