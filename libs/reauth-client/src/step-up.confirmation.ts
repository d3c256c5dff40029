import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { ReauthDeclinedError, StepUpFailedError } from './errors.js';
import type { ReauthContext, ReauthInfo } from './reauth-fetch.js';
import {
  readConfirmationAnswer,
  type StepUpCodeRequired,
  type StepUpConfirmed,
  type StepUpMethod,
  type StepUpMethodKind,
  type StepUpOffer,
} from './step-up.protocol.js';
import { failureOf, jsonOf, postJson, type StepUpTransport } from './step-up.requests.js';
import { isRecord } from './values.js';

/**
 * What `onReauthRequired` may do when the user can confirm in the page. The first of these to
 * settle the confirmation decides what happens to the waiting requests: a confirmation that
 * resolves `confirmed` retries them, `useProvider()` re-authenticates in a popup or by redirect,
 * `cancel()` rejects them with `ReauthCancelledError`.
 */
export interface StepUpControls {
  /**
   * The ways the user can confirm, in the server's order: `passkey` (only where the browser has
   * WebAuthn) and `password` in the page, and always `provider` (popup or redirect) last.
   */
  readonly methods: readonly StepUpMethodKind[];
  /**
   * Runs the browser's passkey prompt and sends its answer. Resolves once the server confirmed
   * (the waiting requests are then retried); rejects with `StepUpFailedError` otherwise
   * (`passkey_cancelled` when the user dismissed the prompt), leaving the confirmation open.
   */
  confirmWithPasskey(): Promise<StepUpConfirmed>;
  /**
   * Sends the password. Resolves `confirmed` (the waiting requests are then retried), or
   * `code_required` when the user has a second factor: call again with the code (the password
   * is not sent again). Given a code from the start, sends it as soon as it is asked for.
   * Rejects with `StepUpFailedError` (`invalid_credentials`, `invalid_code`, ...), leaving the
   * confirmation open.
   */
  confirmWithPassword(
    password: string,
    code?: string,
  ): Promise<StepUpConfirmed | StepUpCodeRequired>;
  /** Continues with the provider: a popup or a redirect, as without confirmation in the page. */
  useProvider(): void;
  /** Gives up: the waiting requests reject with `ReauthCancelledError`. */
  cancel(): void;
}

/** How a confirmation in the page ended. */
export type StepUpDecision = 'confirmed' | 'provider' | 'cancelled';

/** A confirmation under way: the functions given to the app, and how it ends. */
export interface StepUpConfirmation {
  controls: StepUpControls;
  decided: Promise<StepUpDecision>;
}

/** The offered methods this browser can use in the page (a passkey needs WebAuthn). */
export function inPageMethods(offer: StepUpOffer): StepUpMethod[] {
  return offer.methods.filter(
    (method) =>
      method.kind === 'password' || (method.kind === 'passkey' && browserSupportsWebAuthn()),
  );
}

/**
 * Starts a confirmation for `offer`, or `undefined` when none of its methods can be used in this
 * page: then only the provider remains, as without `stepUp`.
 */
export function startConfirmation(
  offer: StepUpOffer,
  transport: StepUpTransport,
): StepUpConfirmation | undefined {
  const usable = inPageMethods(offer);
  if (usable.length === 0) return undefined;
  const { ticket } = offer;
  let settle!: (decision: StepUpDecision) => void;
  let settled = false;
  const decided = new Promise<StepUpDecision>((resolve) => {
    settle = (decision) => {
      if (settled) return;
      settled = true;
      resolve(decision);
    };
  });
  let codePending = false;

  const method = <K extends 'passkey' | 'password'>(kind: K) => {
    if (settled) throw new StepUpFailedError('settled');
    const found = usable.find((candidate) => candidate.kind === kind);
    if (!found) throw new StepUpFailedError('method_unavailable');
    return found as Extract<StepUpMethod, { kind: K }>;
  };

  /** Reads a confirmation endpoint's answer; a confirmed one settles the confirmation. */
  const answerOf = async (response: Response) => {
    if (!response.ok) throw await failureOf(response);
    const answer = readConfirmationAnswer(await jsonOf(response));
    if (!answer) {
      throw new StepUpFailedError('unexpected_response', { status: response.status });
    }
    codePending = answer.status === 'code_required';
    if (answer.status === 'confirmed') settle('confirmed');
    return answer;
  };

  const confirmWithPasskey = async (): Promise<StepUpConfirmed> => {
    const { optionsUrl, confirmUrl } = method('passkey');
    const optionsResponse = await postJson(transport, optionsUrl, { ticket });
    if (!optionsResponse.ok) throw await failureOf(optionsResponse);
    const optionsJSON = await jsonOf(optionsResponse);
    if (!isRecord(optionsJSON) || typeof optionsJSON.challenge !== 'string') {
      throw new StepUpFailedError('unexpected_response', { status: optionsResponse.status });
    }
    let response: unknown;
    try {
      response = await startAuthentication({
        optionsJSON: optionsJSON as unknown as PublicKeyCredentialRequestOptionsJSON,
      });
    } catch (cause) {
      throw new StepUpFailedError('passkey_cancelled', { cause });
    }
    const answer = await answerOf(await postJson(transport, confirmUrl, { ticket, response }));
    if (answer.status !== 'confirmed') {
      throw new StepUpFailedError('unexpected_response', { status: 200 });
    }
    return answer;
  };

  const confirmWithPassword = async (password: string, code?: string) => {
    const { confirmUrl } = method('password');
    if (code !== undefined && typeof code !== 'string') {
      throw new TypeError('confirmWithPassword: code must be a string');
    }
    if (!(codePending && code !== undefined)) {
      if (typeof password !== 'string' || password === '') {
        throw new TypeError('confirmWithPassword: password must be a non-empty string');
      }
      const answer = await answerOf(await postJson(transport, confirmUrl, { ticket, password }));
      if (answer.status === 'confirmed' || code === undefined) return answer;
    }
    return answerOf(await postJson(transport, confirmUrl, { ticket, code }));
  };

  const controls: StepUpControls = Object.freeze({
    methods: Object.freeze([...usable.map(({ kind }) => kind), 'provider' as const]),
    confirmWithPasskey,
    confirmWithPassword,
    useProvider: () => settle('provider'),
    cancel: () => settle('cancelled'),
  });
  return { controls, decided };
}

/**
 * Asks the app (`ask`, its `onReauthRequired`), with the functions to confirm in the page when
 * there is a way to. Whichever settles first decides: what the app's function returns after a
 * confirmation is not looked at, and once decided the functions refuse to confirm (reason
 * `settled`). Without a way to ask the user, confirmation in the page cannot start.
 */
export async function decideStepUp(
  ask: ((info: ReauthInfo) => boolean | Promise<boolean>) | undefined,
  context: ReauthContext,
  confirmation: StepUpConfirmation | undefined,
): Promise<StepUpDecision> {
  if (!confirmation) {
    if (ask && !(await ask(context))) throw new ReauthDeclinedError();
    return 'provider';
  }
  if (!ask) return 'provider';
  const { controls } = confirmation;
  const answered = Promise.resolve(ask({ ...context, ...controls })).then((yes): StepUpDecision => {
    if (!yes) throw new ReauthDeclinedError();
    return 'provider';
  });
  try {
    const decision = await Promise.race([confirmation.decided, answered]);
    if (decision === 'provider') controls.useProvider();
    return decision;
  } catch (error) {
    controls.cancel();
    throw error;
  }
}
