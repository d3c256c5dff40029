import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

// French typography puts a no-break space (U+00A0) before ":".

/** The dialog's texts in French. */
export const FRENCH_STEP_UP_DIALOG_TEXTS: Readonly<StepUpDialogTexts> = Object.freeze({
  title: 'Confirmez votre identité',
  description: 'Pour continuer, confirmez votre identité.',
  codeDescription: 'Saisissez le code de votre application d’authentification.',
  action: 'Vous confirmez\u00a0:',
  passkey: 'Utiliser une clé d’accès',
  password: 'Mot de passe',
  code: 'Code d’authentification',
  submit: 'Confirmer',
  useProvider: 'Utiliser un autre moyen',
  continue: 'Continuer',
  cancel: 'Annuler',
  working: 'Vérification…',
  invalidCredentials: 'Ce mot de passe est incorrect. Réessayez.',
  invalidCode: 'Ce code est incorrect. Réessayez.',
  tooManyAttempts: 'Trop de tentatives. Patientez un instant ou utilisez un autre moyen.',
  passkeyCancelled: 'La clé d’accès n’a pas été utilisée. Réessayez ou utilisez un autre moyen.',
  expired: 'Cette confirmation a expiré. Utilisez un autre moyen.',
  sessionEnded: 'Votre session est terminée. Reconnectez-vous pour continuer.',
  notAvailable: 'Ce moyen n’est pas disponible pour votre compte. Utilisez-en un autre.',
  unavailable:
    'La confirmation est indisponible pour le moment. Réessayez plus tard ou utilisez un autre moyen.',
  failed: 'Cela n’a pas fonctionné. Réessayez ou utilisez un autre moyen.',
} satisfies StepUpDialogTexts);
