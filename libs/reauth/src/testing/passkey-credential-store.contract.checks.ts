import type { PasskeyCredentialStoreContractOptions } from './passkey-credential-store.contract.options';

// The few test-runner globals the suite uses, typed here so the published types do not depend on
// one runner's type package. Jest and Vitest (with `globals: true`) both provide them.
type Callback = () => void | Promise<void>;
interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
}
interface AsyncMatchers {
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): Promise<void>;
}
interface Expect {
  (actual: unknown): Matchers & { rejects: AsyncMatchers };
}
interface TestGlobals {
  describe: (name: string, body: () => void) => void;
  it: (name: string, body: Callback) => void;
  beforeEach: (body: Callback) => void;
  afterEach: (body: Callback) => void;
  expect: Expect;
}

const SUITE = 'describePasskeyCredentialStoreContract';
const GLOBALS = ['describe', 'it', 'beforeEach', 'afterEach', 'expect'] as const;

export function passkeyContractGlobals(): TestGlobals {
  const scope = globalThis as Record<string, unknown>;
  const missing = GLOBALS.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(
      `${SUITE}: run it under a test runner with the globals ${missing.join(', ')} (Jest, or Vitest with globals: true)`,
    );
  }
  return scope as unknown as TestGlobals;
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

export function checkPasskeyContractArguments(
  name: unknown,
  makeStore: unknown,
  options: PasskeyCredentialStoreContractOptions,
): void {
  const fail = (what: string) => {
    throw new TypeError(`${SUITE}: ${what}`);
  };
  if (typeof name !== 'string' || name === '') fail('name must be a non-empty string');
  if (typeof makeStore !== 'function') fail('makeStore must be a function');
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const { openSibling, maxCredentialsPerUser, concurrency } = options;
  if (openSibling !== undefined && typeof openSibling !== 'function') {
    fail('openSibling must be a function');
  }
  if (
    maxCredentialsPerUser !== undefined &&
    (!isPositiveInteger(maxCredentialsPerUser) || maxCredentialsPerUser < 3)
  ) {
    fail('maxCredentialsPerUser must be an integer >= 3');
  }
  if (concurrency !== undefined && (!isPositiveInteger(concurrency) || concurrency < 2)) {
    fail('concurrency must be an integer >= 2');
  }
}
