import { decodeJwtPayload } from '../../crypto/jwt-payload';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import type { WorkOSClient } from '../../interfaces';
import type { PasswordConfirmation } from '../identity-provider';

/** RFC 8176 methods: a password; a password and then a TOTP code. */
const PASSWORD_AMR: readonly string[] = Object.freeze(['pwd']);
const PASSWORD_AND_TOTP_AMR: readonly string[] = Object.freeze(['pwd', 'otp', 'mfa']);

/** An id that is safe in a URL path: SDKs before 11 put ids in paths without encoding them. */
const PATH_ID = /^[A-Za-z0-9_-]{1,128}$/;
const OPAQUE = /^[\x21-\x7e]{1,2048}$/;
const ERROR_CODE = /^[\w.-]{1,64}$/;
const TOTP_CODE = /^\d{6}$/;
const PENDING_PREFIX = 'workos-totp.v1.';

/** 4xx answers that are not about the user: a bad API key or client, a timeout, a rate limit. */
const NOT_THE_USERS_DOING = new Set([401, 404, 408, 429]);
const MISCONFIGURED = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type']);

/** Why WorkOS did not confirm, for what the dialog can offer instead. */
const STEP_UP_DETAILS: Readonly<Record<string, string>> = {
  mfa_enrollment: 'the user must enrol in MFA first',
  sso_required: "the user's organization requires SSO",
  email_verification_required: "the user's email is not verified",
  organization_selection_required: 'the user must choose an organization',
  radar_email_challenge: 'WorkOS Radar asks for an email challenge',
  radar_sms_challenge: 'WorkOS Radar asks for an SMS challenge',
};

interface AuthenticationResult {
  accessToken?: unknown;
  user?: { id?: unknown } | null;
}

