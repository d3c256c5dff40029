import autocannon from 'autocannon';

export const CONNECTIONS = 50;
export const WARM_UP_SECONDS = 1;
/** 5 s; `BENCH_SECONDS` shortens it for a smoke run of the harness. */
export const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

export interface LoadResult {
  /** Per second: requests, or for a confirmation row confirmations (of `requests` each). */
  requestsPerSecond: number;
  /** HTTP requests per measured unit: a confirmation's; 1 when absent. */
  requests?: number;
  /** For a confirmation row: its latency with one connection alone. */
  alone?: { p50Ms: number; p99Ms: number };
  p50Ms: number;
  p99Ms: number;
}

/**
 * One autocannon run that fails unless every answer had `status`: a guard that starts refusing
 * (or letting through) mid-run would otherwise be measured as a fast app.
 */
export async function cannon(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  status: number,
): Promise<autocannon.Result> {
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds });
  const answered = result.statusCodeStats?.[`${status}`]?.count ?? 0;
  if (result.errors > 0 || answered !== result.requests.total) {
    throw new Error(
      `${url}: expected ${status} for all ${result.requests.total} requests, got ` +
        `${JSON.stringify(result.statusCodeStats)} and ${result.errors} connection errors`,
    );
  }
  return result;
}

/** Requests/s and latency under load, after a warm-up that lets the JIT and caches settle. */
export async function measureLoad(
  url: string,
  headers: Record<string, string>,
  status: number,
): Promise<LoadResult> {
  await cannon(url, headers, WARM_UP_SECONDS, status);
  const result = await cannon(url, headers, MEASURE_SECONDS, status);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
