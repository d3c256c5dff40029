import { Field, Int, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AuthClaims, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';

@ObjectType()
export class Account {
  @Field()
  userId!: string;

  @Field(() => Int)
  signedInAt!: number;
}

/**
 * The JSON API's account routes as GraphQL fields (Apollo on Express, `@nestjs/graphql` 14): a
 * refused field gets a GraphQL error with `extensions.code` `REAUTH_REQUIRED` and a `reauthUrl`,
 * and the response carries the RFC 9470 challenge; the other fields of the operation resolve.
 */
@Resolver(() => Account)
export class AccountResolver {
  @Query(() => String)
  app(): string {
    return 'nest12-esm';
  }

  /** Any signed-in user. */
  @Query(() => Account, { nullable: true })
  @RequireSignIn()
  account(@AuthClaims('sub') userId: string, @AuthClaims('auth_time') signedInAt: number): Account {
    return { userId, signedInAt };
  }

  /**
   * Only within 5 minutes of an active sign-in. A field resolver is guarded only with
   * `fieldResolverEnhancers: ['guards']` (the library refuses to start otherwise).
   */
  @ResolveField(() => [String], { nullable: true })
  @RequireRecentAuth(300)
  recoveryCodes(@Parent() account: Account): string[] {
    return [`${account.userId}-1`, `${account.userId}-2`];
  }
}
