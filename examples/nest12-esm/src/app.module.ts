import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { GraphQLModule } from '@nestjs/graphql';
import { ReauthModule } from 'nest-workos-reauth';
import { AccountResolver } from './account.resolver.js';
import { AppController } from './app.controller.js';
import { graphqlOptions } from './graphql.config.js';
import { reauthOptionsFromEnv } from './reauth.config.js';
import { ReauthRequiredLog } from './reauth-required.log.js';

@Module({
  imports: [
    // With EventEmitterModule imported, the library emits its events here, by name.
    EventEmitterModule.forRoot(),
    ReauthModule.forRootAsync({ useFactory: () => reauthOptionsFromEnv() }),
    GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...graphqlOptions() }),
  ],
  controllers: [AppController],
  providers: [AccountResolver, ReauthRequiredLog],
})
export class AppModule {}
