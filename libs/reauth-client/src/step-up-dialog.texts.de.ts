import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

/** The dialog's texts in German. */
export const GERMAN_STEP_UP_DIALOG_TEXTS: Readonly<StepUpDialogTexts> = Object.freeze({
  title: 'Bestätigen Sie, dass Sie es sind',
  description: 'Bestätigen Sie Ihre Identität, um fortzufahren.',
  codeDescription: 'Geben Sie den Code aus Ihrer Authenticator-App ein.',
  action: 'Sie bestätigen:',
  passkey: 'Passkey verwenden',
  password: 'Passwort',
  code: 'Authentifizierungscode',
  submit: 'Bestätigen',
  useProvider: 'Anderen Weg wählen',
  continue: 'Weiter',
  cancel: 'Abbrechen',
  working: 'Wird geprüft …',
  invalidCredentials: 'Das Passwort ist nicht richtig. Versuchen Sie es erneut.',
  invalidCode: 'Der Code ist nicht richtig. Versuchen Sie es erneut.',
  tooManyAttempts: 'Zu viele Versuche. Warten Sie einen Moment oder wählen Sie einen anderen Weg.',
  passkeyCancelled:
    'Der Passkey wurde nicht verwendet. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
  expired: 'Diese Bestätigung ist abgelaufen. Wählen Sie einen anderen Weg.',
  sessionEnded: 'Ihre Sitzung ist beendet. Melden Sie sich erneut an, um fortzufahren.',
  notAvailable: 'Dieser Weg steht für Ihr Konto nicht zur Verfügung. Wählen Sie einen anderen Weg.',
  unavailable:
    'Die Bestätigung ist gerade nicht verfügbar. Versuchen Sie es später erneut oder wählen Sie einen anderen Weg.',
  failed: 'Das hat nicht funktioniert. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
} satisfies StepUpDialogTexts);
