import type { StepUpDialogTexts } from './step-up-dialog.texts.js';

// The dialog's elements, built with the DOM (never from markup, so no text is ever parsed as
// HTML) and named by what they are for.

/** The parts of the dialog the element works with. */
export interface StepUpDialogView {
  dialog: HTMLDialogElement;
  title: HTMLElement;
  description: HTMLElement;
  /** What the user confirms, on a route bound to one action: the label, then the summary. */
  action: HTMLElement;
  actionLabel: HTMLElement;
  actionSummary: HTMLElement;
  /** Errors, announced as they appear (`role="alert"`). */
  error: HTMLElement;
  /** "Checking…", announced politely while a confirmation is sent. */
  status: HTMLElement;
  passkey: HTMLButtonElement;
  form: HTMLFormElement;
  /** The password's label and input. */
  passwordField: HTMLElement;
  passwordLabel: HTMLLabelElement;
  password: HTMLInputElement;
  codeField: HTMLElement;
  codeLabel: HTMLLabelElement;
  code: HTMLInputElement;
  submit: HTMLButtonElement;
  provider: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attributes: Record<string, string> = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const created = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

/** Builds the dialog into `root` (a shadow root), without texts: see {@link applyTexts}. */
export function buildView(root: ShadowRoot): StepUpDialogView {
  const doc = root.ownerDocument;
  const title = element(doc, 'h2', { id: 'title', part: 'title' });
  const description = element(doc, 'p', { id: 'description', part: 'description' });
  const actionLabel = element(doc, 'span', { id: 'action-label' });
  const actionSummary = element(doc, 'strong', { id: 'action-summary' });
  const action = element(doc, 'p', { id: 'action', class: 'action', part: 'action' }, [
    actionLabel,
    doc.createTextNode(' '),
    actionSummary,
  ]);
  const error = element(doc, 'p', { id: 'error', class: 'error', role: 'alert', part: 'error' });
  const status = element(doc, 'p', { class: 'status', 'aria-live': 'polite' });
  const passkey = element(doc, 'button', { type: 'button', id: 'passkey', class: 'primary' });
  const passwordLabel = element(doc, 'label', { for: 'password' });
  const password = element(doc, 'input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password webauthn',
    required: '',
  });
  const codeLabel = element(doc, 'label', { for: 'code' });
  const code = element(doc, 'input', {
    id: 'code',
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '10',
  });
  const codeField = element(doc, 'div', { class: 'field' }, [codeLabel, code]);
  const submit = element(doc, 'button', { type: 'submit', id: 'submit', class: 'primary' });
  const passwordField = element(doc, 'div', { class: 'field' }, [passwordLabel, password]);
  const form = element(doc, 'form', { id: 'password-form', novalidate: '' }, [
    passwordField,
    codeField,
    submit,
  ]);
  const provider = element(doc, 'button', { type: 'button', id: 'provider' });
  const cancel = element(doc, 'button', { type: 'button', id: 'cancel' });
  const actions = element(doc, 'div', { class: 'actions' }, [provider, cancel]);
  const dialog = element(
    doc,
    'dialog',
    {
      part: 'dialog',
      'aria-labelledby': 'title',
      'aria-describedby': 'description action error',
    },
    [title, description, action, error, passkey, form, status, actions],
  );
  root.append(dialog);
  return {
    dialog,
    title,
    description,
    action,
    actionLabel,
    actionSummary,
    error,
    status,
    passkey,
    form,
    passwordField,
    passwordLabel,
    password,
    codeField,
    codeLabel,
    code,
    submit,
    provider,
    cancel,
  };
}

/**
 * Writes the texts, and the summary of the action confirmed when there is one, into the view
 * (as text, never markup: the summary is made from values the user or anyone else typed).
 */
export function applyTexts(
  view: StepUpDialogView,
  texts: StepUpDialogTexts,
  actionSummary: string | undefined,
): void {
  view.title.textContent = texts.title;
  view.description.textContent = texts.description;
  view.actionLabel.textContent = actionSummary === undefined ? '' : texts.action;
  view.actionSummary.textContent = actionSummary ?? '';
  view.action.hidden = actionSummary === undefined;
  view.passkey.textContent = texts.passkey;
  view.passwordLabel.textContent = texts.password;
  view.codeLabel.textContent = texts.code;
  view.submit.textContent = texts.submit;
  view.cancel.textContent = texts.cancel;
}

/** The controls that can take focus now, in tab order. */
export function focusable(view: StepUpDialogView): HTMLElement[] {
  return [view.passkey, view.password, view.code, view.submit, view.provider, view.cancel].filter(
    (control) => control.closest('[hidden]') === null,
  );
}
