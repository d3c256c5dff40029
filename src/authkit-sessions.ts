import type { WorkOS } from '@workos-inc/node';

/**
 * Sessions that end at WorkOS, as the demo shows them: whether WorkOS's webhooks reach the app
 * (then such an end signs the browser out at its next request), and, with the embedded emulator
 * only, ending one as an admin would in the WorkOS dashboard.
 */
export class AuthKitSessions {
  constructor(
    /** Whether a webhook secret is configured, so that `POST /auth/workos/events` takes events. */
    readonly webhooks: boolean,
    private readonly admin?: Pick<WorkOS['userManagement'], 'revokeSession'>,
  ) {}

  /** Whether the demo can end a session at AuthKit itself: with its embedded emulator only. */
  get canEnd(): boolean {
    return this.admin !== undefined;
  }

  /** Ends the session at AuthKit, which then sends the app `session.revoked`. */
  async end(sessionId: string): Promise<void> {
    if (!this.admin) throw new Error('Only the embedded emulator’s sessions are ended by the demo');
    await this.admin.revokeSession({ sessionId });
  }
}
