/**
 * `/assets/chat.js`: the chat console's socket.io client (its ES module, served by the gateway's
 * own server) and `emitWithStepUp` from the browser helper.
 */
export const CHAT_SCRIPT = `
import { io } from '/socket.io/socket.io.esm.min.js';
import { emitWithStepUp, stepUpDialog } from '/assets/step-up-fetch.js';

const status = document.getElementById('status');
const connections = document.getElementById('connections');
const select = document.getElementById('channel');
const results = document.getElementById('results');
const report = (text, kind) => {
  const item = document.createElement('li');
  item.textContent = text;
  item.className = kind;
  results.append(item);
};

// The WebSocket transport only: its handshake carries the session cookie, as a poll would.
const socket = io({ transports: ['websocket'] });
let count = 0;
socket.on('connect', async () => {
  count += 1;
  connections.textContent = String(count);
  status.textContent = 'connected';
  const answer = await socket.emitWithAck('channels', null);
  if (!answer.channels) return;
  select.replaceChildren(...answer.channels.map((name) => new Option(name, name)));
});
socket.on('disconnect', () => (status.textContent = 'disconnected'));

document.getElementById('delete-channel').addEventListener('click', async () => {
  const channel = select.value;
  try {
    const answer = await emitWithStepUp(socket, 'delete-channel', channel, {
      onReauthRequired: stepUpDialog({
        texts: { description: 'Deleting a channel needs a recent sign-in. Confirm it’s you and it goes ahead.' },
      }),
    });
    if (answer.deleted) {
      report('Deleted #' + answer.deleted, 'ok');
      select.querySelector('option[value="' + answer.deleted + '"]')?.remove();
    } else report('Refused: ' + (answer.error ?? 'unknown'), 'error');
  } catch (error) {
    report('Delete: ' + error.name + ' (' + error.code + ')', 'error');
  }
});
`;
