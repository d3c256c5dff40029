/**
 * What the callback answers when it cannot complete a sign-in: the status, and the page's heading
 * and text, by stable code. The codes are documented in docs/errors.md (Callback failures).
 */
export const CALLBACK_FAILURES = Object.freeze({
  state_expired: {
    status: 400,
    title: 'This sign-in has expired',
    message: 'It took longer than 10 minutes. Start again from the page you were on.',
  },
  state_invalid: {
    status: 400,
    title: 'This sign-in link is not valid',
    message: 'Start again from the page you were on.',
  },
  state_not_bound: {
    status: 400,
    title: 'This sign-in was not started in this browser',
    message: 'Start again from the page you were on, in this browser.',
  },
  issuer_mismatch: {
    status: 400,
    title: 'This sign-in came back from somewhere else',
    message:
      'The answer did not come from the identity provider this sign-in went to. Start again.',
  },
  code_missing: {
    status: 400,
    title: 'The sign-in did not complete',
    message: 'The identity provider sent no code. Start again.',
  },
  code_invalid: {
    status: 400,
    title: 'The sign-in did not complete',
    message: 'The sign-in code was not accepted. Start again.',
  },
  provider_token_invalid: {
    status: 502,
    title: 'The sign-in did not complete',
    message: 'The identity provider answered with a token that could not be verified.',
  },
  session_too_large: {
    status: 502,
    title: 'The sign-in did not complete',
    message:
      'The identity provider issued tokens too large to keep in this browser. Contact the site’s administrators.',
  },
  max_age_not_satisfied: {
    status: 401,
    title: 'We could not confirm a recent sign-in',
    message:
      'The identity provider did not ask you to sign in again, so this action cannot go ahead. Sign out and sign in again, then retry.',
  },
  auth_time_unknown: {
    status: 502,
    title: 'We could not confirm a recent sign-in',
    message:
      'You signed in, but the identity provider did not say when, so this app cannot tell that the sign-in is recent and this action cannot go ahead. Contact the site’s administrators.',
  },
  max_age_refused: {
    status: 502,
    title: 'We could not confirm a recent sign-in',
    message:
      'The identity provider refused to ask you to sign in again the way this app asked. Go back to the page you were on and retry: the app now asks differently.',
  },
  action_not_authorized: {
    status: 401,
    title: 'We could not confirm this action',
    message:
      'The identity provider did not confirm the action you were asked to approve, so it cannot go ahead. Start again from the page you were on.',
  },
  acr_not_satisfied: {
    status: 401,
    title: 'We could not confirm the sign-in this action needs',
    message:
      'The identity provider did not confirm the required kind of sign-in (such as a second factor), so this action cannot go ahead. Set it up for your account, then retry.',
  },
  acr_missing: {
    status: 502,
    title: 'We could not confirm the sign-in this action needs',
    message:
      'The identity provider did not say how you signed in, so this app cannot confirm the kind of sign-in this action needs. Contact the site’s administrators.',
  },
  claims_not_satisfied: {
    status: 401,
    title: 'We could not confirm the sign-in this action needs',
    message:
      'The identity provider did not confirm the sign-in a service this action depends on asks for, so it cannot go ahead. Start again from the page you were on.',
  },
  scope_not_satisfied: {
    status: 401,
    title: 'We could not get the access this action needs',
    message:
      'The identity provider did not grant the access a service this action depends on asks for, so it cannot go ahead. Start again from the page you were on.',
  },
  provider_refused: {
    status: 401,
    title: 'The sign-in did not complete',
    message: 'The identity provider could not complete the sign-in this action needs.',
  },
  provider_error: {
    status: 502,
    title: 'The sign-in did not complete',
    message: 'The identity provider refused the sign-in request. Try again later.',
  },
  user_mismatch: {
    status: 403,
    title: 'You signed in as someone else',
    message:
      'The action was started by another user. Sign in again as that user, or sign out first.',
  },
  session_conflict: {
    status: 409,
    title: 'Someone else is signed in here',
    message: 'This browser is signed in as another user. Sign out first, then sign in again.',
  },
  too_many_sign_ins: {
    status: 429,
    title: 'Too many sign-ins',
    message: 'There were too many sign-ins in a short time. Wait a few minutes, then try again.',
  },
  state_replayed: {
    status: 400,
    title: 'This sign-in was already completed',
    message: 'Each sign-in link works once.',
  },
  invalid_callback: {
    status: 400,
    title: 'This sign-in link is not valid',
    message: 'The link back from the identity provider is malformed. Start again.',
  },
} satisfies Record<string, { status: number; title: string; message: string }>);

/** The stable codes of a failed callback. */
export type CallbackFailureCode = keyof typeof CALLBACK_FAILURES;

/**
 * OAuth and OpenID Connect error codes (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6) that say
 * the user could not, or would not, complete the sign-in; any other code is the provider refusing
 * the request itself (`invalid_scope`, `unauthorized_client`, `server_error`...).
 */
const USER_SIDE_ERRORS = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
  'unmet_authentication_requirements',
]);

/** The failure a provider's error at the callback becomes (`access_denied` is a cancel). */
export function providerFailure(error: string): CallbackFailureCode {
  return USER_SIDE_ERRORS.has(error) ? 'provider_refused' : 'provider_error';
}
