import { request as httpRequest } from 'node:http';
import { CookieJar } from 'tough-cookie';
import { findForm } from '../test/support/http-browser';
import type { Gate } from './clocks';
import type { Observations, Target } from './observations';
import type { Random } from './random';

/** Where the virtual users' requests go. */
export interface SoakNetwork {
  /** The app's public origin, behind which the instances sit (`http://localhost:<port>`). */
  publicOrigin: string;
  /** The emulator's origin (`http://127.0.0.1:<port>`). */
  emulatorOrigin: string;
  /** The instances' ports, on the loopback interface. */
  instancePorts: readonly number[];
}

/** A response, read in full. */
export interface BrowserResponse {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** The absolute `Location` of a redirect. */
  location?: string;
  target: Target;
}

/** What a navigation went through: every response, redirects included, the last one last. */
export interface Navigation {
  hops: BrowserResponse[];
  final: BrowserResponse;
}

/** The server never answered, or dropped the connection. */
export class TransportError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TransportError';
  }
}

/**
 * Longer than any answer a healthy app gives under the worst fault of the run (a hanging AuthKit
 * call is given up after 10 s by the SDK, and retried once), so a timeout here means the app hung.
 */
const REQUEST_TIMEOUT_MS = 45_000;
const MAX_REDIRECTS = 10;

const NAVIGATION_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** A function is called as the request is sent: what the user reads off a clock (a code). */
  body?: string | (() => string);
}

/** A form's values; a function is called as the form is sent (see {@link VirtualBrowser.submit}). */
export type FormValues = Record<string, string> | (() => Record<string, string>);

/** A request as sent, to send it again on a reload. */
interface Sent {
  url: string;
  init: RequestInit & { method: string };
  /** The page that made it; `undefined` for one typed, reloaded or redirected to. */
  initiator?: string;
  navigation: boolean;
}

/**
 * A browser of one virtual user: its own cookie jar (tough-cookie: per host, HttpOnly and
 * SameSite kept; cookies do not tell ports apart, so all instances share them as they would
 * behind one host name), redirects followed as a browser follows them, and the headers a browser
 * sends. A request to the app's public origin goes to an instance chosen at random, as a load
 * balancer without sticky sessions would send it; the `Host` header keeps the public name.
 *
 * A "current" browser sends Fetch Metadata (`Sec-Fetch-Site`, `-Mode`, `-Dest`); an "older" one
 * does not, so the library must go by `Accept` to negotiate and by `Origin` to tell same-origin
 * posts. Each user has one or the other.
 *
 * Every request passes through `requests`, the gate the clocks close while they move: no request
 * is under way while time jumps.
 */
export class VirtualBrowser {
  readonly jar = new CookieJar();
  /** The document the user is looking at: the initiator of the next navigation or fetch. */
  page?: BrowserResponse;
  private last?: Sent;

  constructor(
    private readonly user: { index: number; address: string },
    private readonly network: SoakNetwork,
    private readonly requests: Gate,
    private readonly random: Random,
    private readonly observations: Observations,
    readonly fetchMetadata: boolean,
  ) {}

  /** The app's URL for `path`. */
  app(path: string): string {
    return new URL(path, this.network.publicOrigin).href;
  }

  /** A navigation to `url` (typed, or a link on the current page), following redirects. */
  navigate(url: string, typed = false): Promise<Navigation> {
    const initiator = typed ? undefined : this.page?.url;
    return this.navigation(url, { method: 'GET' }, initiator);
  }

  /**
   * Submits the current page's form whose action contains `actionPart`, with `values`. Values
   * given as a function are read as the form is posted, after any move of the clocks the post
   * waited for: a code read off an authenticator app is the one of the moment it is sent.
   */
  submit(actionPart: string, values: FormValues = {}): Promise<Navigation> {
    const page = this.page;
    if (!page) throw new Error('no page to submit a form from');
    const form = findForm(page.text, actionPart);
    const url = new URL(form.action, page.url).href;
    const fields = () => ({
      ...form.fields,
      ...(typeof values === 'function' ? values() : values),
    });
    if (form.method === 'GET') {
      const target = new URL(url);
      for (const [name, value] of Object.entries(fields())) target.searchParams.set(name, value);
      return this.navigation(target.href, { method: 'GET' }, page.url);
    }
    const body = () => new URLSearchParams(fields()).toString();
    return this.navigation(
      url,
      {
        method: form.method,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      },
      page.url,
    );
  }

