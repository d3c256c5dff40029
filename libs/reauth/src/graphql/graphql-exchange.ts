import type { AbstractHttpAdapter } from '@nestjs/core';
import type { ReauthRequest } from '../interfaces';

/**
 * One GraphQL HTTP request can refuse many fields: several guarded fields, aliases of one, the
 * operations of a batch. Their refusals share the request, and what they write to it must agree.
 */
interface ExchangeState {
  /** The re-authentication starts of this request, run one after another. */
  queue: Promise<unknown>;
  /** `name=value` of the binding cookie the first start set, which later starts reuse. */
  binding?: string;
  /** Header values already written, so each is written once. */
  written: Set<string>;
  /** The values of each list header (`WWW-Authenticate`) written so far, in order. */
  lists: Map<string, string[]>;
  /** Starts by what they ask for: aliases of one field share one sealed state and URL. */
  started: Map<string, Promise<unknown>>;
}

const exchanges = new WeakMap<object, ExchangeState>();

function stateOf(request: object): ExchangeState {
  let state = exchanges.get(request);
  if (!state) {
    state = { queue: Promise.resolve(), written: new Set(), lists: new Map(), started: new Map() };
    exchanges.set(request, state);
  }
  return state;
}

/**
 * Runs `start` for a refused field after the request's earlier starts, with a view of the
 * request that already carries the binding cookie an earlier start set; a start with the same
 * `key` (the same route and requirement) as an earlier one of the request reuses its result. Every re-auth URL of the
 * response is then bound to the one cookie the browser keeps: otherwise each start of a browser
 * without the cookie would pick its own value, and only the last `Set-Cookie` would survive.
 */
export function startInTurn<T extends { setCookie: string }>(
  request: ReauthRequest,
  key: string,
  start: (request: ReauthRequest) => Promise<T>,
): Promise<T> {
  const state = stateOf(request);
  // Hundreds of aliases of one field cost one start, not one sealed state each.
  const earlier = state.started.get(key) as Promise<T> | undefined;
  if (earlier) return earlier;
  const run = state.queue.then(async () => {
    const started = await start(state.binding ? withCookie(request, state.binding) : request);
    state.binding ??= started.setCookie.split(';', 1)[0];
    return started;
  });
  state.queue = run.catch(() => undefined);
  state.started.set(key, run);
  return run;
}

/**
 * Writes a header of the HTTP response a GraphQL field belongs to, once per request and value;
 * `append` adds a value (`Set-Cookie`, `WWW-Authenticate`), otherwise it replaces. Nothing is
 * written when there is no response or its headers are already sent; a refusal never fails
 * because of a header.
 *
 * Cookies are appended through the adapter (Express and Fastify both keep each `Set-Cookie`).
 * From its second value on, another appended header is written as one comma-separated list
 * (RFC 9110 §5.3), since Fastify's adapter replaces a header it is asked to append: two refused
 * fields asking for different things then both keep their challenge on either platform.
 */
export function writeHeader(
  adapter: Pick<AbstractHttpAdapter, 'setHeader' | 'isHeadersSent'> &
    Partial<Pick<AbstractHttpAdapter, 'appendHeader'>>,
  request: ReauthRequest,
  response: object | undefined,
  header: { name: string; value: string; append?: boolean },
): void {
  if (!response) return;
  const { written, lists } = stateOf(request);
  const name = header.name.toLowerCase();
  const key = `${name}\n${header.value}`;
  if (written.has(key)) return;
  try {
    if (adapter.isHeadersSent(response)) return;
    written.add(key);
    if (!header.append) {
      adapter.setHeader(response, header.name, header.value);
    } else if (name === 'set-cookie') {
      adapter.appendHeader?.(response, header.name, header.value);
    } else {
      const values = [...(lists.get(name) ?? []), header.value];
      lists.set(name, values);
      if (values.length === 1 && adapter.appendHeader) {
        adapter.appendHeader(response, header.name, header.value);
      } else {
        adapter.setHeader(response, header.name, values.join(', '));
      }
    }
  } catch {
    // A response that cannot take the header still gets the GraphQL error.
  }
}

function withCookie(request: ReauthRequest, pair: string): ReauthRequest {
  const existing = request.headers.cookie;
  return {
    method: request.method,
    originalUrl: request.originalUrl,
    url: request.url,
    ip: request.ip,
    socket: request.socket,
    // First, so that it wins over an unusable value of the same cookie.
    headers: {
      ...request.headers,
      cookie: typeof existing === 'string' && existing !== '' ? `${pair}; ${existing}` : pair,
    },
  };
}
