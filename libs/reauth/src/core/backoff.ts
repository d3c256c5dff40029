/** How long to wait after failures in a row: the first pause, and the most it may grow to. */
export interface Backoff {
  backoffMs: number;
  maxBackoffMs: number;
}

/** The pause after the `failures`-th failed fetch in a row: doubling, capped. */
export function backoffDelayMs(failures: number, { backoffMs, maxBackoffMs }: Backoff): number {
  // 2 ** 30 and beyond only overflow towards the cap anyway.
  return Math.min(backoffMs * 2 ** Math.min(failures - 1, 30), maxBackoffMs);
}
