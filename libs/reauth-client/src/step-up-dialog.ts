import type { ReauthInfo } from './reauth-fetch.js';
import { stepUpDialogClass, type StepUpDialogElement } from './step-up-dialog.element.js';
import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

/** The tag name the default dialog is registered under, unless told otherwise. */
export const STEP_UP_DIALOG_TAG = 'step-up-dialog';

/** Options of {@link stepUpDialog}. */
export interface StepUpDialogOptions {
  /**
   * Texts replacing those of the dialog's language (see `StepUpDialogTexts` for the keys).
   * Set `language` too when they are all in one language, so that they never mix with another.
   */
  texts?: Partial<StepUpDialogTexts>;
  /**
   * The dialog's language, as a tag (`de`, `fr-CA`). Default: the page's `lang`
   * (`document.documentElement.lang`), else the first of `navigator.languages` the dialog
   * speaks, else English. A language it has no texts for falls back the same way.
   */
  language?: string;
  /**
   * Texts of further languages, by tag: each a complete `StepUpDialogTexts` (start from
   * `STEP_UP_DIALOG_LANGUAGES.en`). They are chosen like the shipped ones.
   */
  languages?: Readonly<Record<string, StepUpDialogTexts>>;
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
 * // Always in German, whatever the page's language:
 * const german = stepUpDialog({ language: 'de' });
 * ```
 */
export function stepUpDialog(
  options: StepUpDialogOptions = {},
): (info: ReauthInfo) => Promise<boolean> {
  return async (info) => {
    const tagName = defineStepUpDialog(options.tagName);
    const dialog = document.createElement(tagName) as StepUpDialogElement;
    dialog.texts = options.texts ?? {};
    dialog.language = options.language;
    dialog.languages = options.languages;
    (options.container?.() ?? document.body).append(dialog);
    try {
      return await dialog.confirm(info);
    } finally {
      dialog.remove();
    }
  };
}
