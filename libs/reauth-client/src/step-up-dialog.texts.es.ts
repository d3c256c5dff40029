import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

/** The dialog's texts in Spanish. */
export const SPANISH_STEP_UP_DIALOG_TEXTS: Readonly<StepUpDialogTexts> = Object.freeze({
  title: 'Confirma tu identidad',
  description: 'Para continuar, confirma tu identidad.',
  codeDescription: 'Introduce el código de tu aplicación de autenticación.',
  action: 'Estás confirmando:',
  passkey: 'Usar una llave de acceso',
  password: 'Contraseña',
  code: 'Código de autenticación',
  submit: 'Confirmar',
  useProvider: 'Usar otro método',
  continue: 'Continuar',
  cancel: 'Cancelar',
  working: 'Comprobando…',
  invalidCredentials: 'La contraseña no es correcta. Inténtalo de nuevo.',
  invalidCode: 'El código no es correcto. Inténtalo de nuevo.',
  tooManyAttempts: 'Demasiados intentos. Espera un momento o usa otro método.',
  passkeyCancelled: 'No se usó la llave de acceso. Inténtalo de nuevo o usa otro método.',
  expired: 'Esta confirmación ha caducado. Usa otro método.',
  sessionEnded: 'Tu sesión ha terminado. Vuelve a iniciar sesión para continuar.',
  notAvailable: 'Este método no está disponible para tu cuenta. Usa otro.',
  unavailable:
    'La confirmación no está disponible en este momento. Inténtalo más tarde o usa otro método.',
  failed: 'No ha funcionado. Inténtalo de nuevo o usa otro método.',
} satisfies StepUpDialogTexts);