  /**
   * Posts a form to `url` from the page at `from` (default the current page): a form the user
   * filled in on a page loaded earlier.
   */
  post(url: string, fields: Record<string, string>, from = this.page?.url): Promise<Navigation> {
    return this.navigation(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      },
      from,
    );
  }

  /**
   * A `fetch()` from the current page's script: JSON, redirects not followed, page unchanged.
   * `instance` sends it to that instance rather than to one chosen at random.
   */
  async fetch(
    url: string,
    init: { method?: string; json?: unknown; instance?: number } = {},
  ): Promise<BrowserResponse> {
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const initiator = this.page?.url;
    if (initiator && method !== 'GET' && method !== 'HEAD') {
      headers.origin = new URL(initiator).origin;
    }
    if (initiator) headers.referer = initiator;
    if (this.fetchMetadata) {
      headers['sec-fetch-site'] = site(initiator, url);
      headers['sec-fetch-mode'] = 'cors';
      headers['sec-fetch-dest'] = 'empty';
    }
    this.last = { url, init: { method, headers, body }, navigation: false };
    return this.send(url, { method, headers, body }, init.instance);
  }

  /**
   * Sends the last request again, as a person reloading the page does (a form is posted again;
   * a navigation that ended after redirects reloads where it ended).
   */
  async reload(): Promise<Navigation> {
    const last = this.last;
    if (!last) throw new Error('nothing to reload');
    if (!last.navigation) {
      const response = await this.send(last.url, last.init);
      return { hops: [response], final: response };
    }
    return this.navigation(last.url, last.init, last.initiator);
  }

  private async navigation(
    url: string,
    init: RequestInit & { method: string },
    initiator: string | undefined,
  ): Promise<Navigation> {
    const hops: BrowserResponse[] = [];
    let current = { url, init };
    // Sec-Fetch-Site of a redirect chain is the most foreign of its hops.
    let chainSite = site(initiator, url);
    for (let hop = 0; ; hop++) {
      const first = hop === 0;
      this.last = {
        url: current.url,
        init: current.init,
        initiator: first ? initiator : undefined,
        navigation: true,
      };
      const headers: Record<string, string> = {
        accept: NAVIGATION_ACCEPT,
        ...current.init.headers,
      };
      if (this.fetchMetadata) {
        headers['sec-fetch-site'] = chainSite;
        headers['sec-fetch-mode'] = 'navigate';
        headers['sec-fetch-dest'] = 'document';
      }
      // The full URL goes to the same origin only; the emulator's pages send none at all.
      if (first && initiator && sameOrigin(initiator, current.url) && !this.isEmulator(initiator)) {
        headers.referer = initiator;
      }
      if (current.init.method === 'POST') {
        headers.origin = first && initiator ? new URL(initiator).origin : 'null';
      }
      const response = await this.send(current.url, { ...current.init, headers });
      hops.push(response);
      if (!response.location || ![301, 302, 303, 307, 308].includes(response.status)) {
        this.page = response;
        return { hops, final: response };
      }
      if (hop === MAX_REDIRECTS) throw new Error(`too many redirects from ${url}`);
      const keepsMethod = response.status === 307 || response.status === 308;
      chainSite = worse(chainSite, site(initiator ?? current.url, response.location));
      current = { url: response.location, init: keepsMethod ? current.init : { method: 'GET' } };
    }
  }

  private isEmulator(url: string): boolean {
    return url.startsWith(this.network.emulatorOrigin);
  }

  /** One request, between two moves of the clocks. */
  private async send(url: string, init: RequestInit, instance?: number): Promise<BrowserResponse> {
    await this.requests.enter();
    try {
      return await this.sendNow(url, init, instance);
    } finally {
      this.requests.leave();
    }
  }

  /** One request over `node:http` (fetch adds headers of its own), through the cookie jar. */
  private async sendNow(
    url: string,
    init: RequestInit,
    instance?: number,
  ): Promise<BrowserResponse> {
    const parsed = new URL(url);
    let target: Target;
    let port: number;
    if (parsed.origin === this.network.publicOrigin) {
      const index = instance ?? this.random.int(0, this.network.instancePorts.length - 1);
      target = `instance ${index}`;
      port = this.network.instancePorts[index];
    } else if (parsed.origin === this.network.emulatorOrigin) {
      target = 'emulator';
      port = Number(parsed.port);
    } else {
      throw new Error(`a redirect left the soak's origins: ${parsed.origin}`);
    }
    const headers: Record<string, string> = { host: parsed.host, ...init.headers };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    const body = typeof init.body === 'function' ? init.body() : init.body;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const method = init.method ?? 'GET';
    const started = this.observations.now();
    const record = (status: number, error?: string, response?: BrowserResponse) =>
      this.observations.request({
        user: this.user.index,
        start: started,
        ms: this.observations.now() - started,
        method,
        path: parsed.pathname,
        target,
        status,
        error,
        response,
      });
    let answer: { status: number; headers: Headers; text: string };
    try {
      answer = await exchange(
        { port, path: parsed.pathname + parsed.search, method, headers },
        this.user.address,
        body,
      );
    } catch (error) {
      const failure = new TransportError(url, error);
      record(0, failure.message);
      throw failure;
    }
    for (const setCookie of answer.headers.getSetCookie()) {
      await this.jar.setCookie(setCookie, url, { ignoreError: true });
    }
    const location = answer.headers.get('location');
    const response: BrowserResponse = {
      method,
      url,
      ...answer,
      location: location ? new URL(location, url).href : undefined,
      target,
    };
    record(answer.status, undefined, response);
    return response;
  }
}

function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

type FetchSite = 'none' | 'same-origin' | 'cross-site';

function site(initiator: string | undefined, target: string): FetchSite {
  if (initiator === undefined) return 'none';
  return sameOrigin(initiator, target) ? 'same-origin' : 'cross-site';
}

function worse(a: FetchSite, b: FetchSite): FetchSite {
  const order: FetchSite[] = ['none', 'same-origin', 'cross-site'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

function exchange(
  options: { port: number; path: string; method: string; headers: Record<string, string> },
  localAddress: string,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', family: 4, localAddress, agent: false, ...options },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : [value ?? '']) {
              headers.append(name, item);
            }
          }
          resolve({
            status: res.statusCode ?? 0,
            headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer in time')));
    req.end(body);
  });
}
