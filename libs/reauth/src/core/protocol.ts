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
  /**
   * Event a WebSocket gateway sends for a refused message (a socket.io ack gets the same
   * payload): the JSON 401's fields (or the 403's, the 503's), plus `event`.
   */
  socketErrorEvent: 'reauth_error',
});

/**
 * `error` of a WebSocket refusal that a new connection settles: the handshake's session cookie
 * holds an expired access token, which only an HTTP request can refresh (a socket cannot set
 * cookies, and must not spend the browser's single-use refresh token).
 */
export const RECONNECT_REQUIRED_ERROR = 'reconnect_required';

/** The outcomes the marker reports. */
export type ReauthMarker = 'ok' | 'cancelled' | 'failed';
