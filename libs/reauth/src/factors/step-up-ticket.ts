import { decryptCompactDir, encryptCompactDir } from '../crypto/jwe';
import { deriveKey, STEP_UP_TICKET_KEY } from '../crypto/key-derivation';

/**
 * What a refusal hands the page for confirming in it: which session and user it was for, and the
 * route, whose `maxAge` 0 grant an in-page proof then earns. Sealed (a compact JWE with a key
 * derived for this purpose), so the page can neither read the route's name nor change it.
 */
export interface StepUpTicket {
  /** The session key (see `sessionKeyOf`). */
  sk: string;
  sub: string;
  /** `<controller path>:Controller.handler` of the refused route. */
  route: string;
  maxAge: number;
  /** The digest of the bound action it confirms, on an action-bound route. */
  d?: string;
  /** The last second it is accepted. */
  exp: number;
}

/** How long a ticket is accepted: as long as a refusal's re-authentication may take. */
export const TICKET_SECONDS = 600;
const TICKET_MAX_LENGTH = 2048;

/** Seals a ticket with the module's `cookiePassword`. */
export function sealTicket(ticket: StepUpTicket, secret: string): string {
  const key = deriveKey(secret, STEP_UP_TICKET_KEY);
  return encryptCompactDir(Buffer.from(JSON.stringify(ticket), 'utf8'), key);
}

/** Opens a ticket; `undefined` for anything that is not a live ticket of ours. */
export function openTicket(token: unknown, secret: string, now: number): StepUpTicket | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > TICKET_MAX_LENGTH) {
    return undefined;
  }
  let ticket: unknown;
  try {
    ticket = JSON.parse(
      decryptCompactDir(token, deriveKey(secret, STEP_UP_TICKET_KEY)).toString('utf8'),
    );
  } catch {
    return undefined;
  }
  const { sk, sub, route, maxAge, exp, d } = (ticket ?? {}) as Record<string, unknown>;
  if (
    (d !== undefined && (typeof d !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(d))) ||
    typeof sk !== 'string' ||
    typeof sub !== 'string' ||
    typeof route !== 'string' ||
    !Number.isSafeInteger(maxAge) ||
    !Number.isSafeInteger(exp) ||
    now > (exp as number)
  ) {
    return undefined;
  }
  return {
    sk,
    sub,
    route,
    maxAge: maxAge as number,
    exp: exp as number,
    ...(d === undefined ? {} : { d: d }),
  };
}
