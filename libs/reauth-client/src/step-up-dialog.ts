import type { ReauthInfo } from './reauth-fetch.js';
import { stepUpDialogClass, type StepUpDialogElement } from './step-up-dialog.element.js';
import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

/** The tag name the default dialog is registered under, unless told otherwise. */
export const STEP_UP_DIALOG_TAG = 'step-up-dialog';

/** Options of {@link stepUpDialog}. */
export interface StepUpDialogOptions {
  /** Texts replacing the English defaults (see `StepUpDialogTexts` for the keys). */
  texts?: Partial<StepUpDialogTexts>;
  /** The custom element name to register and use. Default `step-up-dialog`. */
  tagName?: string;
  /** Where the element is added while it is open. Default `document.body`. */
  container?: () => HTMLElement;
}

/**
 * Registers the `<step-up-dialog>` element (once; later calls do nothing) and returns its tag
 * name. {@link stepUpDialog} calls it; call it yourself to place the element in your own markup.
 *
 * @example
 * ```ts
 * defineStepUpDialog();
 * const dialog = document.createElement('step-up-dialog') as StepUpDialogElement;
 * ```
 */
export function defineStepUpDialog(tagName: string = STEP_UP_DIALOG_TAG): string {
  if (!customElements.get(tagName)) customElements.define(tagName, stepUpDialogClass());
  return tagName;
}

/**
 * An `onReauthRequired` that asks the user in a modal dialog: with a passkey or the password
 * (and then a code) when the server offers them, else a "Continue" to the provider's popup or
 * redirect. On a route bound to one action it first says what the user confirms ("You are
 * confirming: Transfer 50 EUR to Bob", from `info.actionSummary`). Cancel or Escape rejects the waiting requests with `ReauthCancelledError`. The
 * element is registered when first needed, added to the page while open, and removed after.
 *
 * @example
 * ```ts
 * const api = createReauthFetch({
 *   onReauthRequired: stepUpDialog({ texts: { title: 'Confirm the transfer' } }),
 * });
 * ```
 */
export function stepUpDialog(
  options: StepUpDialogOptions = {},
): (info: ReauthInfo) => Promise<boolean> {
  return async (info) => {
    const tagName = defineStepUpDialog(options.tagName);
    const dialog = document.createElement(tagName) as StepUpDialogElement;
    dialog.texts = options.texts ?? {};
    (options.container?.() ?? document.body).append(dialog);
    try {
      return await dialog.confirm(info);
    } finally {
      dialog.remove();
    }
  };
}