/** The SDK calls a confirmation makes. Looked up at run time: an SDK may lack some. */
interface PasswordSdk {
  authenticateWithPassword(options: {
    clientId: string;
    email: string;
    password: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<AuthenticationResult>;
  authenticateWithTotp(options: {
    clientId: string;
    code: string;
    pendingAuthenticationToken: string;
    authenticationChallengeId: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<AuthenticationResult>;
  getUser(userId: string): Promise<{ email?: unknown }>;
}

interface FactorSdk {
  challengeFactor(options: { authenticationFactorId: string }): Promise<{ id?: unknown }>;
}

/** What `code_required` keeps for the second step: WorkOS's pending token, factor and user. */
interface PendingTotp {
  token: string;
  factorId: string;
  userId: string;
}

/**
 * `pending`: WorkOS's pending authentication token, the TOTP factor and the user, as one string.
 * Not sealed: the library keeps it on the server, and it is worth nothing without the API key.
 */
export function encodePending(pending: PendingTotp): string {
  const json = JSON.stringify({ t: pending.token, f: pending.factorId, u: pending.userId });
  return PENDING_PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

/** The pending step `encodePending` wrote, or `undefined` for anything else. */
export function decodePending(pending: unknown): PendingTotp | undefined {
  if (typeof pending !== 'string' || !pending.startsWith(PENDING_PREFIX)) return undefined;
  if (pending.length > 4096) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(pending.slice(PENDING_PREFIX.length), 'base64url').toString());
  } catch {
    return undefined;
  }
  const { t, f, u } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof t !== 'string' || !OPAQUE.test(t)) return undefined;
  if (typeof f !== 'string' || !PATH_ID.test(f)) return undefined;
  if (typeof u !== 'string' || !PATH_ID.test(u)) return undefined;
  return { token: t, factorId: f, userId: u };
}

/** What a WorkOS error says, read by shape: the app's SDK may be another copy or version. */
interface WorkOSRefusal {
  status?: number;
  code?: string;
  data: Record<string, unknown>;
  /** WorkOS answered with a body; not an error the SDK raised on its own (a missing API key). */
  answered: boolean;
}

function refusalOf(error: unknown): WorkOSRefusal {
  const err = (error ?? {}) as {
    status?: unknown;
    rawData?: unknown;
    error?: unknown;
    code?: unknown;
  };
  const hasData = typeof err.rawData === 'object' && err.rawData !== null;
  const data = hasData ? (err.rawData as Record<string, unknown>) : {};
  const code = [data.code, data.error, err.error, err.code].find(
    (value): value is string => typeof value === 'string' && ERROR_CODE.test(value),
  );
  const answered = hasData || typeof err.error === 'string' || typeof err.code === 'string';
  return { status: typeof err.status === 'number' ? err.status : undefined, code, data, answered };
}

/** A 4xx that is WorkOS's answer about this user's credentials, not about the deployment. */
function isUsersRefusal(refusal: WorkOSRefusal): boolean {
  const { status, code } = refusal;
  return (
    refusal.answered &&
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    !NOT_THE_USERS_DOING.has(status) &&
    !(code !== undefined && MISCONFIGURED.has(code))
  );
}

function unavailable(cause: unknown): ReauthUnavailableException {
  return new ReauthUnavailableException('workos', { cause });
}

/**
 * Checks a user's own AuthKit password (and TOTP code) with the SDK's password authentication,
 * and revokes the session WorkOS creates for it before answering: the browser never gets it.
 */
export class WorkOSPasswordCheck {
  constructor(
    private readonly workos: WorkOSClient,
    private readonly clientId: string,
  ) {}

  async confirmPassword(input: {
    email: string;
    password: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation> {
    const sdk = this.userManagement();
    if (typeof sdk.authenticateWithPassword !== 'function') {
      return { status: 'unsupported', detail: 'this @workos-inc/node cannot check passwords' };
    }
    if (typeof input.email !== 'string' || typeof input.password !== 'string') {
      return { status: 'invalid_credentials' };
    }
    if (input.email.trim() === '' || input.password === '')
      return { status: 'invalid_credentials' };
    let result: AuthenticationResult;
    try {
      result = await sdk.authenticateWithPassword({
        clientId: this.clientId,
        email: input.email,
        password: input.password,
        ipAddress: input.ipAddress,
        userAgent: input.userAgent,
      });
    } catch (error) {
      return this.passwordRefused(error);
    }
    return this.confirmed(result, PASSWORD_AMR);
  }

  async confirmCode(input: {
    pending: string;
    code: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation> {
    const pending = decodePending(input.pending);
    if (!pending) return { status: 'expired' };
    const sdk = this.userManagement();
    const factors = this.factors();
    if (typeof sdk.authenticateWithTotp !== 'function' || !factors) {
      return { status: 'unsupported', detail: 'this @workos-inc/node cannot complete MFA' };
    }
    if (typeof input.code !== 'string' || !TOTP_CODE.test(input.code)) {
      return { status: 'invalid_code' };
    }
    let challengeId: unknown;
    try {
      ({ id: challengeId } = await factors.challengeFactor({
        authenticationFactorId: pending.factorId,
      }));
    } catch (error) {
      const refusal = refusalOf(error);
      // The factor is gone (deleted since the password step): start again.
      if (refusal.status === 404) return { status: 'expired' };
      if (isUsersRefusal(refusal)) return unsupported(refusal.code);
      throw unavailable(error);
    }
    if (typeof challengeId !== 'string' || challengeId === '') {
      throw unavailable(new Error('WorkOS returned a challenge without an id'));
    }
    let result: AuthenticationResult;
    try {
      result = await sdk.authenticateWithTotp({
        clientId: this.clientId,
        code: input.code,
        pendingAuthenticationToken: pending.token,
        authenticationChallengeId: challengeId,
        ipAddress: input.ipAddress,
        userAgent: input.userAgent,
      });
    } catch (error) {
      const refusal = refusalOf(error);
      if (!isUsersRefusal(refusal)) throw unavailable(error);
      if (refusal.code === 'invalid_one_time_code') return { status: 'invalid_code' };
      // A pending token that expired or was spent, or a challenge WorkOS no longer knows.
      if (refusal.code === 'invalid_pending_authentication_token') return { status: 'expired' };
      if (refusal.code === 'invalid_request') return { status: 'expired' };
      return unsupported(refusal.code);
    }
    return this.confirmed(result, PASSWORD_AND_TOTP_AMR, pending.userId);
  }

  async emailOf(userId: string): Promise<string | undefined> {
    const sdk = this.userManagement();
    if (typeof sdk.getUser !== 'function') return undefined;
    if (typeof userId !== 'string' || !PATH_ID.test(userId)) return undefined;
    try {
      const { email } = await sdk.getUser(userId);
      return typeof email === 'string' && email !== '' ? email : undefined;
    } catch (error) {
      if (refusalOf(error).status === 404) return undefined;
      throw unavailable(error);
    }
  }

  private userManagement(): Partial<PasswordSdk> {
    return this.workos.userManagement as Partial<PasswordSdk>;
  }

  /** SDK 11 calls it `multiFactorAuth`, SDK 8 `mfa`. */
  private factors(): FactorSdk | undefined {
    const client = this.workos as {
      multiFactorAuth?: Partial<FactorSdk>;
      mfa?: Partial<FactorSdk>;
    };
    const factors = client.multiFactorAuth ?? client.mfa;
    return typeof factors?.challengeFactor === 'function' ? (factors as FactorSdk) : undefined;
  }

  private passwordRefused(error: unknown): PasswordConfirmation {
    const refusal = refusalOf(error);
    if (!isUsersRefusal(refusal)) throw unavailable(error);
    if (refusal.code === 'invalid_credentials') return { status: 'invalid_credentials' };
    if (refusal.code !== 'mfa_challenge') return unsupported(refusal.code);

    const { pending_authentication_token: token, authentication_factors, user } = refusal.data;
    const userId = (user as { id?: unknown } | null | undefined)?.id;
    if (typeof token !== 'string' || !OPAQUE.test(token)) {
      throw unavailable(new Error('WorkOS asked for MFA without a pending authentication token'));
    }
    if (typeof userId !== 'string' || !PATH_ID.test(userId)) {
      throw unavailable(new Error('WorkOS asked for MFA without naming the user'));
    }
    const factors = Array.isArray(authentication_factors) ? authentication_factors : [];
    const totp = factors.find(
      (factor): factor is { id: string } =>
        (factor as { type?: unknown })?.type === 'totp' &&
        typeof (factor as { id?: unknown }).id === 'string' &&
        PATH_ID.test((factor as { id: string }).id),
    );
    if (!totp) return { status: 'unsupported', detail: "the user's second factor is not TOTP" };
    if (typeof this.userManagement().authenticateWithTotp !== 'function' || !this.factors()) {
      return { status: 'unsupported', detail: 'this @workos-inc/node cannot complete MFA' };
    }
    return {
      status: 'code_required',
      userId,
      pending: encodePending({ token, factorId: totp.id, userId }),
    };
  }

  /**
   * Revokes the session WorkOS just created, then answers with the user WorkOS authenticated.
   * Fails closed: a session that cannot be revoked, or an answer that names two users, confirms
   * nothing.
   */
  private async confirmed(
    result: AuthenticationResult,
    amr: readonly string[],
    expectedUserId?: string,
  ): Promise<PasswordConfirmation> {
    let claims: { sid?: unknown; sub?: unknown } = {};
    try {
      claims = decodeJwtPayload(result.accessToken as string);
    } catch (error) {
      throw unavailable(error);
    }
    const { sid, sub } = claims;
    if (typeof sid !== 'string' || sid === '') {
      throw unavailable(new Error('the access token names no session to revoke'));
    }
    try {
      await this.workos.userManagement.revokeSession({ sessionId: sid });
    } catch (error) {
      throw unavailable(error);
    }
    const userId = result.user?.id;
    if (
      typeof userId !== 'string' ||
      userId === '' ||
      sub !== userId ||
      (expectedUserId !== undefined && userId !== expectedUserId)
    ) {
      throw unavailable(new Error('WorkOS answered for another user than it authenticated'));
    }
    return { status: 'confirmed', userId, amr };
  }
}

function unsupported(code: string | undefined): PasswordConfirmation {
  if (code === undefined) return { status: 'unsupported', detail: 'WorkOS refused the check' };
  return {
    status: 'unsupported',
    detail: STEP_UP_DETAILS[code] ?? `WorkOS refused the password check (${code})`,
  };
}
