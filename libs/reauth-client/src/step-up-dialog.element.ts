import { ReauthCancelledError, StepUpFailedError, type StepUpFailureReason } from './errors.js';
import type { ReauthInfo } from './reauth-fetch.js';
import { dialogTexts } from './step-up-dialog.languages.js';
import { errorText, STEP_UP_DIALOG_CSS, type StepUpDialogTexts } from './step-up-dialog.texts.js';
import { applyTexts, buildView, focusable, type StepUpDialogView } from './step-up-dialog.view.js';

/** The `<step-up-dialog>` element: a modal dialog that asks the user to confirm it's them. */
export interface StepUpDialogElement extends HTMLElement {
  /** Texts replacing those of the dialog's language, read when the dialog opens. */
  texts: Partial<StepUpDialogTexts>;
  /**
   * The dialog's language (a tag such as `de` or `fr-CA`), read when the dialog opens. Unset, or
   * a language it has no texts for: the page's `lang`, then the browser's languages, then
   * English.
   */
  language?: string;
  /** Texts of languages beyond the shipped ones (`en`, `de`, `fr`, `es`), by language tag. */
  languages?: Readonly<Record<string, StepUpDialogTexts>>;
  /**
   * Opens the dialog for `info` (showing `info.actionSummary`, as text, when the route is bound
   * to one action) and settles when the user is done, as `onReauthRequired` expects: `true` to continue (confirmed in the page, or with the provider); rejects with
   * `ReauthCancelledError` when the user cancels (Cancel, or Escape).
   */
  confirm(info: ReauthInfo): Promise<boolean>;
}

/** Failures after which confirming in the page cannot succeed: only the provider is left. */
const FINAL: readonly StepUpFailureReason[] = [
  'session_ended',
  'challenge_expired',
  'forbidden',
  'method_unavailable',
];

/** The element focused now, looking into shadow roots. */
function deepActiveElement(doc: Document): HTMLElement | undefined {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
}

/** One opening of the dialog. */
interface Opening {
  info: ReauthInfo;
  texts: StepUpDialogTexts;
  resolve(value: boolean): void;
  reject(error: unknown): void;
  returnFocus?: HTMLElement;
  codeStep: boolean;
  busy: boolean;
}

