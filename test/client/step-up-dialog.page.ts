// The page of the dialog's browser test and its own script, served under a strict
// Content-Security-Policy: no inline script or style anywhere.

export const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Transfers</title>
    <script type="module" src="/app.js"></script>
  </head>
  <body>
    <main>
      <h1>Transfers</h1>
      <button id="start" type="button">Send transfer</button>
    </main>
  </body>
</html>`;

// The page's own script: the wrapped fetch with the default dialog, and a button that sends
// `window.parallel` transfers at once (1 by default), their outcomes in `window.pending`.
export const APP_JS = `
import * as stepUp from '/step-up-fetch.js';
const api = stepUp.createReauthFetch({ onReauthRequired: stepUp.stepUpDialog() });
const send = (n) =>
  api('/api/transfers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' },
    body: JSON.stringify({ n }),
  }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
    (error) => ({ error: error.name }),
  );
document.querySelector('#start').addEventListener('click', () => {
  window.pending = Promise.all(Array.from({ length: window.parallel ?? 1 }, (_, n) => send(n)));
});
Object.assign(window, { stepUp, api });
`;
