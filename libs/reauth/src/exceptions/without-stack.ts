/**
 * Makes an error without capturing its stack. A refusal travels from the guard to the filter as
 * a thrown exception, one per refused request; its stack names only the guard and Nest's
 * pipeline, and walking the async stack to record that is a visible share of a refusal's cost.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // Frozen intrinsics (--frozen-intrinsics, a lockdown): the error keeps its stack.
    return make();
  }
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
