import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ReauthModule } from 'nest-workos-reauth';
import { AppController } from './app.controller';
import { reauthOptionsFromEnv } from './reauth.config';
import { ReauthRequiredLog } from './reauth-required.log';

@Module({
  imports: [
    // With EventEmitterModule imported, the library emits its events here, by name.
    EventEmitterModule.forRoot(),
    ReauthModule.forRootAsync({ useFactory: () => reauthOptionsFromEnv() }),
  ],
  controllers: [AppController],
  providers: [ReauthRequiredLog],
})
export class AppModule {}
