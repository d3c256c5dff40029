// Load for a confirmation inside the page: each autocannon connection repeats the requests of one
// confirmation in order (a passkey's options then its assertion; a password), every answer must
// be a 200, and the latency of each confirmation is the server's time summed over its requests.
import autocannon from 'autocannon';
import { pageOrigin } from './config';
import { CONNECTIONS, MEASURE_SECONDS, WARM_UP_SECONDS, type LoadResult } from './load';

/** What a connection carries from one request of a confirmation to the next (a challenge). */
export type StepContext = Record<string, unknown>;

/** One request of a confirmation: a JSON `POST` from the app's own page. */
export interface ConfirmationStep {
  path: string;
  /** The body, made when the request is about to be sent, from what earlier steps read. */
  body(context: StepContext): string;
  /** Reads what a later step needs from this step's 200. */
  read?(body: string, context: StepContext): void;
}

/** The requests of one confirmation, and the proof that the app checks them. */
export interface ConfirmationPlan {
  steps: ConfirmationStep[];
  /**
   * Fails unless one confirmation passes and what must be refused is (a replayed assertion, a
   * wrong password): a confirmation that lets everything through is never reported as fast.
   */
  prove(): Promise<void>;
}

/** The value at quantile `q` of sorted `values` (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * One autocannon run of `plan` (50 connections, each a page confirming again and again), that
 * fails unless every answer was a 200. Resolves the run and each confirmation's latency: the sum
 * of autocannon's response times of its requests (from writing a request to its last byte), so
 * the time the load generator spends between them, signing the next assertion, is left out. So
 * is the first confirmation of each connection: its time includes opening the connection, 50 at
 * once, and a server too busy to accept them all lets the kernel retry some a second later.
 */
function runPlan(
  appUrl: string,
  headers: Record<string, string>,
  plan: ConfirmationPlan,
  seconds: number,
  connections = CONNECTIONS,
): Promise<{ result: autocannon.Result; latenciesMs: number[] }> {
  const steps = plan.steps.length;
  const requests: autocannon.Request[] = plan.steps.map((step) => ({
    method: 'POST',
    path: step.path,
    headers: { ...headers, 'content-type': 'application/json', origin: pageOrigin(appUrl) },
    // Always a request: a falsy one would silently restart the sequence.
    setupRequest: (request, context) => ({ ...request, body: step.body(context as StepContext) }),
    onResponse: (status, body, context) => {
      if (status === 200) step.read?.(body, context as StepContext);
    },
  }));
  const latenciesMs: number[] = [];
  const firstLatenciesMs: number[] = [];
  const clients = new Map<object, { answered: number; sumMs: number }>();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: appUrl, connections, duration: seconds, requests },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const answered = result.statusCodeStats?.['200']?.count ?? 0;
        if (result.errors > 0 || answered !== result.requests.total) {
          return reject(
            new Error(
              `${appUrl}${plan.steps.map((s) => s.path).join(' + ')}: expected 200 for all ` +
                `${result.requests.total} requests, got ${JSON.stringify(result.statusCodeStats)}` +
                ` and ${result.errors} connection errors`,
            ),
          );
        }
        // Only a run too short for a second confirmation per connection falls back on the first.
        resolve({ result, latenciesMs: latenciesMs.length > 0 ? latenciesMs : firstLatenciesMs });
      },
    );
    instance.on('response', (client: object, _status: number, _bytes: number, ms: number) => {
      let connection = clients.get(client);
      if (!connection) clients.set(client, (connection = { answered: 0, sumMs: 0 }));
      connection.sumMs += ms;
      connection.answered += 1;
      if (connection.answered % steps === 0) {
        (connection.answered === steps ? firstLatenciesMs : latenciesMs).push(connection.sumMs);
        connection.sumMs = 0;
      }
    });
  });
}

/** The median and 99th percentile of `latenciesMs`. */
function percentiles(appUrl: string, latenciesMs: number[]): { p50Ms: number; p99Ms: number } {
  if (latenciesMs.length === 0) throw new Error(`${appUrl}: no confirmation completed`);
  latenciesMs.sort((a, b) => a - b);
  return { p50Ms: quantile(latenciesMs, 0.5), p99Ms: quantile(latenciesMs, 0.99) };
}

/**
 * Confirmations/s and the p50/p99 latency of one confirmation under load (50 connections), after
 * a warm-up; then the latency of one page confirming alone (1 connection, as long again): what a
 * user waits when the server is not busy.
 */
export async function measureConfirmations(
  appUrl: string,
  headers: Record<string, string>,
  plan: ConfirmationPlan,
): Promise<LoadResult> {
  await runPlan(appUrl, headers, plan, WARM_UP_SECONDS);
  const { result, latenciesMs } = await runPlan(appUrl, headers, plan, MEASURE_SECONDS);
  const alone = await runPlan(appUrl, headers, plan, MEASURE_SECONDS, 1);
  return {
    requestsPerSecond: result.requests.average / plan.steps.length,
    requests: plan.steps.length,
    ...percentiles(appUrl, latenciesMs),
    alone: percentiles(appUrl, alone.latenciesMs),
  };
}
