import type { ReauthPageMessages } from './page-messages';

/** The Spanish texts of the library's pages. */
export const SPANISH_PAGE_MESSAGES: ReauthPageMessages = Object.freeze({
  'link.continue': 'Continuar',
  'link.retry': 'Intentar de nuevo',
  'link.leave': 'Ir a la página de inicio',
  'link.reauthenticate': 'Confirmar tu identidad',
  'action.confirming': 'Estás confirmando:',
  'action.wereConfirming': 'Estabas confirmando:',
  'popup.confirmed': 'Has confirmado tu identidad. Esta ventana se cerrará sola.',
  'popup.notConfirmed': 'La confirmación no se completó. Puedes cerrar esta ventana.',
  'popup.actionConfirmed': 'Confirmado:',
  'popup.actionNotConfirmed': 'No confirmado:',
  'unavailable.title': 'El inicio de sesión no está disponible en este momento',
  'unavailable.message':
    'No se puede contactar con el servicio de inicio de sesión en este momento. Inténtalo de nuevo en unos segundos.',
  'cancelled.title': 'Confirma tu identidad para continuar',
  'cancelled.message':
    'Esta página requiere un inicio de sesión reciente y la confirmación no se completó.',
  'formTooLarge.title': 'Este formulario es demasiado grande para conservarlo',
  'formTooLarge.message':
    'Al confirmar tu identidad se perdería lo que has escrito: supera los 2 KB. Acórtalo e inténtalo de nuevo.',
  'signOutRefused.title': 'Cierre de sesión rechazado',
  'signOutRefused.message': 'El cierre de sesión debe iniciarse desde este sitio.',
  'signOutReturn.title': 'Regreso del cierre de sesión no reconocido',
  'signOutReturn.message':
    'A esta página vuelve un cierre de sesión iniciado en este navegador; este no. Si cerraste la sesión, sigue cerrada igualmente.',
  'downstreamRefused.title': 'Un servicio necesario se ha negado',
  'downstreamRefused.message':
    'Un servicio del que depende esta página pide un inicio de sesión que esta aplicación no puede ofrecer, o sigue rechazando el que pidió. Iniciar sesión de nuevo no servirá; inténtelo más tarde.',
  'forbidden.cross_site_request.title': 'Solicitud rechazada',
  'forbidden.cross_site_request.message':
    'Esta solicitud debe proceder de las propias páginas de la aplicación.',
  'forbidden.impersonation_not_allowed.title': 'No mientras actúas en nombre de este usuario',
  'forbidden.impersonation_not_allowed.message':
    'Esta acción requiere un inicio de sesión reciente del propio usuario; no se puede realizar en su nombre.',
  'callback.state_expired.title': 'Este inicio de sesión ha caducado',
  'callback.state_expired.message':
    'Ha tardado más de 10 minutos. Vuelve a empezar desde la página en la que estabas.',
  'callback.state_invalid.title': 'Este enlace de inicio de sesión no es válido',
  'callback.state_invalid.message': 'Vuelve a empezar desde la página en la que estabas.',
  'callback.state_not_bound.title': 'Este inicio de sesión no se empezó en este navegador',
  'callback.state_not_bound.message':
    'Vuelve a empezar desde la página en la que estabas, en este navegador.',
  'callback.issuer_mismatch.title': 'Este inicio de sesión volvió desde otro lugar',
  'callback.issuer_mismatch.message':
    'La respuesta no vino del proveedor de identidad al que se envió este inicio de sesión. Vuelve a empezar.',
  'callback.code_missing.title': 'El inicio de sesión no se completó',
  'callback.code_missing.message':
    'El proveedor de identidad no envió ningún código. Vuelve a empezar.',
  'callback.code_invalid.title': 'El inicio de sesión no se completó',
  'callback.code_invalid.message': 'No se aceptó el código de inicio de sesión. Vuelve a empezar.',
  'callback.provider_token_invalid.title': 'El inicio de sesión no se completó',
  'callback.provider_token_invalid.message':
    'El proveedor de identidad respondió con un token que no se pudo verificar.',
  'callback.session_too_large.title': 'El inicio de sesión no se completó',
  'callback.session_too_large.message':
    'El proveedor de identidad emitió tokens demasiado grandes para guardarlos en este navegador. Ponte en contacto con los administradores del sitio.',
  'callback.max_age_not_satisfied.title': 'No pudimos confirmar un inicio de sesión reciente',
  'callback.max_age_not_satisfied.message':
    'El proveedor de identidad no te pidió que volvieras a iniciar sesión, así que esta acción no puede continuar. Cierra la sesión, vuelve a iniciarla y después inténtalo de nuevo.',
  'callback.max_age_refused.title': 'No pudimos confirmar un inicio de sesión reciente',
  'callback.max_age_refused.message':
    'El proveedor de identidad se negó a pedirte que iniciaras sesión de nuevo como lo pidió esta aplicación. Vuelve a la página en la que estabas e inténtalo de nuevo: la aplicación ahora lo pide de otra forma.',
  'callback.auth_time_unknown.title': 'No pudimos confirmar un inicio de sesión reciente',
  'callback.auth_time_unknown.message':
    'Iniciaste sesión, pero el proveedor de identidad no indicó cuándo, así que esta aplicación no puede saber si el inicio de sesión es reciente y esta acción no puede continuar. Contacta con los administradores del sitio.',
  'callback.action_not_authorized.title': 'No pudimos confirmar esta acción',
  'callback.action_not_authorized.message':
    'El proveedor de identidad no confirmó la acción que se te pidió aprobar, así que no puede continuar. Vuelve a empezar desde la página en la que estabas.',
  'callback.acr_not_satisfied.title':
    'No pudimos confirmar el inicio de sesión que requiere esta acción',
  'callback.acr_not_satisfied.message':
    'El proveedor de identidad no confirmó el tipo de inicio de sesión requerido (como un segundo factor), así que esta acción no puede continuar. Configúralo en tu cuenta y después inténtalo de nuevo.',
  'callback.acr_missing.title': 'No pudimos confirmar el inicio de sesión que requiere esta acción',
  'callback.acr_missing.message':
    'El proveedor de identidad no indicó cómo iniciaste sesión, así que esta aplicación no puede confirmar el tipo de inicio de sesión que requiere esta acción. Contacta con los administradores del sitio.',
  'callback.claims_not_satisfied.title':
    'No pudimos confirmar el inicio de sesión que requiere esta acción',
  'callback.claims_not_satisfied.message':
    'El proveedor de identidad no confirmó el inicio de sesión que pide un servicio del que depende esta acción, así que no puede continuar. Vuelve a empezar desde la página en la que estabas.',
  'callback.scope_not_satisfied.title': 'No pudimos obtener el acceso que requiere esta acción',
  'callback.scope_not_satisfied.message':
    'El proveedor de identidad no concedió el acceso que pide un servicio del que depende esta acción, así que no puede continuar. Vuelve a empezar desde la página en la que estabas.',
  'callback.provider_refused.title': 'El inicio de sesión no se completó',
  'callback.provider_refused.message':
    'El proveedor de identidad no pudo completar el inicio de sesión que requiere esta acción.',
  'callback.provider_error.title': 'El inicio de sesión no se completó',
  'callback.provider_error.message':
    'El proveedor de identidad rechazó la solicitud de inicio de sesión. Inténtalo de nuevo más tarde.',
  'callback.user_mismatch.title': 'Has iniciado sesión con otra cuenta',
  'callback.user_mismatch.message':
    'La acción la empezó otro usuario. Vuelve a iniciar sesión como ese usuario o cierra antes la sesión.',
  'callback.session_conflict.title': 'Otra persona ha iniciado sesión aquí',
  'callback.session_conflict.message':
    'Este navegador tiene iniciada la sesión de otro usuario. Cierra primero la sesión y después vuelve a iniciarla.',
  'callback.too_many_sign_ins.title': 'Demasiados inicios de sesión',
  'callback.too_many_sign_ins.message':
    'Ha habido demasiados inicios de sesión en poco tiempo. Espera unos minutos y vuelve a intentarlo.',
  'callback.state_replayed.title': 'Este inicio de sesión ya se completó',
  'callback.state_replayed.message': 'Cada enlace de inicio de sesión solo funciona una vez.',
  'callback.invalid_callback.title': 'Este enlace de inicio de sesión no es válido',
  'callback.invalid_callback.message':
    'El enlace de vuelta del proveedor de identidad está mal formado. Vuelve a empezar.',
} satisfies ReauthPageMessages);
