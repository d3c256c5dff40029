// The few test-runner globals the contract suites use, typed here so the published types do not
// depend on one runner's type package. Jest and Vitest (with `globals: true`) both provide them.
type Callback = () => void | Promise<void>;
interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
}
interface AsyncMatchers {
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): Promise<void>;
  toMatchObject(expected: object): Promise<void>;
}
interface Expect {
  (actual: unknown): Matchers & { rejects: AsyncMatchers };
}
/** What a contract suite takes from its test runner. */
export interface TestGlobals {
  describe: (name: string, body: () => void) => void;
  it: (name: string, body: Callback) => void;
  beforeEach: (body: Callback) => void;
  afterEach: (body: Callback) => void;
  expect: Expect;
}

const GLOBALS = ['describe', 'it', 'beforeEach', 'afterEach', 'expect'] as const;

/** The runner's globals; a `TypeError` naming `suite` when one is missing. */
export function testRunnerGlobals(suite: string): TestGlobals {
  const scope = globalThis as Record<string, unknown>;
  const missing = GLOBALS.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(
      `${suite}: run it under a test runner with the globals ${missing.join(', ')} (Jest, or Vitest with globals: true)`,
    );
  }
  return scope as unknown as TestGlobals;
}

export function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
