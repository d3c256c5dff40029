import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { EmulatorHttpError, sendError } from './errors';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * The `host[:port]` values a request may name: the loopback names with the port the emulator
 * listens on, and without a port only when that port is HTTP's default.
 */
export function servedAuthorities(port: number): ReadonlySet<string> {
  const authorities = new Set(LOOPBACK_NAMES.map((name) => `${name}:${port}`));
  if (port === 80) for (const name of LOOPBACK_NAMES) authorities.add(name);
  return authorities;
}

/**
 * The authority a request names, or `undefined` when it names none or several: the single Host
 * header, which an absolute-form target must agree with.
 */
export function requestedAuthority(req: IncomingMessage): string | undefined {
  const hosts: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1]);
  }
  if (hosts.length !== 1) return undefined;
  const host = hosts[0].toLowerCase();
  const target = req.url ?? '';
  if (target.startsWith('/')) return host;
  const absolute = /^http:\/\/([^/?#]*)/i.exec(target);
  return absolute?.[1].toLowerCase() === host ? host : undefined;
}

/**
 * Answers 421 to a request for any name but the loopback ones the emulator serves, so a page
 * whose name was rebound to 127.0.0.1 cannot reach the API, the hosted pages or the test
 * controls through the user's browser.
 */
export function hostCheck(port: () => number): RequestHandler {
  return (req, res, next) => {
    const authority = requestedAuthority(req);
    if (authority !== undefined && servedAuthorities(port()).has(authority)) return next();
    sendError(res, EmulatorHttpError.misdirected(port()));
  };
}
