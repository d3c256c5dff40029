import { request } from 'node:http';
import type { Expectation, Scenario } from './scenarios';

/**
 * One request through `node:http`, which sends only the headers given, as autocannon does.
 * (`fetch` adds `Sec-Fetch-Mode: cors`, and the guard rightly answers such a request as a
 * script's: a page view would never be proved.)
 */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

async function answer(url: string, headers: Record<string, string>): Promise<Expectation> {
  const response = await get(url, headers);
  let reason: unknown;
  try {
    reason = (JSON.parse(response.body) as { reason?: unknown }).reason;
  } catch {
    // Not JSON: there is no reason to read.
  }
  return {
    status: response.status,
    reason: typeof reason === 'string' ? reason : undefined,
    location: response.location,
  };
}

/**
 * Fails unless the app refuses what it must and answers the measured request as expected, so
 * that a guard that lets everything through (or nothing) is never reported as fast.
 */
export async function proveItChecks(
  url: string,
  scenario: Scenario,
  headers: Record<string, string>,
): Promise<void> {
  const name = `(${scenario.id}) ${scenario.label}`;
  for (const { what, headers: refusedHeaders } of scenario.refused) {
    const { status } = await answer(url, refusedHeaders);
    if (status !== 401) {
      throw new Error(`${name}: ${what} got ${status}, expected 401: the app does not check`);
    }
  }
  const got = await answer(url, headers);
  const { status, reason, location } = scenario.expect;
  if (got.status !== status || (reason !== undefined && got.reason !== reason)) {
    throw new Error(
      `${name}: the measured request got ${got.status} (reason ${got.reason}), ` +
        `expected ${status}${reason === undefined ? '' : ` (reason ${reason})`}`,
    );
  }
  if (location !== undefined && !got.location?.includes(location)) {
    throw new Error(`${name}: the redirect went to ${got.location}, expected ${location}`);
  }
}
