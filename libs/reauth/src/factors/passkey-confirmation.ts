import { Injectable, Logger } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { ReauthClock } from '../core/clock';
import { constantTimeEqual } from '../crypto/digest';
import { randomBytes } from '../crypto/random';
import { describeError } from '../core/describe-error';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { PasskeyCredential } from '../stores/passkey-credential.store';
import { ProofRecorder, type StepUpConfirmed } from './proof-recorder';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';
import { assertionResponse, bodyObject, clientChallenge, optionalString } from './step-up-input';
import type { ReauthPasskeyOptions } from '../interfaces/step-up-options.interface';
import { StepUpSettings } from '../options/step-up-settings';
import { WebAuthnChallenges } from './webauthn-challenges';

/** What a passkey with user verification shows (RFC 8176): a key, the user, two factors. */
export function passkeyAmr(deviceType: PasskeyCredential['deviceType']): string[] {
  // A synced (backup-eligible) passkey is a software-secured key; a device-bound one, hardware.
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', 'mfa'];
}

/**
 * Confirms the signed-in user with one of their passkeys: options with a challenge bound to the
 * session, then the assertion, verified with user verification required, for this RP ID and
 * these origins, with a signature counter that only moves forward and a backup eligibility that
 * never changes. Only the caller's own credentials count.
 */
@Injectable()
export class PasskeyConfirmation {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly settings: StepUpSettings,
    private readonly challenges: WebAuthnChallenges,
    private readonly recorder: ProofRecorder,
    private readonly clock: ReauthClock,
  ) {}

  /** The request options for `navigator.credentials.get()`, listing the user's passkeys. */
  async options(
    caller: StepUpCaller,
    body: unknown,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const passkeys = this.enabled();
    const ticket = this.recorder.ticketOf(
      optionalString(bodyObject(body ?? {}), 'ticket', 2048),
      caller,
    );
    const credentials = await credentialsCall(() => passkeys.credentials.listByUser(caller.sub));
    if (credentials.length === 0) {
      throw new StepUpRefusal('no_passkey', 'No passkey is enrolled for this account.');
    }
    const options = await generateAuthenticationOptions({
      rpID: passkeys.rpId,
      allowCredentials: credentials.map((credential) => ({
        id: credential.id,
        transports: credential.transports as AuthenticatorTransportFuture[],
      })),
      userVerification: 'required',
      timeout: passkeys.challengeSeconds * 1000,
      // For a bound action, the challenge commits to it: 16 random bytes, then its digest.
      ...(ticket?.d === undefined ? {} : { challenge: boundChallenge(ticket.d) }),
    });
    await this.challenges.issue(
      options.challenge,
      caller,
      'step-up',
      passkeys.challengeSeconds,
      ticket?.d,
    );
    return options;
  }

  /** Verifies an assertion and records the proof. */
  async confirm(caller: StepUpCaller, body: unknown): Promise<StepUpConfirmed> {
    const passkeys = this.enabled();
    const fields = bodyObject(body);
    const ticket = this.recorder.ticketOf(optionalString(fields, 'ticket', 2048), caller);
    const response = assertionResponse(fields.response);
    const challenge = clientChallenge(response);
    await this.challenges.take(challenge, caller, 'step-up', ticket?.d);
    if (ticket?.d !== undefined && !commitsTo(challenge, ticket.d)) {
      throw new StepUpRefusal('passkey_not_verified', 'The passkey could not be verified.');
    }
    const id = response.id as string;
    const credential = await credentialsCall(() => passkeys.credentials.findById(id));
    if (!credential || credential.userId !== caller.sub) {
      throw new StepUpRefusal(
        'unknown_credential',
        'This passkey is not enrolled for this account.',
      );
    }
    const info = await this.verify(passkeys, credential, response, challenge);
    const recorded = await credentialsCall(() =>
      passkeys.credentials.recordUse(caller.sub, credential.id, credential.counter, {
        counter: info.newCounter,
        backedUp: info.credentialBackedUp,
        lastUsedAt: this.clock.nowSeconds(),
      }),
    );
    if (!recorded) {
      throw new StepUpRefusal(
        'passkey_not_verified',
        'This passkey was used at the same time elsewhere.',
      );
    }
    return this.recorder.record(caller, 'passkey', passkeyAmr(credential.deviceType), ticket);
  }

  private async verify(
    passkeys: Readonly<Required<ReauthPasskeyOptions>>,
    credential: PasskeyCredential,
    response: Record<string, unknown>,
    challenge: string,
  ): Promise<{ newCounter: number; credentialBackedUp: boolean }> {
    let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      result = await verifyAuthenticationResponse({
        response: response as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: [...passkeys.origins],
        expectedRPID: passkeys.rpId,
        credential: {
          id: credential.id,
          publicKey: Buffer.from(credential.publicKey, 'base64url'),
          counter: credential.counter,
          transports: credential.transports as AuthenticatorTransportFuture[],
        },
        requireUserVerification: true,
      });
    } catch (error) {
      this.logger.warn(`A passkey assertion was refused: ${(error as Error).message}`);
      throw new StepUpRefusal('passkey_not_verified', 'The passkey could not be verified.');
    }
    const info = result.authenticationInfo;
    if (!result.verified || !info.userVerified) {
      throw new StepUpRefusal('passkey_not_verified', 'The passkey could not be verified.');
    }
    if (info.credentialDeviceType !== credential.deviceType) {
      // Backup eligibility is fixed when a credential is created (WebAuthn §6.1, BE flag).
      this.logger.warn('A passkey assertion changed its backup eligibility: refused');
      throw new StepUpRefusal('passkey_not_verified', 'The passkey could not be verified.');
    }
    return info;
  }

  private enabled(): Readonly<Required<ReauthPasskeyOptions>> {
    const passkeys = this.settings.passkeys;
    if (!passkeys) {
      throw new StepUpRefusal('method_unavailable', 'Passkeys are not enabled on this server.');
    }
    return passkeys;
  }
}

/** A WebAuthn challenge that commits to a bound action: 16 random bytes, then its digest. */
function boundChallenge(digest: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(48);
  bytes.set(randomBytes(16), 0);
  bytes.set(Buffer.from(digest, 'base64url'), 16);
  return bytes;
}

/** Whether a challenge (base64url) ends with the action's digest. */
function commitsTo(challenge: string, digest: string): boolean {
  const bytes = Buffer.from(challenge, 'base64url');
  const expected = Buffer.from(digest, 'base64url');
  return bytes.length === 16 + expected.length && constantTimeEqual(bytes.subarray(16), expected);
}

/** A call to the app's credential store: a failure is a 503 naming `passkeys`, never a pass. */
export async function credentialsCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ReauthUnavailableException('passkeys', {
      cause: new Error(`the passkey credential store failed: ${describeError(error)}`, {
        cause: error,
      }),
    });
  }
}
