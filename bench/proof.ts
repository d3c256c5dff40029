import type { Expectation, Scenario } from './scenarios';

async function answer(url: string, headers: Record<string, string>): Promise<Expectation> {
  const response = await fetch(url, {
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let reason: unknown;
  try {
    reason = (JSON.parse(text) as { reason?: unknown }).reason;
  } catch {
    // Not JSON: there is no reason to read.
  }
  return {
    status: response.status,
    reason: typeof reason === 'string' ? reason : undefined,
    location: response.headers.get('location') ?? undefined,
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
