import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Why a confirmation in the page (or a passkey enrolment) was refused; the `error` of its JSON
 * answer. 400s say what the page can fix; none says whether another account exists.
 */
export type StepUpErrorCode =
  | 'invalid_request'
  | 'invalid_ticket'
  | 'method_unavailable'
  | 'no_passkey'
  | 'unknown_credential'
  | 'challenge_expired'
  | 'passkey_not_verified'
  | 'invalid_credentials'
  | 'invalid_code'
  | 'too_many_passkeys'
  | 'passkey_exists'
  | 'not_found'
  | 'too_many_attempts';

const STATUS: Record<StepUpErrorCode, number> = {
  invalid_request: HttpStatus.BAD_REQUEST,
  invalid_ticket: HttpStatus.BAD_REQUEST,
  method_unavailable: HttpStatus.BAD_REQUEST,
  no_passkey: HttpStatus.BAD_REQUEST,
  unknown_credential: HttpStatus.BAD_REQUEST,
  challenge_expired: HttpStatus.BAD_REQUEST,
  passkey_not_verified: HttpStatus.BAD_REQUEST,
  invalid_credentials: HttpStatus.BAD_REQUEST,
  invalid_code: HttpStatus.BAD_REQUEST,
  too_many_passkeys: HttpStatus.BAD_REQUEST,
  passkey_exists: HttpStatus.CONFLICT,
  not_found: HttpStatus.NOT_FOUND,
  too_many_attempts: HttpStatus.TOO_MANY_REQUESTS,
};

/** A refused confirmation: `{ statusCode, error, message }`, with `Retry-After` for a 429. */
export class StepUpRefusal extends HttpException {
  constructor(
    /** The refusal's `error`. */
    readonly code: StepUpErrorCode,
    message: string,
    /** For a 429: the `Retry-After` seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super({ statusCode: STATUS[code], error: code, message }, STATUS[code]);
  }
}
