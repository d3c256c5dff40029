import { ReauthCancelledError, ReauthFailedError } from './errors.js';
import { PROTOCOL, type ReauthMarker } from './protocol.js';
import type { ReauthWindow } from './reauth-fetch.js';

const POPUP_CLOSED_CHECK_MS = 400;

/**
 * Settles when the popup reports its outcome (a message of {@link PROTOCOL.popupMessageType}
 * from the popup itself, at `expectedOrigin`), or rejects when the user closes it.
 */
export function awaitPopup(
  popup: { closed: boolean },
  win: () => ReauthWindow,
  expectedOrigin: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let closedOnce = false;
    const cleanup = () => {
      clearInterval(watch);
      win().removeEventListener('message', onMessage);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== (popup as unknown) || event.origin !== expectedOrigin) return;
      const data = event.data as { type?: unknown; status?: unknown; code?: unknown } | null;
      if (!data || data.type !== PROTOCOL.popupMessageType) return;
      cleanup();
      if (data.status === ('ok' satisfies ReauthMarker)) resolve();
      else if (data.status === ('cancelled' satisfies ReauthMarker))
        reject(new ReauthCancelledError());
      else reject(new ReauthFailedError(typeof data.code === 'string' ? data.code : undefined));
    };
    // A popup that closes without a word was closed by the user. Closing right after posting
    // is normal, so a closed popup gets one more check for its message before counting.
    const watch = setInterval(() => {
      if (!popup.closed) return;
      if (!closedOnce) {
        closedOnce = true;
        return;
      }
      cleanup();
      reject(new ReauthCancelledError('The re-authentication window was closed'));
    }, POPUP_CLOSED_CHECK_MS);
    win().addEventListener('message', onMessage);
  });
}
