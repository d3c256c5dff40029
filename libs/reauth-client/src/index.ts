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
export {
  createReauthFetch,
  type GraphQLErrorsOption,
  type ReauthClientOptions,
  type ReauthFetch,
  type ReauthInfo,
  type ReauthWindow,
} from './reauth-fetch.js';
