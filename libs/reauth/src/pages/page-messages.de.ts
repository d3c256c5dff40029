import type { ReauthPageMessages } from './page-messages';

/** The German texts of the library's pages. */
export const GERMAN_PAGE_MESSAGES: ReauthPageMessages = Object.freeze({
  'link.continue': 'Weiter',
  'link.retry': 'Erneut versuchen',
  'link.leave': 'Zur Startseite',
  'link.reauthenticate': 'Identität bestätigen',
  'action.confirming': 'Sie bestätigen:',
  'action.wereConfirming': 'Sie wollten bestätigen:',
  'popup.confirmed': 'Ihre Identität ist bestätigt. Dieses Fenster schließt sich von selbst.',
  'popup.notConfirmed':
    'Die Bestätigung wurde nicht abgeschlossen. Sie können dieses Fenster schließen.',
  'popup.actionConfirmed': 'Bestätigt:',
  'popup.actionNotConfirmed': 'Nicht bestätigt:',
  'unavailable.title': 'Die Anmeldung ist gerade nicht verfügbar',
  'unavailable.message':
    'Der Anmeldedienst ist im Moment nicht erreichbar. Versuchen Sie es in ein paar Sekunden erneut.',
  'cancelled.title': 'Bestätigen Sie Ihre Identität, um fortzufahren',
  'cancelled.message':
    'Diese Seite erfordert eine aktuelle Anmeldung, und die Bestätigung wurde nicht abgeschlossen.',
  'formTooLarge.title': 'Dieses Formular ist zu groß, um es aufzubewahren',
  'formTooLarge.message':
    'Beim Bestätigen Ihrer Identität gingen Ihre Eingaben verloren: Sie sind größer als 2 KB. Kürzen Sie sie und versuchen Sie es erneut.',
  'signOutRefused.title': 'Abmeldung abgelehnt',
  'signOutRefused.message': 'Die Abmeldung muss von dieser Website aus erfolgen.',
  'signOutReturn.title': 'Rückkehr von der Abmeldung nicht erkannt',
  'signOutReturn.message':
    'Auf diese Seite kehrt eine in diesem Browser begonnene Abmeldung zurück; diese nicht. Wenn Sie sich abgemeldet haben, sind Sie trotzdem abgemeldet.',
  'downstreamRefused.title': 'Ein benötigter Dienst hat abgelehnt',
  'downstreamRefused.message':
    'Ein Dienst, auf den diese Seite angewiesen ist, verlangt eine Anmeldung, die diese Anwendung nicht bieten kann, oder lehnt die verlangte weiterhin ab. Eine erneute Anmeldung hilft nicht; versuchen Sie es später noch einmal.',
  'forbidden.cross_site_request.title': 'Anfrage abgelehnt',
  'forbidden.cross_site_request.message':
    'Diese Anfrage muss von den eigenen Seiten der Anwendung kommen.',
  'forbidden.impersonation_not_allowed.title': 'Nicht im Namen dieses Benutzers',
  'forbidden.impersonation_not_allowed.message':
    'Diese Aktion erfordert eine aktuelle Anmeldung des Benutzers selbst; sie kann nicht in seinem Namen ausgeführt werden.',
  'callback.state_expired.title': 'Diese Anmeldung ist abgelaufen',
  'callback.state_expired.message':
    'Sie hat länger als 10 Minuten gedauert. Beginnen Sie erneut auf der Seite, auf der Sie waren.',
  'callback.state_invalid.title': 'Dieser Anmeldelink ist ungültig',
  'callback.state_invalid.message': 'Beginnen Sie erneut auf der Seite, auf der Sie waren.',
  'callback.state_not_bound.title': 'Diese Anmeldung wurde nicht in diesem Browser begonnen',
  'callback.state_not_bound.message':
    'Beginnen Sie erneut auf der Seite, auf der Sie waren, in diesem Browser.',
  'callback.issuer_mismatch.title': 'Diese Anmeldung kam von einer anderen Stelle zurück',
  'callback.issuer_mismatch.message':
    'Die Antwort kam nicht von dem Identitätsanbieter, an den diese Anmeldung ging. Beginnen Sie erneut.',
  'callback.code_missing.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.code_missing.message':
    'Der Identitätsanbieter hat keinen Code gesendet. Beginnen Sie erneut.',
  'callback.code_invalid.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.code_invalid.message': 'Der Anmeldecode wurde nicht akzeptiert. Beginnen Sie erneut.',
  'callback.provider_token_invalid.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.provider_token_invalid.message':
    'Der Identitätsanbieter hat mit einem Token geantwortet, das nicht überprüft werden konnte.',
  'callback.session_too_large.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.session_too_large.message':
    'Der Identitätsanbieter hat Tokens ausgestellt, die zu groß sind, um sie in diesem Browser zu speichern. Wenden Sie sich an die Administratoren der Website.',
  'callback.max_age_not_satisfied.title': 'Wir konnten keine aktuelle Anmeldung bestätigen',
  'callback.max_age_not_satisfied.message':
    'Der Identitätsanbieter hat Sie nicht erneut zur Anmeldung aufgefordert, daher kann diese Aktion nicht ausgeführt werden. Melden Sie sich ab und wieder an, und versuchen Sie es dann erneut.',
  'callback.max_age_refused.title': 'Wir konnten keine aktuelle Anmeldung bestätigen',
  'callback.max_age_refused.message':
    'Der Identitätsanbieter hat es abgelehnt, Sie so erneut anzumelden, wie diese Anwendung es angefragt hat. Kehren Sie zur vorherigen Seite zurück und versuchen Sie es erneut: Die Anwendung fragt jetzt anders an.',
  'callback.auth_time_unknown.title': 'Wir konnten keine aktuelle Anmeldung bestätigen',
  'callback.auth_time_unknown.message':
    'Sie haben sich angemeldet, aber der Identitätsanbieter hat nicht mitgeteilt, wann. Daher kann diese Anwendung nicht erkennen, dass die Anmeldung aktuell ist, und diese Aktion kann nicht ausgeführt werden. Wenden Sie sich an die Betreiber der Website.',
  'callback.action_not_authorized.title': 'Wir konnten diese Aktion nicht bestätigen',
  'callback.action_not_authorized.message':
    'Der Identitätsanbieter hat die Aktion, die Sie genehmigen sollten, nicht bestätigt, daher kann sie nicht ausgeführt werden. Beginnen Sie erneut auf der Seite, auf der Sie waren.',
  'callback.acr_not_satisfied.title':
    'Wir konnten die Anmeldung, die diese Aktion erfordert, nicht bestätigen',
  'callback.acr_not_satisfied.message':
    'Der Identitätsanbieter hat die erforderliche Art der Anmeldung (etwa einen zweiten Faktor) nicht bestätigt, daher kann diese Aktion nicht ausgeführt werden. Richten Sie sie für Ihr Konto ein und versuchen Sie es dann erneut.',
  'callback.acr_missing.title':
    'Wir konnten die für diese Aktion nötige Anmeldung nicht bestätigen',
  'callback.acr_missing.message':
    'Der Identitätsanbieter hat nicht mitgeteilt, wie Sie sich angemeldet haben. Daher kann diese Anwendung die für diese Aktion nötige Art der Anmeldung nicht bestätigen. Wenden Sie sich an die Betreiber der Website.',
  'callback.claims_not_satisfied.title':
    'Wir konnten die Anmeldung, die diese Aktion erfordert, nicht bestätigen',
  'callback.claims_not_satisfied.message':
    'Der Identitätsanbieter hat die Anmeldung, die ein Dienst für diese Aktion verlangt, nicht bestätigt, daher kann sie nicht ausgeführt werden. Beginnen Sie erneut auf der Seite, auf der Sie waren.',
  'callback.scope_not_satisfied.title':
    'Wir konnten den Zugriff, den diese Aktion erfordert, nicht erhalten',
  'callback.scope_not_satisfied.message':
    'Der Identitätsanbieter hat den Zugriff, den ein Dienst für diese Aktion verlangt, nicht gewährt, daher kann sie nicht ausgeführt werden. Beginnen Sie erneut auf der Seite, auf der Sie waren.',
  'callback.provider_refused.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.provider_refused.message':
    'Der Identitätsanbieter konnte die Anmeldung, die diese Aktion erfordert, nicht abschließen.',
  'callback.provider_error.title': 'Die Anmeldung wurde nicht abgeschlossen',
  'callback.provider_error.message':
    'Der Identitätsanbieter hat die Anmeldeanfrage abgelehnt. Versuchen Sie es später erneut.',
  'callback.user_mismatch.title': 'Sie haben sich als jemand anderes angemeldet',
  'callback.user_mismatch.message':
    'Die Aktion wurde von einem anderen Benutzer begonnen. Melden Sie sich erneut als dieser Benutzer an, oder melden Sie sich zuerst ab.',
  'callback.session_conflict.title': 'Hier ist jemand anderes angemeldet',
  'callback.session_conflict.message':
    'Dieser Browser ist als ein anderer Benutzer angemeldet. Melden Sie sich zuerst ab und dann erneut an.',
  'callback.too_many_sign_ins.title': 'Zu viele Anmeldungen',
  'callback.too_many_sign_ins.message':
    'Es gab zu viele Anmeldungen in kurzer Zeit. Warten Sie einige Minuten und versuchen Sie es dann erneut.',
  'callback.state_replayed.title': 'Diese Anmeldung wurde bereits abgeschlossen',
  'callback.state_replayed.message': 'Jeder Anmeldelink funktioniert nur einmal.',
  'callback.invalid_callback.title': 'Dieser Anmeldelink ist ungültig',
  'callback.invalid_callback.message':
    'Der Link vom Identitätsanbieter zurück ist fehlerhaft. Beginnen Sie erneut.',
} satisfies ReauthPageMessages);
