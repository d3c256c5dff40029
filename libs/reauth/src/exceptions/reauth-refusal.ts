import { ReauthForbiddenException } from './reauth-forbidden.exception';
import { ReauthRequiredException } from './reauth-required.exception';
import { ReauthUnavailableException } from './reauth-unavailable.exception';

/** The exceptions `ReauthExceptionFilter` answers. */
export type ReauthRefusal =
  ReauthRequiredException | ReauthForbiddenException | ReauthUnavailableException;

/** Whether `error` is one of the exceptions `ReauthExceptionFilter` answers. */
export function isReauthRefusal(error: unknown): error is ReauthRefusal {
  return (
    error instanceof ReauthRequiredException ||
    error instanceof ReauthForbiddenException ||
    error instanceof ReauthUnavailableException
  );
}

const CHALLENGE_DESCRIPTION = 'More recent authentication is required';
const ASSURANCE_DESCRIPTION = 'A stronger authentication is required';

/** The RFC 6750 / RFC 9470 `WWW-Authenticate` challenge for a reason. */
export function challengeFor(exception: ReauthRequiredException): string {
  switch (exception.reason) {
    case 'unauthenticated':
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      return 'Bearer';
    case 'invalid_token':
      return 'Bearer error="invalid_token", error_description="The access token is invalid"';
    default: {
      const maxAge = exception.maxAge === undefined ? '' : `, max_age="${exception.maxAge}"`;
      // The values were checked at decoration: no spaces, quotes or backslashes.
      const acr = exception.acrValues?.length
        ? `, acr_values="${exception.acrValues.join(' ')}"`
        : '';
      const description =
        exception.reason === 'insufficient_assurance'
          ? ASSURANCE_DESCRIPTION
          : CHALLENGE_DESCRIPTION;
      return `Bearer error="insufficient_user_authentication", error_description="${description}"${maxAge}${acr}`;
    }
  }
}

/** The `message` of an exception's JSON body, which pages and GraphQL errors show too. */
export function messageOf(exception: ReauthRefusal): string {
  return (exception.getResponse() as { message: string }).message;
}
