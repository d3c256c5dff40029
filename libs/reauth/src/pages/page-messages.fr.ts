import type { ReauthPageMessages } from './page-messages';

// French typography puts a no-break space (U+00A0) before ":" and ";".

/** The French texts of the library's pages. */
export const FRENCH_PAGE_MESSAGES: ReauthPageMessages = Object.freeze({
  'link.continue': 'Continuer',
  'link.retry': 'Réessayer',
  'link.leave': 'Aller à la page d’accueil',
  'link.reauthenticate': 'Confirmer votre identité',
  'action.confirming': 'Vous confirmez :',
  'action.wereConfirming': 'Vous confirmiez :',
  'popup.confirmed': 'Votre identité est confirmée. Cette fenêtre se ferme d’elle-même.',
  'popup.notConfirmed': 'La confirmation n’a pas abouti. Vous pouvez fermer cette fenêtre.',
  'popup.actionConfirmed': 'Confirmé :',
  'popup.actionNotConfirmed': 'Non confirmé :',
  'unavailable.title': 'La connexion est indisponible pour le moment',
  'unavailable.message':
    'Le service de connexion est injoignable pour le moment. Réessayez dans quelques secondes.',
  'cancelled.title': 'Confirmez votre identité pour continuer',
  'cancelled.message':
    'Cette page exige une connexion récente, et la confirmation n’a pas été menée à terme.',
  'formTooLarge.title': 'Ce formulaire est trop volumineux pour être conservé',
  'formTooLarge.message':
    'Confirmer votre identité ferait perdre ce que vous avez saisi : cela dépasse 2 Ko. Raccourcissez-le et réessayez.',
  'signOutRefused.title': 'Déconnexion refusée',
  'signOutRefused.message': 'La déconnexion doit être lancée depuis ce site.',
  'signOutReturn.title': 'Retour de déconnexion non reconnu',
  'signOutReturn.message':
    'Cette page reçoit le retour d’une déconnexion lancée dans ce navigateur ; celle-ci ne l’a pas été. Si vous vous êtes déconnecté, vous l’êtes quand même.',
  'downstreamRefused.title': 'Un service nécessaire a refusé',
  'downstreamRefused.message':
    'Un service dont dépend cette page demande une connexion que cette application ne peut pas fournir, ou refuse encore celle qu’il a demandée. Se reconnecter n’y changera rien ; réessayez plus tard.',
  'forbidden.cross_site_request.title': 'Requête refusée',
  'forbidden.cross_site_request.message':
    'Cette requête doit provenir des pages de l’application elle-même.',
  'forbidden.impersonation_not_allowed.title': 'Impossible en agissant au nom de cet utilisateur',
  'forbidden.impersonation_not_allowed.message':
    'Cette action exige une connexion récente de l’utilisateur lui-même ; elle ne peut pas être faite en son nom.',
  'callback.state_expired.title': 'Cette connexion a expiré',
  'callback.state_expired.message':
    'Elle a pris plus de 10 minutes. Recommencez depuis la page où vous étiez.',
  'callback.state_invalid.title': 'Ce lien de connexion n’est pas valide',
  'callback.state_invalid.message': 'Recommencez depuis la page où vous étiez.',
  'callback.state_not_bound.title': 'Cette connexion n’a pas été lancée dans ce navigateur',
  'callback.state_not_bound.message':
    'Recommencez depuis la page où vous étiez, dans ce navigateur.',
  'callback.issuer_mismatch.title': 'Cette connexion est revenue d’ailleurs',
  'callback.issuer_mismatch.message':
    'La réponse ne vient pas du fournisseur d’identité auquel cette connexion a été envoyée. Recommencez.',
  'callback.code_missing.title': 'La connexion n’a pas abouti',
  'callback.code_missing.message': 'Le fournisseur d’identité n’a envoyé aucun code. Recommencez.',
  'callback.code_invalid.title': 'La connexion n’a pas abouti',
  'callback.code_invalid.message': 'Le code de connexion n’a pas été accepté. Recommencez.',
  'callback.provider_token_invalid.title': 'La connexion n’a pas abouti',
  'callback.provider_token_invalid.message':
    'Le fournisseur d’identité a répondu avec un jeton qui n’a pas pu être vérifié.',
  'callback.session_too_large.title': 'La connexion n’a pas abouti',
  'callback.session_too_large.message':
    'Le fournisseur d’identité a émis des jetons trop volumineux pour être conservés dans ce navigateur. Contactez les administrateurs du site.',
  'callback.max_age_not_satisfied.title': 'Nous n’avons pas pu confirmer une connexion récente',
  'callback.max_age_not_satisfied.message':
    'Le fournisseur d’identité ne vous a pas demandé de vous reconnecter : cette action ne peut donc pas avoir lieu. Déconnectez-vous, reconnectez-vous, puis réessayez.',
  'callback.max_age_refused.title': 'Nous n’avons pas pu confirmer une connexion récente',
  'callback.max_age_refused.message':
    'Le fournisseur d’identité a refusé de vous demander de vous reconnecter de la manière demandée par cette application. Revenez à la page où vous étiez et réessayez : l’application demande désormais autrement.',
  'callback.auth_time_unknown.title': 'Nous n’avons pas pu confirmer une connexion récente',
  'callback.auth_time_unknown.message':
    'Vous vous êtes connecté, mais le fournisseur d’identité n’a pas indiqué quand : cette application ne peut donc pas savoir si la connexion est récente, et cette action ne peut pas être effectuée. Contactez les administrateurs du site.',
  'callback.action_not_authorized.title': 'Nous n’avons pas pu confirmer cette action',
  'callback.action_not_authorized.message':
    'Le fournisseur d’identité n’a pas confirmé l’action que vous deviez approuver : elle ne peut donc pas avoir lieu. Recommencez depuis la page où vous étiez.',
  'callback.acr_not_satisfied.title':
    'Nous n’avons pas pu confirmer la connexion qu’exige cette action',
  'callback.acr_not_satisfied.message':
    'Le fournisseur d’identité n’a pas confirmé le type de connexion exigé (par exemple un second facteur) : cette action ne peut donc pas avoir lieu. Configurez-le pour votre compte, puis réessayez.',
  'callback.acr_missing.title':
    'Nous n’avons pas pu confirmer la connexion requise pour cette action',
  'callback.acr_missing.message':
    'Le fournisseur d’identité n’a pas indiqué comment vous vous êtes connecté : cette application ne peut donc pas confirmer le type de connexion requis pour cette action. Contactez les administrateurs du site.',
  'callback.claims_not_satisfied.title':
    'Nous n’avons pas pu confirmer la connexion qu’exige cette action',
  'callback.claims_not_satisfied.message':
    'Le fournisseur d’identité n’a pas confirmé la connexion que demande un service dont dépend cette action : elle ne peut donc pas avoir lieu. Recommencez depuis la page où vous étiez.',
  'callback.scope_not_satisfied.title': 'Nous n’avons pas pu obtenir l’accès qu’exige cette action',
  'callback.scope_not_satisfied.message':
    'Le fournisseur d’identité n’a pas accordé l’accès que demande un service dont dépend cette action : elle ne peut donc pas avoir lieu. Recommencez depuis la page où vous étiez.',
  'callback.provider_refused.title': 'La connexion n’a pas abouti',
  'callback.provider_refused.message':
    'Le fournisseur d’identité n’a pas pu mener à bien la connexion qu’exige cette action.',
  'callback.provider_error.title': 'La connexion n’a pas abouti',
  'callback.provider_error.message':
    'Le fournisseur d’identité a refusé la demande de connexion. Réessayez plus tard.',
  'callback.user_mismatch.title': 'Vous vous êtes connecté sous une autre identité',
  'callback.user_mismatch.message':
    'L’action a été lancée par un autre utilisateur. Reconnectez-vous en tant que cet utilisateur, ou déconnectez-vous d’abord.',
  'callback.session_conflict.title': 'Quelqu’un d’autre est connecté ici',
  'callback.session_conflict.message':
    'Ce navigateur est connecté avec un autre utilisateur. Déconnectez-vous d’abord, puis reconnectez-vous.',
  'callback.too_many_sign_ins.title': 'Trop de connexions',
  'callback.too_many_sign_ins.message':
    'Il y a eu trop de connexions en peu de temps. Patientez quelques minutes, puis réessayez.',
  'callback.state_replayed.title': 'Cette connexion a déjà été effectuée',
  'callback.state_replayed.message': 'Chaque lien de connexion ne fonctionne qu’une fois.',
  'callback.invalid_callback.title': 'Ce lien de connexion n’est pas valide',
  'callback.invalid_callback.message':
    'Le lien de retour du fournisseur d’identité est mal formé. Recommencez.',
} satisfies ReauthPageMessages);
