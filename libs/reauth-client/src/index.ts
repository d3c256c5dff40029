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
