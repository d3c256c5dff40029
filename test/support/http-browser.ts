import { request as httpRequest } from 'node:http';
import { CookieJar } from 'tough-cookie';

/** A response as the tests see it: redirects are not followed, bodies are read eagerly. */
export interface BrowserResponse {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** The absolute `Location`, for redirects. */
  location?: string;
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

/**
 * A minimal browser over `fetch`: a real cookie jar (per origin, with HttpOnly and SameSite
 * kept), manual redirects, and form submission from the server-rendered pages. Tests use it to
 * click through hosted pages without a real browser.
 */
export class HttpBrowser {
  readonly jar = new CookieJar();

  /**
   * One request over `node:http`, not `fetch()`: fetch adds `Sec-Fetch-Mode: cors` to every
   * request, and the tests need to send what a browser sends for a navigation.
   */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const res = await send(url, init.method ?? 'GET', headers, body);
    for (const setCookie of res.headers.getSetCookie()) await this.jar.setCookie(setCookie, url);
    const location = res.headers.get('location');
    return { url, ...res, location: location ? new URL(location, url).href : undefined };
  }

  get(url: string, headers?: Record<string, string>): Promise<BrowserResponse> {
    return this.request(url, { headers });
  }

  /**
   * Follows redirects from `url` until a response is not a redirect, or the next hop satisfies
   * `stopAt` (typically the app's callback, which the test then handles itself).
   */
  async follow(
    url: string,
    stopAt: (next: string) => boolean = () => false,
    maxHops = 10,
  ): Promise<BrowserResponse> {
    let res = await this.get(url);
    for (let hop = 0; res.location && !stopAt(res.location); hop++) {
      if (hop === maxHops) throw new Error(`too many redirects from ${url}`);
      res = await this.get(res.location);
    }
    return res;
  }

  /** Submits the page's form whose action contains `actionPart`, adding `values`. */
  submit(
    page: BrowserResponse,
    actionPart: string,
    values: Record<string, string> = {},
  ): Promise<BrowserResponse> {
    const form = findForm(page.text, actionPart);
    return this.request(new URL(form.action, page.url).href, {
      method: form.method,
      form: { ...form.fields, ...values },
    });
  }
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decodeEntities(match[1]) : undefined;
}

/** Decodes the entities the pages' attributes and text use. */
export function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The form whose action contains `actionPart`, with its inputs' current values. */
export function findForm(html: string, actionPart: string): HtmlForm {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
  for (const form of forms) {
    const open = /<form\b[^>]*>/.exec(form)![0];
    const action = attribute(open, 'action') ?? '';
    if (!action.includes(actionPart)) continue;
    const fields: Record<string, string> = {};
    for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
      const name = attribute(input, 'name');
      if (name) fields[name] = attribute(input, 'value') ?? '';
    }
    return { action, method: (attribute(open, 'method') ?? 'get').toUpperCase(), fields };
  }
  throw new Error(`no form with action containing "${actionPart}" on the page`);
}

/** One request over `node:http`, with exactly the headers given (no cookie jar). */
export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const collected = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const item of Array.isArray(value) ? value : [value ?? '']) {
            collected.append(name, item);
          }
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: collected,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.end(body);
  });
}
