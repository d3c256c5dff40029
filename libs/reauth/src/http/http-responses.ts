import { Injectable } from '@nestjs/common';
import { HttpAdapterHost, type AbstractHttpAdapter } from '@nestjs/core';
import type { ServerResponse } from 'node:http';

/** The redirects the library answers with: 302 for a read, 303 after anything else. */
export type RedirectStatus = 302 | 303;

/**
 * Writes the library's own responses through Nest's HTTP adapter, so the same controllers answer
 * on Express (`@nestjs/platform-express`) and on Fastify (`@nestjs/platform-fastify`). `response`
 * is whatever `@Res()` gives on the running adapter: Express's `Response` or Fastify's `Reply`.
 *
 * What it evens out between the two:
 * - `Set-Cookie` values are added one by one and never replace each other or a cookie already on
 *   the response (a session the guard refreshed, say).
 * - A redirect's `Location` is percent-encoded where it is not printable ASCII, as Express does
 *   and Fastify does not: Node refuses control characters and anything beyond Latin-1 in a header
 *   (the answer would be a 500), and sends the rest as bytes that are not a URL.
 * - An HTML page gets an explicit `Content-Type` with its charset; both adapters leave the body
 *   out of an answer to `HEAD`.
 */
@Injectable()
export class HttpResponses {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Sets each header, replacing an earlier value of the same name. */
  setHeaders(response: unknown, headers: Readonly<Record<string, string>>): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
  }

  /** Adds `Set-Cookie` values, keeping the ones already on the response. */
  appendCookies(response: unknown, cookies: string | readonly string[]): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const cookie of typeof cookies === 'string' ? [cookies] : cookies) {
      adapter.appendHeader(response, 'Set-Cookie', cookie);
    }
  }

  /** Ends the response with a redirect to `location`. */
  redirect(response: unknown, status: RedirectStatus, location: string): void {
    this.adapterHost.httpAdapter.redirect(response, status, headerSafeLocation(location));
  }

  /** Ends the response with `body` as JSON (see {@link replyJson}). */
  json(response: unknown, status: number, body: object): void {
    replyJson(this.adapterHost.httpAdapter, response, status, body);
  }

  /** An answer without a body (204), with the headers set before. */
  empty(response: unknown, status: number): void {
    this.adapterHost.httpAdapter.reply(response, undefined, status);
  }

  /** Adds `token` to the response's `Vary`, keeping what is there already. */
  addVary(response: unknown, token: string): void {
    const adapter = this.adapterHost.httpAdapter;
    const current: unknown = adapter.getHeader(response, 'Vary');
    const value = Array.isArray(current) ? current.join(', ') : current;
    const listed = (typeof value === 'string' ? value : '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (listed.some((name) => name === '*' || name.toLowerCase() === token.toLowerCase())) return;
    adapter.setHeader(response, 'Vary', [...listed, token].join(', '));
  }

  /** Ends the response with an HTML page. */
  html(response: unknown, status: number, page: string): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Content-Type', 'text/html; charset=utf-8');
    adapter.reply(response, page, status);
  }
}

/**
 * Ends the response with `body` as JSON. On Express it is written directly: `res.json()` would
 * also hash the body for an `ETag`, which an uncacheable answer (the library's are all
 * `no-store`) never uses, and every refusal pays for. Node leaves the body out of an answer to
 * `HEAD`. Fastify replies through its own serialisation.
 */
export function replyJson(
  adapter: AbstractHttpAdapter,
  response: unknown,
  status: number,
  body: object,
): void {
  if (adapter.getType() !== 'express') {
    adapter.reply(response, body, status);
    return;
  }
  const res = response as ServerResponse;
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/**
 * `location` with every character outside printable ASCII percent-encoded as UTF-8 (a lone
 * surrogate as U+FFFD), and nothing else touched: escapes already in it stay as they are.
 */
export function headerSafeLocation(location: string): string {
  return location.replace(/[^\x21-\x7E]+/g, (run) =>
    Array.from(
      Buffer.from(run, 'utf8'),
      (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    ).join(''),
  );
}
