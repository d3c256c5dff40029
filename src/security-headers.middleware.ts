import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The pages load scripts, styles and data from the demo's own origin only: no inline script or
 * style, no plugin, no `<base>`. `form-action` is left out on purpose: a form posted while the
 * sign-in is stale is redirected to the provider's sign-in page, another origin, and Chromium
 * applies `form-action` to that redirect too. The library's own pages set their own policy.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/**
 * Every demo page shows one user's account: no cache may keep it, and no other site may frame it
 * (a framed page can be clicked through without the user knowing), and each runs under
 * {@link CONTENT_SECURITY_POLICY}. Routes that may be cached,
 * such as the browser helper's bundle, set their own `Cache-Control` over this one.
 *
 * Nest hands middleware Node's own request and response on Fastify, and Express's (which extend
 * them) on Express: only what Node's types offer is used.
 */
@Injectable()
export class SecurityHeadersMiddleware implements NestMiddleware {
  use(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    next();
  }
}
