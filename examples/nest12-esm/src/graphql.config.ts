import type { ApolloDriverConfig } from '@nestjs/apollo';

/**
 * `GraphQLModule`'s options, shared by the app and its tests: a code-first schema kept in memory,
 * and guards on field resolvers, which `@RequireRecentAuth` on a `@ResolveField()` needs.
 */
export function graphqlOptions(): Omit<ApolloDriverConfig, 'driver'> {
  return {
    autoSchemaFile: true,
    fieldResolverEnhancers: ['guards'],
  };
}
