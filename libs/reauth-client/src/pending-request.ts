import { PROTOCOL, type ReauthMarker } from './protocol.js';

/** How long a request recorded before a redirect may wait for its re-authentication. */
export const PENDING_TTL_MS = 10 * 60 * 1000;

export interface RecordedRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body?: string;
}

/** What redirect mode keeps in sessionStorage while the user re-authenticates. */
export interface PendingRequest {
  /** The `X-Reauth-Id` of the attempt that was refused. */
  id: string;
  /** When it was recorded, in ms since the epoch. */
  createdAt: number;
  request: RecordedRequest;
}

/** What the address bar says about the re-authentication the browser returns from. */
export interface ReauthReturn {
  status?: string;
  id?: string;
  /** The page's URL (path, query and fragment) without the return's parameters, if it had any. */
  cleanedUrl?: string;
}

/** A fresh `X-Reauth-Id`: 16 random bytes as 22 characters of base64url. */
export function newReauthId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The record of a request refused with the `X-Reauth-Id` `id`, to replay after the return. */
export async function recordPendingRequest(
  id: string,
  request: Request,
  createdAt: number,
): Promise<PendingRequest> {
  return {
    id,
    createdAt,
    request: {
      url: request.url,
      method: request.method,
      headers: [...request.headers.entries()],
      body: ['GET', 'HEAD'].includes(request.method) ? undefined : await request.clone().text(),
    },
  };
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The record as saved, or `undefined` when it is missing or not one this version wrote. */
export function parsePendingRequest(saved: string | null): PendingRequest | undefined {
  if (saved === null) return undefined;
  let value: Partial<PendingRequest> | null;
  try {
    value = JSON.parse(saved) as Partial<PendingRequest> | null;
  } catch {
    return undefined;
  }
  const request = value?.request;
  if (
    !isString(value?.id) ||
    typeof value.createdAt !== 'number' ||
    !isString(request?.url) ||
    !isString(request.method) ||
    !Array.isArray(request.headers) ||
    !request.headers.every(
      (pair) => Array.isArray(pair) && pair.length === 2 && pair.every(isString),
    ) ||
    (request.body !== undefined && !isString(request.body))
  ) {
    return undefined;
  }
  return value as PendingRequest;
}

/**
 * Reads `reauth` and `reauth_id` from the page's URL (each counts only when it appears once) and
 * gives the URL without them. The other parameters are kept byte for byte, not re-encoded.
 */
export function readReauthReturn(href: string | undefined): ReauthReturn {
  let url: URL;
  try {
    url = new URL(href ?? '');
  } catch {
    return {};
  }
  const single = (name: string) => {
    const values = url.searchParams.getAll(name);
    return values.length === 1 ? values[0] : undefined;
  };
  const returned: ReauthReturn = {
    status: single(PROTOCOL.marker),
    id: single(PROTOCOL.idMarker),
  };
  const parts = url.search.slice(1).split('&');
  const kept = parts.filter((part) => {
    const name = [...new URLSearchParams(part).keys()][0];
    return name !== PROTOCOL.marker && name !== PROTOCOL.idMarker;
  });
  if (kept.length !== parts.length) {
    const query = kept.filter(Boolean).join('&');
    returned.cleanedUrl = `${url.pathname}${query ? `?${query}` : ''}${url.hash}`;
  }
  return returned;
}

/**
 * Whether a recorded request may be sent again: the browser is back from a re-authentication
 * that reports success for this record's id, the record is younger than {@link PENDING_TTL_MS},
 * and it is for the page's own origin.
 */
export function mayReplay(
  pending: PendingRequest,
  returned: ReauthReturn,
  nowMs: number,
  pageOrigin: string,
): boolean {
  const age = nowMs - pending.createdAt;
  let origin: string | undefined;
  try {
    origin = new URL(pending.request.url).origin;
  } catch {
    origin = undefined;
  }
  return (
    returned.status === ('ok' satisfies ReauthMarker) &&
    returned.id === pending.id &&
    age >= 0 &&
    age < PENDING_TTL_MS &&
    origin === pageOrigin
  );
}