/** The element's class; built on demand, since `HTMLElement` exists only in browsers. */
export function stepUpDialogClass(): new () => StepUpDialogElement {
  return class StepUpDialog extends HTMLElement implements StepUpDialogElement {
    texts: Partial<StepUpDialogTexts> = {};
    language?: string;
    languages?: Readonly<Record<string, StepUpDialogTexts>>;
    private readonly view: StepUpDialogView;
    private opening?: Opening;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STEP_UP_DIALOG_CSS);
        root.adoptedStyleSheets = [sheet];
      }
      this.view = buildView(root);
      const { dialog, passkey, form, provider, cancel } = this.view;
      passkey.addEventListener('click', () => void this.withPasskey());
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void this.withPassword();
      });
      provider.addEventListener('click', () => this.withProvider());
      cancel.addEventListener('click', () => this.cancelled());
      // Escape: the dialog's own cancel, handled here so that the request is told.
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        this.cancelled();
      });
      dialog.addEventListener('keydown', (event) => this.trapTab(event));
      // Closed by anything else (the page, the browser): the request must not wait forever.
      dialog.addEventListener('close', () => this.cancelled());
    }

    confirm(info: ReauthInfo): Promise<boolean> {
      if (this.opening) return Promise.reject(new Error('The dialog is already open'));
      const { language, texts } = dialogTexts({
        language: this.language,
        languages: this.languages,
        texts: this.texts,
        doc: this.ownerDocument,
      });
      const { view } = this;
      view.dialog.lang = language;
      applyTexts(view, texts, info.actionSummary);
      const methods = info.methods ?? [];
      view.passkey.hidden = !methods.includes('passkey');
      view.form.hidden = !methods.includes('password');
      view.codeField.hidden = true;
      view.provider.textContent = info.methods ? texts.useProvider : texts.continue;
      view.provider.classList.toggle('primary', !info.methods);
      view.error.textContent = '';
      view.status.textContent = '';
      return new Promise<boolean>((resolve, reject) => {
        this.opening = {
          info,
          texts,
          resolve,
          reject,
          returnFocus: deepActiveElement(this.ownerDocument),
          codeStep: false,
          busy: false,
        };
        view.dialog.showModal();
        focusable(view)[0]?.focus();
      });
    }

    private async run(action: (opening: Opening) => Promise<void>): Promise<void> {
      const opening = this.opening;
      if (!opening || opening.busy) return;
      const { view } = this;
      opening.busy = true;
      view.dialog.setAttribute('aria-busy', 'true');
      view.error.textContent = '';
      view.status.textContent = opening.texts.working;
      try {
        await action(opening);
      } catch (error) {
        this.failed(opening, error);
      } finally {
        opening.busy = false;
        view.dialog.removeAttribute('aria-busy');
        view.status.textContent = '';
      }
    }

    private withPasskey() {
      return this.run(async ({ info }) => {
        if (!info.methods) return;
        await info.confirmWithPasskey();
        this.close(true);
      });
    }

    private withPassword() {
      return this.run(async (opening) => {
        const { info } = opening;
        const { password, code } = this.view;
        if (!info.methods) return;
        const field = opening.codeStep ? code : password;
        if (field.value === '') {
          field.focus();
          return;
        }
        const answer = await info.confirmWithPassword(
          password.value,
          opening.codeStep ? code.value : undefined,
        );
        if (answer.status === 'confirmed') return this.close(true);
        opening.codeStep = true;
        password.value = '';
        this.view.passwordField.hidden = true;
        this.view.codeField.hidden = false;
        this.view.description.textContent = opening.texts.codeDescription;
        code.focus();
      });
    }

    private failed(opening: Opening, error: unknown) {
      const reason = error instanceof StepUpFailedError ? error.reason : undefined;
      const { view } = this;
      view.error.textContent = errorText(opening.texts, reason);
      let field: HTMLInputElement | undefined;
      if (reason === 'invalid_credentials') field = view.password;
      else if (reason === 'invalid_code') field = view.code;
      view.password.removeAttribute('aria-invalid');
      view.code.removeAttribute('aria-invalid');
      if (reason && FINAL.includes(reason)) {
        view.passkey.hidden = true;
        view.form.hidden = true;
        view.provider.focus();
      } else if (field) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', 'error');
        field.select();
        field.focus();
      }
    }

    private withProvider() {
      const opening = this.opening;
      if (!opening) return;
      if (opening.info.methods) opening.info.useProvider();
      this.close(true);
    }

    private cancelled() {
      const opening = this.opening;
      if (!opening) return;
      if (opening.info.methods) {
        opening.info.cancel();
        this.close(false);
      } else {
        this.close(new ReauthCancelledError('Confirmation was cancelled'));
      }
    }

    private close(outcome: boolean | Error) {
      const opening = this.opening;
      if (!opening) return;
      this.opening = undefined;
      const { view } = this;
      view.password.value = '';
      view.code.value = '';
      view.passwordField.hidden = false;
      view.dialog.close();
      opening.returnFocus?.focus();
      if (outcome instanceof Error) opening.reject(outcome);
      else opening.resolve(outcome);
    }

    private trapTab(event: KeyboardEvent) {
      if (event.key !== 'Tab') return;
      const controls = focusable(this.view);
      const active = this.shadowRoot?.activeElement;
      const index = controls.findIndex((control) => control === active);
      const atEdge = event.shiftKey ? index <= 0 : index === -1 || index === controls.length - 1;
      const next = event.shiftKey ? controls.at(-1) : controls[0];
      if (atEdge && next) {
        event.preventDefault();
        next.focus();
      }
    }
  };
}
