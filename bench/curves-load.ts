import autocannon from 'autocannon';
import { CONNECTIONS, MEASURE_SECONDS, WARM_UP_SECONDS } from './load';

type Headers = Record<string, string>;

/** Measured runs per row; the row reports the median, as `npm run bench` reports its rounds. */
export const MEASURED_RUNS = 3;
/** A pass over every credential stops here: at ~1,000 first-seen requests/s, 10,000 take ~10 s. */
const PASS_TIMEOUT_MS = 90_000;
// A time-bounded run gets this long past its duration before it counts as hung.
const RUN_GRACE_MS = 15_000;

export interface CurveLoad {
  /** The median of the measured runs. */
  requestsPerSecond: number;
  /** Every measured run's requests/s, in order. */
  runs: number[];
  p50Ms: number;
  p99Ms: number;
}

/**
 * Load that rotates over `count` credentials: the i-th request built, over all connections,
 * carries credential `i mod count`. autocannon builds a request right before sending it (it
 * calls `setupRequest` each time), so consecutive requests carry consecutive credentials and a
 * pass of `count` requests reaches every one. The position carries over from one run to the
 * next, as it would for users who keep coming back in turn.
 */
export class RotatingLoad {
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly count: number,
    private readonly headersOf: (i: number) => Headers,
  ) {}

  /**
   * One pass over every credential, so that each is seen (and cached, if it fits) before the
   * measured runs. A few more requests than credentials: the first request of each connection
   * may be built before the connections open, and this covers any it skipped.
   */
  async pass(): Promise<void> {
    await this.cannon(
      { amount: this.count + 2 * CONNECTIONS },
      PASS_TIMEOUT_MS,
      'the warm-up pass',
    );
  }

  /** A time-bounded warm-up that lets the JIT settle, as `measureLoad` of bench/load.ts does. */
  async warmUp(): Promise<void> {
    await this.runFor(WARM_UP_SECONDS, 'the warm-up');
  }

  /** MEASURED_RUNS runs of MEASURE_SECONDS each; the median of their requests/s. */
  async measure(): Promise<CurveLoad> {
    const results: autocannon.Result[] = [];
    for (let run = 1; run <= MEASURED_RUNS; run++) {
      results.push(await this.runFor(MEASURE_SECONDS, `measured run ${run}`));
    }
    const median = [...results].sort((a, b) => a.requests.average - b.requests.average)[
      Math.floor(results.length / 2)
    ];
    return {
      requestsPerSecond: median.requests.average,
      runs: results.map((result) => result.requests.average),
      p50Ms: median.latency.p50,
      p99Ms: median.latency.p99,
    };
  }

  private runFor(seconds: number, what: string): Promise<autocannon.Result> {
    return this.cannon({ duration: seconds }, seconds * 1000 + RUN_GRACE_MS, what);
  }

  /**
   * One autocannon run that fails unless every answer was a 200 (as bench/load.ts does: a guard
   * that starts refusing mid-run would otherwise be measured as a fast one) and unless it ends
   * within `timeoutMs` (it is stopped then).
   */
  private async cannon(
    limit: { amount: number } | { duration: number },
    timeoutMs: number,
    what: string,
  ): Promise<autocannon.Result> {
    let timedOut = false;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: this.url,
          connections: CONNECTIONS,
          ...limit,
          requests: [{ setupRequest: (request) => this.withNextCredential(request) }],
        },
        (error, done) => {
          clearTimeout(timer);
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve(done);
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        instance.stop();
      }, timeoutMs);
    });
    if (timedOut) throw new Error(`${what} did not end within ${timeoutMs / 1000} s`);
    const answered = result.statusCodeStats?.['200']?.count ?? 0;
    if (result.errors > 0 || answered !== result.requests.total) {
      throw new Error(
        `${what}: expected 200 for all ${result.requests.total} requests, got ` +
          `${JSON.stringify(result.statusCodeStats)} and ${result.errors} connection errors`,
      );
    }
    return result;
  }

  private withNextCredential(request: autocannon.Request): autocannon.Request {
    const i = this.next;
    this.next = (i + 1) % this.count;
    request.headers = this.headersOf(i);
    return request;
  }
}
