import type { ReauthPageMessages } from './page-messages';

/**
 * The English texts of the library's pages: the reference catalogue. Each language has exactly
 * the keys of `ReauthPageMessageKey` (the type system checks the shipped ones, the module's
 * start-up checks an app's own).
 */
export const ENGLISH_PAGE_MESSAGES: ReauthPageMessages = Object.freeze({
  'link.continue': 'Continue',
  'link.retry': 'Try again',
  'link.leave': 'Go to the start page',
  'link.reauthenticate': 'Confirm it’s you',
  'action.confirming': 'You are confirming:',
  'action.wereConfirming': 'You were confirming:',
  'popup.confirmed': 'You confirmed it’s you. This window closes by itself.',
  'popup.notConfirmed': 'The confirmation did not complete. You can close this window.',
  'popup.actionConfirmed': 'Confirmed:',
  'popup.actionNotConfirmed': 'Not confirmed:',
  'unavailable.title': 'Sign-in is unavailable right now',
  'unavailable.message':
    'The sign-in service cannot be reached at the moment. Try again in a few seconds.',
  'cancelled.title': 'Confirm it’s you to continue',
  'cancelled.message': 'This page needs a recent sign-in, and the confirmation was not completed.',
  'formTooLarge.title': 'This form is too large to keep',
  'formTooLarge.message':
    'Confirming it’s you would lose what you entered: it is more than 2 KB. Shorten it and try again.',
  'signOutRefused.title': 'Sign-out refused',
  'signOutRefused.message': 'Sign-out must start from this site.',
  'signOutReturn.title': 'Sign-out return not recognised',
  'signOutReturn.message':
    'This page is where a sign-out started in this browser returns; this one did not. You are signed out all the same if you signed out.',
  'downstreamRefused.title': 'A service this page depends on refused',
  'downstreamRefused.message':
    'A service this page depends on asks for a sign-in this application cannot provide, or still refuses the one it asked for. Signing in again will not help; try again later.',
  'forbidden.cross_site_request.title': 'Request refused',
  'forbidden.cross_site_request.message':
    'This request must come from the application’s own pages.',
  'forbidden.impersonation_not_allowed.title': 'Not while acting as this user',
  'forbidden.impersonation_not_allowed.message':
    'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
  'callback.state_expired.title': 'This sign-in has expired',
  'callback.state_expired.message':
    'It took longer than 10 minutes. Start again from the page you were on.',
  'callback.state_invalid.title': 'This sign-in link is not valid',
  'callback.state_invalid.message': 'Start again from the page you were on.',
  'callback.state_not_bound.title': 'This sign-in was not started in this browser',
  'callback.state_not_bound.message': 'Start again from the page you were on, in this browser.',
  'callback.issuer_mismatch.title': 'This sign-in came back from somewhere else',
  'callback.issuer_mismatch.message':
    'The answer did not come from the identity provider this sign-in went to. Start again.',
  'callback.code_missing.title': 'The sign-in did not complete',
  'callback.code_missing.message': 'The identity provider sent no code. Start again.',
  'callback.code_invalid.title': 'The sign-in did not complete',
  'callback.code_invalid.message': 'The sign-in code was not accepted. Start again.',
  'callback.provider_token_invalid.title': 'The sign-in did not complete',
  'callback.provider_token_invalid.message':
    'The identity provider answered with a token that could not be verified.',
  'callback.session_too_large.title': 'The sign-in did not complete',
  'callback.session_too_large.message':
    'The identity provider issued tokens too large to keep in this browser. Contact the site’s administrators.',
  'callback.max_age_not_satisfied.title': 'We could not confirm a recent sign-in',
  'callback.max_age_not_satisfied.message':
    'The identity provider did not ask you to sign in again, so this action cannot go ahead. Sign out and sign in again, then retry.',
  'callback.max_age_refused.title': 'We could not confirm a recent sign-in',
  'callback.max_age_refused.message':
    'The identity provider refused to ask you to sign in again the way this app asked. Go back to the page you were on and retry: the app now asks differently.',
  'callback.auth_time_unknown.title': 'We could not confirm a recent sign-in',
  'callback.auth_time_unknown.message':
    'You signed in, but the identity provider did not say when, so this app cannot tell that the sign-in is recent and this action cannot go ahead. Contact the site’s administrators.',
  'callback.action_not_authorized.title': 'We could not confirm this action',
  'callback.action_not_authorized.message':
    'The identity provider did not confirm the action you were asked to approve, so it cannot go ahead. Start again from the page you were on.',
  'callback.acr_not_satisfied.title': 'We could not confirm the sign-in this action needs',
  'callback.acr_not_satisfied.message':
    'The identity provider did not confirm the required kind of sign-in (such as a second factor), so this action cannot go ahead. Set it up for your account, then retry.',
  'callback.acr_missing.title': 'We could not confirm the sign-in this action needs',
  'callback.acr_missing.message':
    'The identity provider did not say how you signed in, so this app cannot confirm the kind of sign-in this action needs. Contact the site’s administrators.',
  'callback.claims_not_satisfied.title': 'We could not confirm the sign-in this action needs',
  'callback.claims_not_satisfied.message':
    'The identity provider did not confirm the sign-in a service this action depends on asks for, so it cannot go ahead. Start again from the page you were on.',
  'callback.scope_not_satisfied.title': 'We could not get the access this action needs',
  'callback.scope_not_satisfied.message':
    'The identity provider did not grant the access a service this action depends on asks for, so it cannot go ahead. Start again from the page you were on.',
  'callback.provider_refused.title': 'The sign-in did not complete',
  'callback.provider_refused.message':
    'The identity provider could not complete the sign-in this action needs.',
  'callback.provider_error.title': 'The sign-in did not complete',
  'callback.provider_error.message':
    'The identity provider refused the sign-in request. Try again later.',
  'callback.user_mismatch.title': 'You signed in as someone else',
  'callback.user_mismatch.message':
    'The action was started by another user. Sign in again as that user, or sign out first.',
  'callback.session_conflict.title': 'Someone else is signed in here',
  'callback.session_conflict.message':
    'This browser is signed in as another user. Sign out first, then sign in again.',
  'callback.too_many_sign_ins.title': 'Too many sign-ins',
  'callback.too_many_sign_ins.message':
    'There were too many sign-ins in a short time. Wait a few minutes, then try again.',
  'callback.state_replayed.title': 'This sign-in was already completed',
  'callback.state_replayed.message': 'Each sign-in link works once.',
  'callback.invalid_callback.title': 'This sign-in link is not valid',
  'callback.invalid_callback.message':
    'The link back from the identity provider is malformed. Start again.',
} satisfies ReauthPageMessages);
