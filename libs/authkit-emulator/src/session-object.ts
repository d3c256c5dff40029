import { type UserSession } from './store';
import { type EmulatorUser } from './users';

/**
 * How long the emulator says its sessions last (`expires_at`). Its sessions never expire; WorkOS
 * ends an AuthKit session after a configurable maximum, which this stands for.
 */
const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** The WorkOS session object (snake_case), as `session.*` events carry it, of an ended session. */
export function toWorkOSSession(
  session: UserSession,
  user: EmulatorUser | undefined,
  endedAtMs: number,
): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    object: 'session',
    id: session.id,
    user_id: session.userId,
    organization_id: user?.organizationId,
    status: 'revoked',
    auth_method: session.method === 'SSO' ? 'sso' : 'password',
    ip_address: null,
    user_agent: null,
    expires_at: iso(session.createdAtMs + SESSION_LIFETIME_MS),
    ended_at: iso(endedAtMs),
    created_at: iso(session.createdAtMs),
    updated_at: iso(endedAtMs),
  };
}
