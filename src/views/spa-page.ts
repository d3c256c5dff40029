import { layout } from './layout';

/**
 * A single-page app in one page: it calls the JSON API through the browser helper, so a stale
 * sign-in is confirmed in a popup (or by redirect with `?mode=redirect`) while what the user
 * typed stays where it is.
 */
export function spaPage(mode: 'popup' | 'redirect'): string {
  const script = `
import { createReauthFetch } from '/assets/step-up-fetch.js';

const mode = ${JSON.stringify(mode)};
const results = document.getElementById('results');
const dialog = document.getElementById('confirm-dialog');
const report = (text, kind) => {
  const item = document.createElement('li');
  item.textContent = text;
  item.className = kind;
  results.append(item);
};

// Step 2 of the reauthentication guide: say why before leaving.
const askFirst = () =>
  new Promise((resolve) => {
    dialog.showModal();
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'continue'), { once: true });
  });

const api = createReauthFetch({
  mode,
  onReauthRequired: askFirst,
  // Replaying a transfer after a redirect is this app's explicit choice: the user asked for it.
  replayAfterRedirect: (request) => new URL(request.url).pathname === '/api/transfers',
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

document.getElementById('transfer').addEventListener('click', () => transfer('Transfer'));
document.getElementById('transfer-three').addEventListener('click', () =>
  Promise.all([1, 2, 3].map((n) => transfer('Transfer ' + n))),
);
api.resumePending().then(async (response) => {
  if (!response) return;
  const body = await response.json();
  report('Resumed transfer: ' + (response.ok ? body.status : 'refused (' + response.status + ')'), response.ok ? 'ok' : 'error');
});
`;
  return layout({
    title: 'SPA',
    signedIn: true,
    body: `<h1>Transfers (single-page app)</h1>
<p class="muted">This page calls <code>POST /api/transfers</code> (<code>@RequireRecentAuth(300)</code>) with
<code>fetch</code> through the browser helper. Mode: <strong id="mode">${mode}</strong>
(<a href="/spa${mode === 'popup' ? '?mode=redirect' : ''}">switch to ${mode === 'popup' ? 'redirect' : 'popup'}</a>).</p>
<div class="card">
<label for="note">A note you are writing (stays on the page)</label>
<input type="text" id="note" autocomplete="off">
<label for="amount">Amount</label>
<input type="number" id="amount" value="25" min="0.01" step="0.01">
<label for="to">To</label>
<input type="text" id="to" value="savings">
<button id="transfer">Transfer</button>
<button id="transfer-three" class="link" style="margin-left:12px">Send three at once</button>
</div>
<div class="card"><h2>Results</h2><ul id="results"></ul></div>
<dialog id="confirm-dialog">
<form method="dialog">
<h2>Confirm it’s you to continue</h2>
<p>This transfer needs a recent sign-in. You will sign in again, then it goes ahead.</p>
<button value="continue" id="confirm-continue">Continue</button>
<button value="cancel" class="link" id="confirm-cancel">Not now</button>
</form>
</dialog>
<script type="module">${script}</script>`,
  });
}
