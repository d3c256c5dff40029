import { layout } from './layout';

/**
 * A single-page app in one page: it calls the JSON API through the browser helper, so a stale
 * sign-in is confirmed in the page (a passkey, or the password and a code) or, when the user
 * chooses or nothing else is offered, in a popup (or by redirect with `?mode=redirect`), while
 * what the user typed stays where it is. Its script is `/assets/spa.js`.
 */
export function spaPage(mode: 'popup' | 'redirect', language?: string): string {
  return layout({
    language,
    title: 'SPA',
    signedIn: true,
    script: 'spa.js',
    body: `<h1>Transfers (single-page app)</h1>
<p class="muted">This page calls <code>POST /api/transfers</code> (<code>@RequireRecentAuth('sensitive')</code>: a sign-in within 5 minutes) with
<code>fetch</code> through the browser helper. When a sign-in is too old it asks you to confirm it’s you
in the page, with a passkey or your password; other ways continue in a
<strong id="mode">${mode}</strong>
(<a href="/spa${mode === 'popup' ? '?mode=redirect' : ''}">switch to ${mode === 'popup' ? 'redirect' : 'popup'}</a>).</p>
<div class="card">
<label for="note">A note you are writing (stays on the page)</label>
<input type="text" id="note" autocomplete="off">
<label for="amount">Amount</label>
<input type="number" id="amount" value="25" min="0.01" step="0.01">
<label for="to">To</label>
<input type="text" id="to" value="savings">
<button id="transfer">Transfer</button>
<button id="transfer-three" class="link gap-left">Send three at once</button>
</div>
<div class="card">
<h2>Send money</h2>
<p class="muted"><code>POST /api/payments</code> is bound to the payment
(<code>@RequireRecentAuth(0, { bind: { fields: ['amount', 'payee'], summary } })</code>): every payment
is confirmed on its own, and the dialog says which one. The confirmation is good once, for that
amount and payee only.</p>
<label for="pay-amount">Amount (EUR)</label>
<input type="number" id="pay-amount" value="50" min="0.01" step="0.01">
<label for="payee">Payee</label>
<input type="text" id="payee" value="Bob">
<button id="send-money">Send money</button>
</div>
<div class="card"><h2>Results</h2><ul id="results"></ul></div>`,
  });
}
