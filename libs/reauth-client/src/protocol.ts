/**
 * What the browser helper and the server (`nest-workos-reauth`, its `core/protocol.ts`) say to
 * each other beyond RFC 9470. The server mirrors these literals under the same keys (its header
 * names lower-cased, as Node reads them); change one only together with the other.
 */
export const PROTOCOL = Object.freeze({
  /** Request header: {@link POPUP_MODE} asks for a callback page that reports to its opener. */
  modeHeader: 'X-Reauth-Mode',
  /**
   * Request header, in redirect mode on same-origin requests: a fresh random id per attempt
   * (22 characters of base64url), echoed as {@link PROTOCOL.idMarker} on the way back.
   */
  idHeader: 'X-Reauth-Id',
  /** Query parameter the server adds on the way back from a redirect re-auth: a `ReauthMarker`. */
  marker: 'reauth',
  /** Query parameter carrying the echoed id next to the marker. */
  idMarker: 'reauth_id',
  /** `type` of the message a popup posts to its opener: `{ type, status, code? }`. */
  popupMessageType: 'nest-reauth',
  /**
   * Event a WebSocket gateway sends for a refused message (a socket.io acknowledgement gets the
   * same payload): the JSON 401's fields (or the 403's, the 503's), plus `event`.
   */
  socketErrorEvent: 'reauth_error',
});

/**
 * `error` of a WebSocket refusal that a new connection settles: the session cookie of the
 * connection's handshake holds an expired access token. An HTTP request to its `refreshUrl`
 * renews the cookie; a new connection then carries it.
 */
export const RECONNECT_REQUIRED_ERROR = 'reconnect_required';

/** The value of {@link PROTOCOL.modeHeader} in popup mode. */
export const POPUP_MODE = 'popup';

/** The outcomes the marker reports, and the popup message's `status`. */
export const REAUTH_MARKERS = Object.freeze(['ok', 'cancelled', 'failed'] as const);

export type ReauthMarker = (typeof REAUTH_MARKERS)[number];

/** `error` of the JSON 401 body that asks for re-authentication. */
export const REAUTH_REQUIRED_ERROR = 'reauth_required';

/**
 * `extensions.code` of the GraphQL error that asks for re-authentication (a refused field of a
 * `nest-workos-reauth` GraphQL API); its `extensions` carry `reason`, `maxAge`, `acrValues` and
 * `reauthUrl`, as the JSON 401 does.
 */
export const REAUTH_REQUIRED_GRAPHQL_CODE = 'REAUTH_REQUIRED';
