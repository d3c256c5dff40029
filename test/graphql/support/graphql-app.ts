import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  Module,
} from '@nestjs/common';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  Args,
  Field,
  GraphQLModule,
  Int,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { type AuthKitEmulator } from 'authkit-emulator';
import {
  AuthClaims,
  CurrentAuthentication,
  ReauthModule,
  ReauthRequiredException,
  ReauthUnavailableException,
  RequireRecentAuth,
  RequireSignIn,
  type AccessTokenClaims,
  type Authentication,
  type ReauthModuleOptions,
  type ReauthStore,
} from 'nest-workos-reauth';
import { emulatorModuleOptions, startEmulatorWithSdk } from '../../support/emulator';
import { freePort } from '../../support/ports';
import { COOKIE_PASSWORD } from '../../support/reauth-app';

@ObjectType()
export class Account {
  @Field()
  id!: string;

  @Field(() => Int)
  signedInAt!: number;
}

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  @Query(() => Account, { nullable: true })
  @RequireSignIn()
  account(@AuthClaims() claims: AccessTokenClaims): Account {
    return { id: claims.sub, signedInAt: claims.auth_time! };
  }

  /** A field resolver: guarded only with `fieldResolverEnhancers: ['guards']`. */
  @ResolveField(() => [String], { nullable: true })
  @RequireRecentAuth(300)
  recoveryCodes(@Parent() account: Account): string[] {
    return [`${account.id}-code-1`, `${account.id}-code-2`];
  }

  @Query(() => String, { nullable: true })
  @RequireRecentAuth(300)
  balance(@CurrentAuthentication() authentication: Authentication): string {
    return `balance of ${authentication.claims.sub}`;
  }

  @Query(() => String, { nullable: true })
  @RequireRecentAuth(300, { acr: ['urn:example:loa:2'] })
  payoutLimits(): string {
    return 'limits';
  }

  @Mutation(() => String, { nullable: true })
  @RequireRecentAuth(300)
  changeEmail(@Args('email') email: string, @AuthClaims('sub') sub: string): string {
    return `${sub} is now ${email}`;
  }

  /** A one-time action: a confirmation counts for this amount and payee, once. */
  @Mutation(() => String, { nullable: true })
  @RequireRecentAuth(0, {
    bind: {
      fields: ['amount', 'to'],
      summary: ({ amount, to }) => `Transfer ${amount} EUR to ${to}`,
    },
  })
  transfer(@Args('amount', { type: () => Int }) amount: number, @Args('to') to: string): string {
    return `sent ${amount} to ${to}`;
  }

  /** An app's own refusals, thrown in a resolver: the exception filter answers them. */
  @Query(() => String, { nullable: true })
  refuseItself(@Args('kind') kind: string): string {
    if (kind === 'unavailable') throw new ReauthUnavailableException('store');
    throw new ReauthRequiredException({ reason: 'stale', maxAge: 600 });
  }

  @Subscription(() => String, { nullable: true })
  @RequireRecentAuth(300)
  alerts(): AsyncIterableIterator<{ alerts: string }> {
    return (async function* () {
      yield await Promise.resolve({ alerts: 'one' });
    })();
  }
}

/**
 * The GraphQL servers the library supports: Apollo on Express (`@as-integrations/express5`
 * through `@nestjs/apollo`), Apollo on Fastify (`@as-integrations/fastify`), and Mercurius (Fastify
 * only), each with `GraphQLModule`'s defaults but for batching, which is turned on.
 */
export type GraphQLDriverName = 'apollo-express' | 'apollo-fastify' | 'mercurius';

export const GRAPHQL_DRIVERS: readonly GraphQLDriverName[] = [
  'apollo-express',
  'apollo-fastify',
  'mercurius',
];

function graphqlModule(
  driver: GraphQLDriverName,
  fieldResolverEnhancers: Array<'guards' | 'filters' | 'interceptors'>,
  mercurius: Partial<MercuriusDriverConfig> = {},
): DynamicModule {
  if (driver === 'mercurius') {
    return GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      autoSchemaFile: true,
      fieldResolverEnhancers,
      allowBatchedQueries: true,
      graphiql: false,
      // Mercurius loads its query cache (quick-lru, an ES module) with import(), which Jest cannot
      // run on Node 20.
      cache: false,
      ...mercurius,
      subscription: true,
    });
  }
  return GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    autoSchemaFile: true,
    fieldResolverEnhancers,
    allowBatchedHttpRequests: true,
    playground: false,
    subscriptions: { 'graphql-ws': true },
  });
}

export interface GraphQLScenario {
  driver: GraphQLDriverName;
  app: INestApplication;
  url: string;
  graphqlUrl: string;
  emulator: AuthKitEmulator;
  redirectUri: string;
  close(): Promise<void>;
}

/**
 * A real Nest app serving a code-first GraphQL schema (Apollo on Express by default, or
 * `setup.driver`) with the library against a fresh emulator, both reading the emulator's clock.
 */
export async function startGraphQLApp(
  setup: {
    /** The GraphQL server and HTTP platform; default `apollo-express`. */
    driver?: GraphQLDriverName;
    store?: ReauthStore;
    logger?: LoggerService;
    /** More options of Mercurius, for the `mercurius` driver. */
    mercurius?: Partial<MercuriusDriverConfig>;
    /** GraphQLModule's `fieldResolverEnhancers`; default `['guards']`. */
    fieldResolverEnhancers?: Array<'guards' | 'filters' | 'interceptors'>;
    /** More options of the library. */
    reauth?: Partial<ReauthModuleOptions>;
  } = {},
): Promise<GraphQLScenario> {
  const driver = setup.driver ?? 'apollo-express';
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/auth/callback`;
  const { emulator } = await startEmulatorWithSdk({ redirectUris: [redirectUri] });

  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorModuleOptions(emulator),
        redirectUri,
        cookiePassword: COOKIE_PASSWORD,
        ...(setup.store ? { store: setup.store } : {}),
        ...setup.reauth,
      }),
      graphqlModule(driver, setup.fieldResolverEnhancers ?? ['guards'], setup.mercurius),
    ],
    providers: [AccountResolver],
  })
  class GraphQLAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [GraphQLAppModule] }).compile();
  const logger = setup.logger ?? false;
  const app =
    driver === 'apollo-express'
      ? moduleRef.createNestApplication({ logger })
      : moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger });
  try {
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    await emulator.close();
    throw error;
  }
  const url = `http://localhost:${port}`;
  return {
    driver,
    app,
    url,
    graphqlUrl: `${url}/graphql`,
    emulator,
    redirectUri,
    close: async () => {
      await app.close();
      await emulator.close();
    },
  };
}
