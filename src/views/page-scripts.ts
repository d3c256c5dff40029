// The pages' own scripts, served under /assets/ as ES modules: the demo's policy
// (`default-src 'self'`) runs no inline script. Each imports the browser helper's bundle, asks
// with its default dialog (a passkey, the password then a code, or the provider), and writes
// what the server says into the page as text, never as markup.

import { CHAT_SCRIPT } from './chat-script';

/** `/assets/spa.js`: transfers through the wrapped `fetch`. */
const SPA = `
import { createReauthFetch, stepUpDialog } from '/assets/step-up-fetch.js';

const mode = document.getElementById('mode').textContent === 'redirect' ? 'redirect' : 'popup';
const results = document.getElementById('results');
const report = (text, kind) => {
  const item = document.createElement('li');
  item.textContent = text;
  item.className = kind;
  results.append(item);
};

const api = createReauthFetch({
  mode,
  // Says why before anything happens: in the page when it can, else before leaving for the provider.
  onReauthRequired: stepUpDialog({
    texts: { description: 'This transfer needs a recent sign-in. Confirm it’s you and it goes ahead.' },
  }),
  // Replaying a transfer after a redirect is this app's explicit choice: the user asked for it.
  replayAfterRedirect: (request) =>
    ['/api/transfers', '/api/payments'].includes(new URL(request.url).pathname),
});

async function transfer(label) {
  const amount = Number(document.getElementById('amount').value);
  const to = document.getElementById('to').value;
  try {
    const response = await api('/api/transfers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ amount, to }),
    });
    const body = await response.json();
    if (response.ok) report(label + ': ' + body.status + ' (' + body.amount + ' to ' + body.to + ')', 'ok');
    else report(label + ': refused (' + response.status + ')', 'error');
  } catch (error) {
    report(label + ': ' + error.name + ' (' + error.code + ')', 'error');
  }
}

async function sendMoney() {
  const amount = Number(document.getElementById('pay-amount').value);
  const payee = document.getElementById('payee').value;
  try {
    const response = await api('/api/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ amount, payee }),
    });
    const body = await response.json();
    if (response.ok) report('Payment: ' + body.status + ' (' + body.amount + ' EUR to ' + body.to + ')', 'ok');
    else report('Payment: refused (' + response.status + ')', 'error');
  } catch (error) {
    report('Payment: ' + error.name + ' (' + error.code + ')', 'error');
  }
}

document.getElementById('transfer').addEventListener('click', () => transfer('Transfer'));
document.getElementById('send-money').addEventListener('click', () => sendMoney());
document.getElementById('transfer-three').addEventListener('click', () =>
  Promise.all([1, 2, 3].map((n) => transfer('Transfer ' + n))),
);
api.resumePending().then(async (response) => {
  if (!response) return;
  const body = await response.json();
  report('Resumed transfer: ' + (response.ok ? body.status : 'refused (' + response.status + ')'), response.ok ? 'ok' : 'error');
});
`;

/**
 * `/assets/security.js`: saves the email form through the wrapped `fetch`, so a stale sign-in is
 * confirmed in the page. Without JavaScript the form posts as it always did.
 */
const SECURITY = `
import { createReauthFetch, stepUpDialog } from '/assets/step-up-fetch.js';

const form = document.getElementById('email-form');
const status = document.getElementById('email-status');
const api = createReauthFetch({
  onReauthRequired: stepUpDialog({
    texts: { description: 'Changing your email needs a recent sign-in. Confirm it’s you to save it.' },
  }),
});
const say = (text, kind) => {
  status.textContent = text;
  status.className = 'notice ' + kind;
  status.hidden = false;
};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.hidden = true;
  const email = form.elements.email.value;
  try {
    const response = await api(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email }),
    });
    const body = await response.json();
    if (!response.ok) return say(body.message ?? 'Your email address was not changed.', 'error');
    document.getElementById('email').textContent = body.email;
    say('Your email address was changed.', 'ok');
  } catch (error) {
    say(error.name === 'ReauthCancelledError'
      ? 'You cancelled confirming it’s you. Nothing was changed.'
      : 'Your email address was not changed (' + error.code + ').', 'warn');
  }
});
`;

/** `/assets/passkeys.js`: lists, enrols, renames and deletes the user's passkeys. */
const PASSKEYS = `
import {
  createReauthFetch,
  deletePasskey,
  enrolPasskey,
  listPasskeys,
  renamePasskey,
  stepUpDialog,
} from '/assets/step-up-fetch.js';

// Changing passkeys needs a recent sign-in at the provider: the dialog says so, then the popup.
const api = createReauthFetch({
  onReauthRequired: stepUpDialog({
    texts: { description: 'Changing your passkeys needs a recent sign-in. Sign in again to continue.' },
  }),
});
const list = document.getElementById('passkey-list');
const empty = document.getElementById('no-passkeys');
const status = document.getElementById('passkeys-status');
const form = document.getElementById('enrol-form');
const when = (seconds) => new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, ' UTC');

const say = (text, kind) => {
  status.textContent = text;
  status.className = 'notice ' + kind;
  status.hidden = false;
};
const failed = (what, error) =>
  say(
    error.name === 'ReauthCancelledError'
      ? 'You cancelled confirming it’s you. Nothing was changed.'
      : what + ' did not work (' + (error.reason ?? error.code ?? error.name) + ').',
    'error',
  );

function row(passkey) {
  const item = document.createElement('li');
  item.dataset.id = passkey.id;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = passkey.name;
  const details = document.createElement('span');
  details.className = 'muted';
  details.textContent =
    'added ' + when(passkey.createdAt) + (passkey.lastUsedAt ? ', last used ' + when(passkey.lastUsedAt) : '');
  const rename = document.createElement('input');
  rename.type = 'text';
  rename.maxLength = 64;
  rename.value = passkey.name;
  rename.setAttribute('aria-label', 'New name for ' + passkey.name);
  rename.className = 'rename';
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'link save';
  save.textContent = 'Rename';
  save.addEventListener('click', () =>
    renamePasskey(passkey.id, rename.value, { fetch: api })
      .then(() => say('Renamed to ' + rename.value + '.', 'ok'), (error) => failed('Renaming', error))
      .then(refresh),
  );
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'danger delete';
  remove.textContent = 'Delete';
  remove.addEventListener('click', () =>
    deletePasskey(passkey.id, { fetch: api })
      .then(() => say('Deleted ' + passkey.name + '.', 'ok'), (error) => failed('Deleting', error))
      .then(refresh),
  );
  item.append(name, details, rename, save, remove);
  return item;
}

async function refresh() {
  try {
    const passkeys = await listPasskeys({ fetch: api });
    list.replaceChildren(...passkeys.map(row));
    empty.hidden = passkeys.length > 0;
    list.dataset.loaded = String(passkeys.length);
  } catch (error) {
    failed('Listing your passkeys', error);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  if (!name) return form.elements.name.focus();
  try {
    const passkey = await enrolPasskey({ name, fetch: api });
    form.reset();
    say('Added ' + passkey.name + '. You can now confirm it’s you with it.', 'ok');
  } catch (error) {
    failed('Adding a passkey', error);
  }
  await refresh();
});

form.hidden = !window.PublicKeyCredential;
document.getElementById('no-webauthn').hidden = Boolean(window.PublicKeyCredential);
refresh();
`;

/** The pages' scripts by file name under `/assets/`. */
export const PAGE_SCRIPTS: Readonly<Record<string, string>> = Object.freeze({
  'spa.js': SPA,
  'security.js': SECURITY,
  'passkeys.js': PASSKEYS,
  'chat.js': CHAT_SCRIPT,
});
