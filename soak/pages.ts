// What the soak reads from the pages and JSON answers of the demo and the emulator. The demo's
// pages mark what matters with ids (`#email`, `#delete-now`, `#deleted`...), as its browser tests
// rely on too.
import { decodeEntities } from '../test/support/http-browser';
import type { BrowserResponse } from './browser';

/** The signed-in user an app page names (`<dd id="email">` or `<strong id="email">`). */
export function shownEmail(html: string): string | undefined {
  const match = /<(?:dd|strong) id="email">([^<]*)</.exec(html);
  return match ? decodeEntities(match[1]) : undefined;
}

/** The value of the input with id `id`, if the page has one. */
export function inputValue(html: string, id: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\sid="${id}"[^>]*>`).exec(html)?.[0];
  const value = input && /\svalue="([^"]*)"/.exec(input);
  return value ? decodeEntities(value[1]) : undefined;
}

export function hasElement(html: string, id: string): boolean {
  return html.includes(`id="${id}"`);
}

export function isJson(response: BrowserResponse): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('application/json');
}

export function jsonBody(response: BrowserResponse): Record<string, unknown> | undefined {
  if (!isJson(response)) return undefined;
  try {
    const body: unknown = JSON.parse(response.text);
    return typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a failed answer told the user: the `error` of a JSON body, the code a problem page of the
 * library (or an error page of the emulator) shows in `<code>`, else only the status.
 */
export function failureOf(response: BrowserResponse): string {
  const body = jsonBody(response);
  const error = body?.error;
  const reason = typeof body?.reason === 'string' ? ` (${body.reason})` : '';
  if (typeof error === 'string') return `${response.status} ${error}${reason}`;
  const code = /<p><code>([^<]+)<\/code><\/p>/.exec(response.text)?.[1];
  return code ? `${response.status} ${decodeEntities(code)}` : `${response.status}`;
}

/** Whether an answer says what went wrong in a way a user (or a client) can act on. */
export function isClearFailure(response: BrowserResponse): boolean {
  return response.status >= 400 && failureOf(response) !== String(response.status);
}

/** The hosted page of the emulator a response shows, by the form it holds. */
export type HostedStep = 'email' | 'password' | 'totp' | 'sso';

export function hostedStep(html: string): HostedStep | undefined {
  for (const step of ['totp', 'password', 'sso', 'email'] as const) {
    if (html.includes(`action="/user_management/authorize/${step}"`)) return step;
  }
  return undefined;
}
