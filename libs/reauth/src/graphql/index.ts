export {
  graphqlTarget,
  isGraphQLHost,
  reauthRequestOf,
  type GraphQLTarget,
} from './graphql-context';
export { startInTurn, writeHeader } from './graphql-exchange';
export {
  ReauthGraphQLError,
  type ReauthGraphQLCode,
  type ReauthGraphQLExtensions,
} from './reauth-graphql.error';
