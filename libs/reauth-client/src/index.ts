export {
  findStepUpChallenge,
  parseWwwAuthenticate,
  type AuthChallenge,
  type StepUpChallenge,
} from './challenge';
export {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthClientError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  type ReauthClientErrorCode,
} from './errors';
export {
  createReauthFetch,
  type ReauthClientOptions,
  type ReauthFetch,
  type ReauthInfo,
  type ReauthWindow,
} from './reauth-fetch';
