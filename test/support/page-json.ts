import type { HttpBrowser } from './http-browser';

/** A JSON answer: its status, parsed body and headers. */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * JSON requests as the app's own page sends them with `fetch`: the browser's cookies for the
 * site, its `Origin`, no redirects followed; cookies the answer sets go back into the jar.
 * `site` is the origin whose cookies are sent (one site behind a load balancer, say).
 */
export function pageJson(browser: HttpBrowser, site: string) {
  return async (method: string, url: string, body?: unknown): Promise<JsonAnswer> => {
    const target = url.startsWith('http') ? url : `${site}${url}`;
    const res = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        origin: new URL(target).origin,
        cookie: await browser.jar.getCookieString(site),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of res.headers.getSetCookie()) await browser.jar.setCookie(cookie, site);
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  };
}
