import { isRecord } from './values.js';

// What a refusal says about confirming in the page (`stepUp` in the JSON 401 body or the GraphQL
// error's `extensions`), read without trusting any of it.

/** A way to confirm offered by the server, as its refusal lists it. */
export type StepUpMethod =
  | { kind: 'passkey'; optionsUrl: string; confirmUrl: string }
  | { kind: 'password'; confirmUrl: string }
  | { kind: 'provider'; url: string };

/** How the user may confirm it's them: with a passkey, the password, or at the provider. */
export type StepUpMethodKind = 'passkey' | 'password' | 'provider';

/** `stepUp` of a refusal: the ticket to send back, and the methods this user may use. */
export interface StepUpOffer {
  ticket: string;
  methods: StepUpMethod[];
}

/** The longest ticket taken from a response, in characters. */
const MAX_TICKET_LENGTH = 2048;

/**
 * A same-origin path (`/auth/step-up/...`) resolved against `origin`; `undefined` for anything
 * else: an absolute URL, a scheme-relative `//host`, a backslash, control characters.
 */
export function sameOriginPath(value: unknown, origin: string): string | undefined {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    /[\\\s]/.test(value) ||
    [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)
  ) {
    return undefined;
  }
  const url = new URL(value, origin);
  return url.origin === origin ? url.href : undefined;
}

function readMethod(value: unknown, origin: string): StepUpMethod | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'passkey') {
    const optionsUrl = sameOriginPath(value.optionsUrl, origin);
    const confirmUrl = sameOriginPath(value.confirmUrl, origin);
    return optionsUrl && confirmUrl ? { kind: 'passkey', optionsUrl, confirmUrl } : undefined;
  }
  if (value.kind === 'password') {
    const confirmUrl = sameOriginPath(value.confirmUrl, origin);
    return confirmUrl ? { kind: 'password', confirmUrl } : undefined;
  }
  if (value.kind === 'provider' && typeof value.url === 'string' && value.url !== '') {
    return { kind: 'provider', url: value.url };
  }
  return undefined;
}

/**
 * The `stepUp` of a refusal from `origin`, with its confirmation URLs resolved against it:
 * methods of unknown kinds or with URLs that are not same-origin paths are left out, and so is
 * a second method of the same kind. `undefined` when there is no usable ticket.
 */
export function readStepUpOffer(value: unknown, origin: string): StepUpOffer | undefined {
  if (!isRecord(value) || !Array.isArray(value.methods)) return undefined;
  const { ticket } = value;
  if (typeof ticket !== 'string' || ticket === '' || ticket.length > MAX_TICKET_LENGTH) {
    return undefined;
  }
  const methods: StepUpMethod[] = [];
  for (const entry of value.methods as unknown[]) {
    const method = readMethod(entry, origin);
    if (method && !methods.some(({ kind }) => kind === method.kind)) methods.push(method);
  }
  return { ticket, methods };
}

/** The answer of a confirmation endpoint once the user is confirmed. */
export interface StepUpConfirmed {
  /** The user is confirmed. */
  status: 'confirmed';
  /** Which method confirmed. */
  method: 'passkey' | 'password';
  /** The authentication methods the proof counts as (RFC 8176 `amr` values). */
  amr: string[];
  /** When it was confirmed, in seconds since the epoch. */
  at: number;
  /** Until when it counts, in seconds since the epoch. */
  expiresAt: number;
}

/** The password was right and the user has a second factor: send its code next. */
export interface StepUpCodeRequired {
  /** Send the code next. */
  status: 'code_required';
  /** The kind of code: a TOTP code from an authenticator app. */
  factor: 'totp';
}

/** `json` as a {@link StepUpConfirmed} or {@link StepUpCodeRequired}, else `undefined`. */
export function readConfirmationAnswer(
  json: unknown,
): StepUpConfirmed | StepUpCodeRequired | undefined {
  if (!isRecord(json)) return undefined;
  if (json.status === 'code_required') return { status: 'code_required', factor: 'totp' };
  if (
    json.status === 'confirmed' &&
    (json.method === 'passkey' || json.method === 'password') &&
    Array.isArray(json.amr) &&
    json.amr.every((value) => typeof value === 'string') &&
    typeof json.at === 'number' &&
    typeof json.expiresAt === 'number'
  ) {
    const { method, amr, at, expiresAt } = json;
    return { status: 'confirmed', method, amr: [...amr], at, expiresAt };
  }
  return undefined;
}
