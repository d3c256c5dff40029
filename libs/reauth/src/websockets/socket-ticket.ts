import { decryptCompactDir, encryptCompactDir } from '../crypto/jwe';
import { deriveKey, SOCKET_TICKET_KEY } from '../crypto/key-derivation';
import type { ReauthRequiredDetails } from '../exceptions/reauth-required.exception';

/**
 * What a WebSocket refusal needs the provider sign-in to satisfy, carried by its `reauthUrl` to
 * the login route. A socket cannot set the cookie that binds a sign-in's `state` to the browser,
 * so the refusal does not start the sign-in itself: the browser opens the login route with this
 * ticket, which starts it (and sets that cookie) as any HTTP refusal would. Sealed (a compact
 * JWE with a key derived for this purpose), so a page can neither read nor change it; it grants
 * nothing by itself, since the callback checks the sign-in as for any other refusal.
 */
export interface SocketTicket {
  /** The route's `max_age`; absent for a handler that only needs a sign-in. */
  maxAge?: number;
  sub?: string;
  sid?: string;
  authTime?: number;
  loginHint?: string;
  route?: string;
  acr?: readonly string[];
  amr?: readonly string[];
  /**
   * The refused connection was authenticated by the session cookie: the browser that opens the
   * ticket must then hold that very session (`sid`), not only the same user.
   */
  cookie?: boolean;
  /** The last second it is accepted. */
  exp: number;
}

/** How long a ticket is accepted: as long as the sign-in's own state. */
export const SOCKET_TICKET_SECONDS = 600;
/** Longer than any ticket the library seals (route names and hints are bounded). */
const TICKET_MAX_LENGTH = 4096;

/**
 * The ticket of a refusal's details, sealed with the module's `cookiePassword`; `cookie` when
 * the refused connection was authenticated by the session cookie.
 */
export function sealSocketTicket(
  details: Readonly<ReauthRequiredDetails>,
  secret: string,
  now: number,
  cookie = false,
): string {
  const ticket: SocketTicket = {
    maxAge: details.maxAge,
    sub: details.sub,
    sid: details.sid,
    authTime: details.authTime,
    loginHint: details.loginHint,
    route: details.route,
    acr: details.acrValues,
    amr: details.amr,
    ...(cookie ? { cookie: true } : {}),
    exp: now + SOCKET_TICKET_SECONDS,
  };
  const key = deriveKey(secret, SOCKET_TICKET_KEY);
  return encryptCompactDir(Buffer.from(JSON.stringify(ticket), 'utf8'), key);
}

/** Opens a ticket; `undefined` for anything that is not a live ticket of ours. */
export function openSocketTicket(
  token: unknown,
  secret: string,
  now: number,
): SocketTicket | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > TICKET_MAX_LENGTH) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      decryptCompactDir(token, deriveKey(secret, SOCKET_TICKET_KEY)).toString('utf8'),
    );
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const ticket = parsed as Record<string, unknown>;
  const { exp, maxAge, authTime } = ticket;
  if (!Number.isSafeInteger(exp) || now > (exp as number)) return undefined;
  // Sealed by this library, so well-formed; checked anyway, as a decision rests on it.
  const optionalInteger = (value: unknown) => value === undefined || Number.isSafeInteger(value);
  const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
  const optionalList = (value: unknown) =>
    value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (
    !optionalInteger(maxAge) ||
    !optionalInteger(authTime) ||
    !optionalString(ticket.sub) ||
    !optionalString(ticket.sid) ||
    !optionalString(ticket.loginHint) ||
    !optionalString(ticket.route) ||
    !optionalList(ticket.acr) ||
    !optionalList(ticket.amr) ||
    !(ticket.cookie === undefined || ticket.cookie === true)
  ) {
    return undefined;
  }
  return ticket as unknown as SocketTicket;
}
