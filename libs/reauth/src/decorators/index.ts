export { AuthClaims } from './auth-claims.decorator';
export { CurrentAuthentication } from './current-authentication.decorator';
export {
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
  type RecentAuthRequirement,
  type RequireRecentAuthOptions,
  type RequireSignInOptions,
} from './require-recent-auth.decorator';
