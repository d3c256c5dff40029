import type { ReauthWindow } from './reauth-fetch.js';

// A same-origin app for the specs of confirmation in the page: a guarded route that refuses
// with `stepUp` until confirmed, and the confirmation endpoints of the protocol.

export const ORIGIN = 'https://app.example';
export const REAUTH_URL = 'https://auth.example/authorize?max_age=300';
export const TICKET = 'ticket-7f3a';
export const PASSWORD = 'correct horse';
export const CODE = '123456';

export const PASSKEY_METHOD = {
  kind: 'passkey',
  optionsUrl: '/auth/step-up/passkey/options',
  confirmUrl: '/auth/step-up/passkey',
};
export const PASSWORD_METHOD = { kind: 'password', confirmUrl: '/auth/step-up/password' };
export const PROVIDER_METHOD = { kind: 'provider', url: REAUTH_URL };

export const REQUEST_OPTIONS = { challenge: 'Y2hhbGxlbmdl', rpId: 'app.example' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const confirmed = (method: string) =>
  json(200, {
    status: 'confirmed',
    method,
    amr: [method === 'passkey' ? 'hwk' : 'pwd'],
    at: 1,
    expiresAt: 301,
  });

/** A recorded request, its body read. */
export interface Seen {
  url: string;
  method: string;
  headers: Headers;
  credentials: RequestCredentials;
  body?: unknown;
}

/**
 * The app. `stepUp` is what its refusals offer (`undefined`: none); `confirmedOnce` makes a
 * confirmation good for one request only, so that the retry is refused again.
 */
export function fakeApp(
  options: {
    stepUp?: unknown;
    hasCode?: boolean;
    confirmedOnce?: boolean;
    answer?: (path: string) => Response | undefined;
  } = {},
) {
  const state = { confirmed: false, codePending: false, seen: [] as Seen[] };
  const refusal = () =>
    json(
      401,
      {
        statusCode: 401,
        error: 'reauth_required',
        reason: 'stale',
        maxAge: 300,
        reauthUrl: REAUTH_URL,
        ...(options.stepUp === undefined ? {} : { stepUp: options.stepUp }),
      },
      { 'www-authenticate': 'Bearer error="insufficient_user_authentication", max_age="300"' },
    );
  const route = (path: string, body: Record<string, unknown>): Response => {
    const forced = options.answer?.(path);
    if (forced) return forced;
    if (path.startsWith('/api/')) {
      if (!state.confirmed) return refusal();
      if (options.confirmedOnce) state.confirmed = false;
      return json(200, { ok: true, path });
    }
    if (body.ticket !== TICKET) return json(400, { statusCode: 400, error: 'invalid_request' });
    if (path === PASSKEY_METHOD.optionsUrl) return json(200, REQUEST_OPTIONS);
    if (path === PASSKEY_METHOD.confirmUrl) {
      state.confirmed = true;
      return confirmed('passkey');
    }
    if (path === PASSWORD_METHOD.confirmUrl) {
      if (state.codePending && body.code !== undefined) {
        if (body.code !== CODE) return json(400, { statusCode: 400, error: 'invalid_code' });
        state.confirmed = true;
        return confirmed('password');
      }
      if (body.password !== PASSWORD) {
        return json(400, { statusCode: 400, error: 'invalid_credentials' });
      }
      if (options.hasCode) {
        state.codePending = true;
        return json(200, { status: 'code_required', factor: 'totp' });
      }
      state.confirmed = true;
      return confirmed('password');
    }
    return json(404, { statusCode: 404, error: 'not_found' });
  };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const text = await request.clone().text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const { pathname } = new URL(request.url);
    state.seen.push({
      url: request.url,
      method: request.method,
      headers: request.headers,
      credentials: request.credentials,
      body: text ? body : undefined,
    });
    return route(pathname, body);
  };
  /** The requests sent to `path`. */
  const sent = (path: string) => state.seen.filter(({ url }) => new URL(url).pathname === path);
  return { state, fetch, sent };
}

/** The browser surface, for the provider's popup. */
export class FakeWindow implements ReauthWindow {
  popups: { url: string; closed: boolean; close(): void }[] = [];
  private listeners = new Set<(event: MessageEvent) => void>();
  location = { origin: ORIGIN, href: `${ORIGIN}/spa`, assign: () => undefined };
  sessionStorage = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };

  open(url: string) {
    const popup = { url, closed: false, close: () => (popup.closed = true) };
    this.popups.push(popup);
    return popup;
  }
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.delete(listener);
  }
  /** The popup reports success. */
  reportOk(): void {
    const event = {
      data: { type: 'nest-reauth', status: 'ok' },
      source: this.popups.at(-1),
      origin: ORIGIN,
    } as unknown as MessageEvent;
    for (const listener of [...this.listeners]) listener(event);
  }
}
