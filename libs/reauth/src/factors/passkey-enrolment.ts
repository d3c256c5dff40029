import { Injectable } from '@nestjs/common';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { evaluateFreshness } from '../core';
import { ReauthClock } from '../core/clock';
import { withoutStack } from '../exceptions/without-stack';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { RequestPolicySettings } from '../options/reauth-settings';
import type { PasskeyCredential } from '../stores/passkey-credential.store';
import { credentialsCall } from './passkey-confirmation';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';
import { bodyObject, clientChallenge, passkeyName, registrationResponse } from './step-up-input';
import type { ReauthPasskeyOptions } from '../interfaces/step-up-options.interface';
import { StepUpSettings } from '../options/step-up-settings';
import { WebAuthnChallenges } from './webauthn-challenges';

/** A passkey as the enrolment routes show it: never the public key or the user id. */
export interface PasskeySummary {
  /** The credential id, base64url: what rename and delete take. */
  id: string;
  /** The user's name for it. */
  name: string;
  /** When it was enrolled (Unix seconds). */
  createdAt: number;
  /** When it last confirmed an action; absent until then. */
  lastUsedAt?: number;
  /** `multiDevice` for a synced passkey, `singleDevice` for one bound to its device. */
  deviceType: PasskeyCredential['deviceType'];
  /** Whether it is backed up (synced) now. */
  backedUp: boolean;
}

/** The route name refusals of the enrolment routes report. */
const ENROLMENT_ROUTE = 'passkeys:enrolment';

/**
 * Enrols, lists, renames and deletes the signed-in user's passkeys. Everything that changes them
 * needs a recent sign-in at the provider (`stepUp.passkeys.enrolMaxAge`), never an in-page
 * proof: a stolen session cannot add a passkey of its own and then confirm with it.
 */
@Injectable()
export class PasskeyEnrolment {
  constructor(
    private readonly settings: StepUpSettings,
    private readonly challenges: WebAuthnChallenges,
    private readonly policy: RequestPolicySettings,
    private readonly clock: ReauthClock,
  ) {}

  async list(caller: StepUpCaller): Promise<PasskeySummary[]> {
    const passkeys = this.enabled();
    const credentials = await credentialsCall(() => passkeys.credentials.listByUser(caller.sub));
    return credentials.map(summaryOf);
  }

  async options(caller: StepUpCaller): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const passkeys = this.enabled();
    this.requireRecentSignIn(caller, passkeys);
    const existing = await credentialsCall(() => passkeys.credentials.listByUser(caller.sub));
    if (existing.length >= passkeys.maxPerUser) {
      throw new StepUpRefusal(
        'too_many_passkeys',
        `An account may have at most ${passkeys.maxPerUser} passkeys. Delete one first.`,
      );
    }
    const email = caller.authentication.user?.email;
    const options = await generateRegistrationOptions({
      rpName: passkeys.rpName,
      rpID: passkeys.rpId,
      userName: email ?? caller.sub,
      userID: Buffer.from(caller.sub, 'utf8'),
      attestationType: 'none',
      excludeCredentials: existing.map((credential) => ({
        id: credential.id,
        transports: credential.transports as AuthenticatorTransportFuture[],
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      timeout: passkeys.challengeSeconds * 1000,
    });
    await this.challenges.issue(options.challenge, caller, 'register', passkeys.challengeSeconds);
    return options;
  }

  async register(caller: StepUpCaller, body: unknown): Promise<PasskeySummary> {
    const passkeys = this.enabled();
    this.requireRecentSignIn(caller, passkeys);
    const fields = bodyObject(body);
    const name = passkeyName(fields.name);
    const response = registrationResponse(fields.response);
    const challenge = clientChallenge(response);
    await this.challenges.take(challenge, caller, 'register');
    let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      result = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: [...passkeys.origins],
        expectedRPID: passkeys.rpId,
        requireUserVerification: true,
      });
    } catch {
      throw new StepUpRefusal('passkey_not_verified', 'The new passkey could not be verified.');
    }
    if (!result.verified) {
      throw new StepUpRefusal('passkey_not_verified', 'The new passkey could not be verified.');
    }
    const info = result.registrationInfo;
    const credential: PasskeyCredential = {
      id: info.credential.id,
      userId: caller.sub,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: (info.credential.transports ?? []).slice(0, 8),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      name,
      createdAt: this.clock.nowSeconds(),
    };
    const existing = await credentialsCall(() => passkeys.credentials.listByUser(caller.sub));
    if (existing.length >= passkeys.maxPerUser) {
      throw new StepUpRefusal('too_many_passkeys', 'This account has too many passkeys.');
    }
    if (!(await credentialsCall(() => passkeys.credentials.create(credential)))) {
      throw new StepUpRefusal('passkey_exists', 'This passkey is already enrolled.');
    }
    return summaryOf(credential);
  }

  async rename(caller: StepUpCaller, id: string, body: unknown): Promise<PasskeySummary> {
    const passkeys = this.enabled();
    this.requireRecentSignIn(caller, passkeys);
    const name = passkeyName(bodyObject(body).name);
    if (!(await credentialsCall(() => passkeys.credentials.rename(caller.sub, id, name)))) {
      throw new StepUpRefusal('not_found', 'No such passkey.');
    }
    const credential = await credentialsCall(() => passkeys.credentials.findById(id));
    if (!credential || credential.userId !== caller.sub) {
      throw new StepUpRefusal('not_found', 'No such passkey.');
    }
    return summaryOf(credential);
  }

  async delete(caller: StepUpCaller, id: string): Promise<void> {
    const passkeys = this.enabled();
    this.requireRecentSignIn(caller, passkeys);
    if (!(await credentialsCall(() => passkeys.credentials.delete(caller.sub, id)))) {
      throw new StepUpRefusal('not_found', 'No such passkey.');
    }
  }

  /** A 401 with a re-auth URL unless the token shows a sign-in within `enrolMaxAge`. */
  private requireRecentSignIn(
    caller: StepUpCaller,
    passkeys: Readonly<Required<ReauthPasskeyOptions>>,
  ): void {
    const { claims } = caller.authentication;
    const freshness = evaluateFreshness({
      authTime: claims.auth_time,
      maxAge: passkeys.enrolMaxAge,
      now: this.clock.nowSeconds(),
      toleranceSeconds: this.policy.clockToleranceSeconds,
    });
    if (freshness.fresh) return;
    throw withoutStack(
      () =>
        new ReauthRequiredException({
          reason: freshness.reason,
          authTime: freshness.authTime,
          maxAge: passkeys.enrolMaxAge,
          sub: claims.sub,
          sid: caller.sessionId,
          loginHint: caller.authentication.user?.email,
          route: ENROLMENT_ROUTE,
        }),
    );
  }

  private enabled(): Readonly<Required<ReauthPasskeyOptions>> {
    const passkeys = this.settings.passkeys;
    if (!passkeys) throw new StepUpRefusal('not_found', 'Passkeys are not enabled on this server.');
    return passkeys;
  }
}

function summaryOf(credential: PasskeyCredential): PasskeySummary {
  return {
    id: credential.id,
    name: credential.name,
    createdAt: credential.createdAt,
    ...(credential.lastUsedAt === undefined ? {} : { lastUsedAt: credential.lastUsedAt }),
    deviceType: credential.deviceType,
    backedUp: credential.backedUp,
  };
}
