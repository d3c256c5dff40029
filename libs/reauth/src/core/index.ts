export {
  ACTION_MAX_BYTES,
  ActionInvalidError,
  ActionTooLargeError,
  assertActionSize,
} from './action';
export {
  isValidAssuranceList,
  MAX_ASSURANCE_VALUES,
  meetsAssurance,
  type AssuranceRequirement,
} from './assurance';
export { ReauthInternalError } from './internal-error';
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  evaluateFreshness,
  isValidMaxAge,
  type FreshnessInput,
  type FreshnessResult,
} from './freshness';
export { isSameOriginRequest } from './same-origin';
export { negotiateResponse, type ReauthResponseStyle, type RequestHeaders } from './negotiation';
export {
  pathOf,
  RETURN_TO_MAX_LENGTH,
  refererPath,
  returnToFromRequest,
  sanitizeReturnTo,
  type ReturnToRequest,
  type SanitizeReturnToOptions,
} from './return-to';
export {
  CLIENT_REQUEST_ID,
  ROUTE_MAX_LENGTH,
  STATE_TTL_SECONDS,
  type ReauthState,
} from './reauth-state';
export { StateError, sealState, unsealState, type StateErrorCode } from './state-seal';
