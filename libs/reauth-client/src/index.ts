/**
 * A `fetch` wrapper for browser apps that answers step-up authentication requests: the RFC 9470
 * `insufficient_user_authentication` challenge, and nest-workos-reauth's JSON and GraphQL
 * re-auth responses. It re-authenticates the user in a popup or by redirect, or confirms in the
 * page with a passkey or the password when the server offers it, then retries the request once.
 * Start with {@link step-up-fetch#createReauthFetch}; {@link step-up-fetch#stepUpDialog} is a
 * ready-made dialog.
 *
 * @packageDocumentation
 */

export {
  findStepUpChallenge,
  parseWwwAuthenticate,
  type AuthChallenge,
  type StepUpChallenge,
} from './challenge.js';
export {
  PasskeyRequestError,
  PopupBlockedError,
  ReauthCancelledError,
  ReauthClientError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
  StepUpFailedError,
  type ReauthClientErrorCode,
  type StepUpFailureReason,
} from './errors.js';
export { createReauthFetch } from './create-reauth-fetch.js';
export {
  emitWithStepUp,
  socketRefusalOf,
  type SocketRefusal,
  type SocketStepUpOptions,
  type StepUpSocket,
} from './socket-io.js';
export type {
  GraphQLErrorsOption,
  InPageReauthInfo,
  ProviderReauthInfo,
  ReauthClientOptions,
  ReauthContext,
  ReauthFetch,
  ReauthInfo,
  ReauthWindow,
} from './reauth-fetch.js';
export type { StepUpControls } from './step-up.confirmation.js';
export type { StepUpCodeRequired, StepUpConfirmed, StepUpMethodKind } from './step-up.protocol.js';
export {
  defineStepUpDialog,
  STEP_UP_DIALOG_TAG,
  stepUpDialog,
  type StepUpDialogOptions,
} from './step-up-dialog.js';
export type { StepUpDialogElement } from './step-up-dialog.element.js';
export { STEP_UP_DIALOG_LANGUAGES, type StepUpDialogLanguage } from './step-up-dialog.languages.js';
export {
  DEFAULT_STEP_UP_DIALOG_TEXTS,
  STEP_UP_DIALOG_THEME,
  type StepUpDialogTexts,
} from './step-up-dialog.texts.js';
export {
  deletePasskey,
  enrolPasskey,
  listPasskeys,
  renamePasskey,
  type PasskeyRequestOptions,
  type PasskeySummary,
} from './passkeys.js';
