import { Injectable } from '@nestjs/common';
import { STORE_KEYS } from '../core/constants';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { ReauthRequest } from '../interfaces';
import {
  IdentityProvider,
  isPasswordConfirmer,
  type PasswordConfirmation as ProviderAnswer,
  type PasswordConfirmer,
} from '../providers/identity-provider';
import { ReauthStore } from '../stores/reauth.store';
import { ProofRecorder, type StepUpConfirmed } from './proof-recorder';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';
import { bodyObject, optionalString } from './step-up-input';
import { StepUpSettings } from '../options/step-up-settings';
import type { StepUpTicket } from './step-up-ticket';

/** The answer when the password was right and a one-time code must follow. */
export interface CodeRequired {
  /** The password was right; send `{ code }` next. */
  status: 'code_required';
  /** What the code is: a TOTP code from the user's authenticator app. */
  factor: 'totp';
}

/** How long the second step (the code) may follow the password. */
const PENDING_SECONDS = 300;
const MAX_PASSWORD = 1024;
const CODE = /^[0-9]{6,10}$/;

/**
 * Confirms the signed-in user with their password at the provider (AuthKit), then their TOTP
 * code when they have one. The provider's own session for the check never reaches the browser
 * (the provider revokes it); the second step's handle stays in the store, bound to the session.
 * A password of another account never confirms this one.
 */
@Injectable()
export class PasswordConfirmation {
  constructor(
    private readonly settings: StepUpSettings,
    private readonly provider: IdentityProvider,
    private readonly store: ReauthStore,
    private readonly recorder: ProofRecorder,
  ) {}

  async confirm(
    caller: StepUpCaller,
    body: unknown,
    request: ReauthRequest,
  ): Promise<StepUpConfirmed | CodeRequired> {
    const confirmer = this.enabled();
    if (caller.authentication.signInMethod !== 'Password') {
      // Only a session that began with a password is known to have one: an SSO user's
      // confirmation goes to the provider, and a guess counts nowhere.
      throw new StepUpRefusal(
        'method_unavailable',
        'This session did not begin with a password. Confirm another way.',
      );
    }
    const fields = bodyObject(body);
    const ticket = this.recorder.ticketOf(optionalString(fields, 'ticket', 2048), caller);
    const password = optionalString(fields, 'password', MAX_PASSWORD);
    const code = optionalString(fields, 'code', 10);
    if ((password === undefined) === (code === undefined)) {
      throw new StepUpRefusal('invalid_request', 'Send either password or code.');
    }
    const context = { ipAddress: clientIp(request), userAgent: userAgent(request) };
    if (password !== undefined) {
      const email = caller.authentication.user?.email ?? (await confirmer.emailOf(caller.sub));
      if (email === undefined) {
        throw new StepUpRefusal('method_unavailable', 'This account has no password to confirm.');
      }
      const answer = await confirmer.confirmPassword({ email, password, ...context });
      return this.settle(caller, answer, ticket);
    }
    if (!CODE.test(code!)) throw new StepUpRefusal('invalid_code', 'The code is not valid.');
    const pending = await this.takePending(caller);
    const answer = await confirmer.confirmCode({ pending, code: code!, ...context });
    if (answer.status === 'invalid_code') await this.keepPending(caller, pending);
    return this.settle(caller, answer, ticket);
  }

  private async settle(
    caller: StepUpCaller,
    answer: ProviderAnswer,
    ticket: StepUpTicket | undefined,
  ): Promise<StepUpConfirmed | CodeRequired> {
    switch (answer.status) {
      case 'confirmed':
        if (answer.userId !== caller.sub) break;
        return this.recorder.record(caller, 'password', answer.amr, ticket);
      case 'code_required':
        if (answer.userId !== caller.sub) break;
        await this.keepPending(caller, answer.pending);
        return { status: 'code_required', factor: 'totp' };
      case 'invalid_code':
        throw new StepUpRefusal('invalid_code', 'The code is not valid.');
      case 'expired':
        throw new StepUpRefusal('challenge_expired', 'Enter your password again.');
      case 'unsupported':
        throw new StepUpRefusal(
          'method_unavailable',
          'This account cannot confirm with a password here. Use another way.',
        );
      case 'invalid_credentials':
        break;
    }
    // The same answer for a wrong password and for another account's right one.
    throw new StepUpRefusal('invalid_credentials', 'The password is not correct.');
  }

  private async keepPending(caller: StepUpCaller, pending: string): Promise<void> {
    const value = JSON.stringify({ sub: caller.sub, pending });
    await this.run(() => this.store.set(pendingKey(caller), value, PENDING_SECONDS));
  }

  private async takePending(caller: StepUpCaller): Promise<string> {
    const value = await this.run(() => this.store.take(pendingKey(caller)));
    try {
      const record =
        value === undefined ? undefined : (JSON.parse(value) as Record<string, unknown>);
      if (record?.sub === caller.sub && typeof record.pending === 'string') return record.pending;
    } catch {
      // Not ours: no pending step.
    }
    throw new StepUpRefusal('challenge_expired', 'Enter your password again.');
  }

  private enabled(): PasswordConfirmer {
    if (!this.settings.password || !isPasswordConfirmer(this.provider)) {
      throw new StepUpRefusal('method_unavailable', 'Passwords cannot be confirmed here.');
    }
    return this.provider;
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }
}

function pendingKey(caller: StepUpCaller): string {
  return STORE_KEYS.passwordPending + caller.sessionKey;
}

function clientIp(request: ReauthRequest): string | undefined {
  return typeof request.ip === 'string' && request.ip !== '' ? request.ip : undefined;
}

function userAgent(request: ReauthRequest): string | undefined {
  const value = request.headers['user-agent'];
  return typeof value === 'string' ? value.slice(0, 512) : undefined;
}
