import { CALLBACK_FAILURES, type CallbackFailureCode } from './callback-failures';

/** The callback's query, already validated. */
export interface CallbackParams {
  code?: string;
  state: string;
  error?: string;
  errorDescription?: string;
  /** RFC 9207: the issuer that sent the browser back, checked where the provider sends it. */
  iss?: string;
}

/** What the callback answers. */
export type CallbackOutcome =
  | { kind: 'redirect'; location: string; setCookies: string[] }
  | {
      /** A popup re-authentication ended: the page tells the opener (`status`) and closes. */
      kind: 'popup';
      status: 'ok' | 'cancelled' | 'failed';
      code?: string;
      setCookies: string[];
      /** What the user confirmed (or failed to), on a route bound to one action. */
      summary?: string;
    }
  | {
      kind: 'failure';
      status: number;
      code: string;
      title: string;
      message: string;
      setCookies: string[];
      /** A safe place to go from the failure page. */
      continueTo: string;
      /** Codes or field names the page adds to its message (never free text from the request). */
      details?: string[];
      /** What the user was confirming, on a route bound to one action. */
      summary?: string;
    };

/**
 * The failure page's outcome for `code`, from {@link CALLBACK_FAILURES}; `details` (codes, field
 * names: never free text from the request) are appended to its message.
 */
export function callbackFailure(
  code: CallbackFailureCode,
  continueTo: string,
  setCookies: string[] = [],
  details?: string[],
): CallbackOutcome {
  const { status, title, message } = CALLBACK_FAILURES[code];
  return {
    kind: 'failure',
    status,
    code,
    title,
    message: details ? `${message} (${details.join(', ')})` : message,
    setCookies,
    continueTo,
    ...(details ? { details } : {}),
  };
}

/** The callback's query as the provider sent it, for the provider's own checks. */
export function callbackQuery(params: CallbackParams): URLSearchParams {
  const query = new URLSearchParams({ state: params.state });
  if (params.code !== undefined) query.set('code', params.code);
  if (params.error !== undefined) query.set('error', params.error);
  if (params.iss !== undefined) query.set('iss', params.iss);
  return query;
}
