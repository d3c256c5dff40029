import type { StepUpFailureReason } from './errors.js';

/** Every text the default dialog shows; replace any of them through `stepUpDialog({ texts })`. */
export interface StepUpDialogTexts {
  /** The dialog's heading. */
  title: string;
  /** Under the heading: why the user is asked. */
  description: string;
  /** Under the heading once the password was accepted and a code is needed. */
  codeDescription: string;
  /**
   * Before the action's summary, on a route bound to one action: "You are confirming:
   * Transfer 50 EUR to Bob".
   */
  action: string;
  /** The passkey button. */
  passkey: string;
  /** The password field's label. */
  password: string;
  /** The code field's label. */
  code: string;
  /** The button that sends the password (or the code). */
  submit: string;
  /** The button that continues with the provider when the page offers other ways. */
  useProvider: string;
  /** The button that continues with the provider when it is the only way. */
  continue: string;
  /** The button that gives up (Escape does the same). */
  cancel: string;
  /** Announced while a confirmation is being checked. */
  working: string;
  /** Wrong password. */
  invalidCredentials: string;
  /** Wrong code. */
  invalidCode: string;
  /** Too many attempts (`429`). */
  tooManyAttempts: string;
  /** The passkey prompt was dismissed or failed. */
  passkeyCancelled: string;
  /** The confirmation expired. */
  expired: string;
  /** The session ended. */
  sessionEnded: string;
  /** The server does not offer this way to this account (`method_unavailable`). */
  notAvailable: string;
  /** The server cannot confirm now (`503`). */
  unavailable: string;
  /** Any other failure. */
  failed: string;
}

/** The default texts, in English. */
export const DEFAULT_STEP_UP_DIALOG_TEXTS: Readonly<StepUpDialogTexts> = Object.freeze({
  title: 'Confirm it’s you',
  description: 'To continue, confirm your identity.',
  codeDescription: 'Enter the code from your authenticator app.',
  action: 'You are confirming:',
  passkey: 'Use a passkey',
  password: 'Password',
  code: 'Authentication code',
  submit: 'Confirm',
  useProvider: 'Use another way',
  continue: 'Continue',
  cancel: 'Cancel',
  working: 'Checking…',
  invalidCredentials: 'That password is not right. Try again.',
  invalidCode: 'That code is not right. Try again.',
  tooManyAttempts: 'Too many attempts. Wait a moment, or use another way.',
  passkeyCancelled: 'The passkey was not used. Try again, or use another way.',
  expired: 'This confirmation has expired. Use another way.',
  sessionEnded: 'Your session has ended. Sign in again to continue.',
  notAvailable: 'This way is not available for your account. Use another way.',
  unavailable: 'Confirmation is unavailable right now. Try again later, or use another way.',
  failed: 'That did not work. Try again, or use another way.',
});

type ErrorTextKey = Extract<
  keyof StepUpDialogTexts,
  | 'invalidCredentials'
  | 'invalidCode'
  | 'tooManyAttempts'
  | 'passkeyCancelled'
  | 'expired'
  | 'sessionEnded'
  | 'notAvailable'
  | 'unavailable'
>;

const ERROR_TEXTS: Partial<Record<StepUpFailureReason, ErrorTextKey>> = {
  invalid_credentials: 'invalidCredentials',
  invalid_code: 'invalidCode',
  too_many_attempts: 'tooManyAttempts',
  passkey_cancelled: 'passkeyCancelled',
  challenge_expired: 'expired',
  session_ended: 'sessionEnded',
  method_unavailable: 'notAvailable',
  unavailable: 'unavailable',
};

/** The text that tells the user about a failure (`undefined` reason: not one of ours). */
export function errorText(texts: StepUpDialogTexts, reason: StepUpFailureReason | undefined) {
  const key = reason === undefined ? undefined : ERROR_TEXTS[reason];
  return key ? texts[key] : texts.failed;
}

/**
 * The CSS custom properties that theme the dialog; set them on `step-up-dialog` (or any
 * ancestor). Values are the defaults.
 */
export const STEP_UP_DIALOG_THEME = Object.freeze({
  '--step-up-font': 'system-ui, sans-serif',
  '--step-up-background': '#ffffff',
  '--step-up-color': '#1b1d21',
  '--step-up-muted': '#555a64',
  '--step-up-border': '#c6cad1',
  '--step-up-accent': '#2458d3',
  '--step-up-accent-text': '#ffffff',
  '--step-up-error': '#b3261e',
  '--step-up-focus': '#2458d3',
  '--step-up-radius': '10px',
  '--step-up-width': '24rem',
  '--step-up-backdrop': 'rgb(0 0 0 / 45%)',
});

const v = (name: keyof typeof STEP_UP_DIALOG_THEME) =>
  `var(${name}, ${STEP_UP_DIALOG_THEME[name]})`;

/** The dialog's styles, adopted by its shadow root (no inline style: strict CSP holds). */
export const STEP_UP_DIALOG_CSS = `
[hidden] { display: none !important; }
dialog {
  box-sizing: border-box; width: min(${v('--step-up-width')}, calc(100vw - 2rem));
  padding: 1.5rem; border: 1px solid ${v('--step-up-border')};
  border-radius: ${v('--step-up-radius')}; background: ${v('--step-up-background')};
  color: ${v('--step-up-color')}; font: 1rem/1.45 ${v('--step-up-font')};
}
dialog::backdrop { background: ${v('--step-up-backdrop')}; }
h2 { margin: 0 0 0.5rem; font-size: 1.25rem; }
p { margin: 0 0 1rem; color: ${v('--step-up-muted')}; }
.action {
  color: ${v('--step-up-color')}; padding: 0.6rem 0.75rem; overflow-wrap: anywhere;
  border: 1px solid ${v('--step-up-border')}; border-radius: calc(${v('--step-up-radius')} / 2);
}
.action strong { display: block; font-size: 1.1rem; }
.error { color: ${v('--step-up-error')}; font-weight: 600; }
.error:empty { display: none; }
form, .field { display: grid; gap: 0.35rem; margin-bottom: 0.75rem; }
input {
  font: inherit; padding: 0.5rem 0.6rem; color: inherit; background: transparent;
  border: 1px solid ${v('--step-up-border')}; border-radius: calc(${v('--step-up-radius')} / 2);
}
input[aria-invalid="true"] { border-color: ${v('--step-up-error')}; }
button {
  font: inherit; cursor: pointer; padding: 0.55rem 1rem; color: inherit; background: transparent;
  border: 1px solid ${v('--step-up-border')}; border-radius: calc(${v('--step-up-radius')} / 2);
}
button.primary {
  background: ${v('--step-up-accent')}; border-color: ${v('--step-up-accent')};
  color: ${v('--step-up-accent-text')};
}
#passkey { width: 100%; margin-bottom: 1rem; }
.actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 0.5rem; }
:focus-visible { outline: 3px solid ${v('--step-up-focus')}; outline-offset: 2px; }
dialog[aria-busy="true"] button, dialog[aria-busy="true"] input { opacity: 0.7; }
`;
