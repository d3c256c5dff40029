import { layout } from './layout';

/**
 * A chat console over socket.io: deleting a channel is a message that needs a recent sign-in.
 * A stale one is confirmed in the page (the password, a passkey) and the message goes through
 * on the same connection; at the provider, in a popup, after which the socket reconnects. Its
 * script is `/assets/chat.js`.
 */
export function chatPage(): string {
  return layout({
    title: 'Chat',
    signedIn: true,
    script: 'chat.js',
    body: `<h1>Chat console (WebSocket)</h1>
<p class="muted">This page talks to a socket.io gateway. Deleting a channel is a message to a handler marked
<code>@RequireRecentAuth(300)</code>: the gateway checks the connection’s session on that message, and asks
you to confirm it’s you when your sign-in is more than 5 minutes old.</p>
<div class="card">
<p>Connection: <strong id="status">connecting</strong> (<span id="connections">0</span> connections)</p>
<label for="channel">Channel</label>
<select id="channel"></select>
<button id="delete-channel">Delete channel</button>
</div>
<div class="card"><h2>Results</h2><ul id="results"></ul></div>`,
  });
}
