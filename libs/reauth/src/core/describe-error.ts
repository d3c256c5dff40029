/**
 * A log-safe description of an error: its class and code, never its message (which may quote a
 * token or a URL with a code in it).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}
