export { AuthClaims } from './auth-claims.decorator';
export {
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
  type RecentAuthRequirement,
  type RequireRecentAuthOptions,
} from './require-recent-auth.decorator';
