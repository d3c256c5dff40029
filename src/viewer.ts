import type { Authentication } from 'nest-workos-reauth';
import { type AccountsService } from './accounts.service';
import type { Viewer } from './views/pages';

/** What the pages show about the signed-in user. */
export function viewerOf(authentication: Authentication, accounts: AccountsService): Viewer {
  const { claims, user } = authentication;
  const name = [user?.firstName, user?.lastName].filter(Boolean).join(' ') || undefined;
  return {
    userId: claims.sub,
    email: accounts.emailOf(claims.sub, user?.email),
    name,
    authTime: Number.isSafeInteger(claims.auth_time) ? claims.auth_time : undefined,
  };
}
