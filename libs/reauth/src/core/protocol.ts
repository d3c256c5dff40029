/**
 * What the server and the browser helper (`step-up-fetch`) say to each other beyond RFC 9470:
 * the same literals live in the helper's `protocol.ts`, and a test keeps the two equal.
 */
export const PROTOCOL = Object.freeze({
  /** Request header: `popup` asks for a callback page that reports to its opener. */
  modeHeader: 'x-reauth-mode',
  /** Request header: the helper's id for the request, echoed after a redirect re-auth. */
  idHeader: 'x-reauth-id',
  /** Query parameter the callback adds on the way back: `ok`, `cancelled` or `failed`. */
  marker: 'reauth',
  /** Query parameter carrying the echoed id next to the marker. */
  idMarker: 'reauth_id',
  /** `type` of the message a popup posts to its opener. */
  popupMessageType: 'nest-reauth',
});

/** The outcomes the marker reports. */
export type ReauthMarker = 'ok' | 'cancelled' | 'failed';
