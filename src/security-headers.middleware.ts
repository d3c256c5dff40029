import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Every demo page shows one user's account: no cache may keep it, and no other site may frame it
 * (a framed page can be clicked through without the user knowing). Routes that may be cached,
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
    response.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    next();
  }
}
