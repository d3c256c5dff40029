/**
 * A `fetch` wrapper for browser apps that answers step-up authentication requests: the RFC 9470
 * `insufficient_user_authentication` challenge, and nest-workos-reauth's JSON and GraphQL
 * re-auth responses. It re-authenticates the user in a popup or by redirect, then retries the
 * request once. No dependencies. Start with {@link step-up-fetch#createReauthFetch}.
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
  PopupBlockedError,
  ReauthCancelledError,
  ReauthClientError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
  type ReauthClientErrorCode,
} from './errors.js';
export { createReauthFetch } from './create-reauth-fetch.js';
export type {
  GraphQLErrorsOption,
  ReauthClientOptions,
  ReauthFetch,
  ReauthInfo,
  ReauthWindow,
} from './reauth-fetch.js';
