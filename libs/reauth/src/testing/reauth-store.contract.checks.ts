import type { ReauthStoreContractOptions } from './reauth-store.contract.options';
import { isPositiveInteger, testRunnerGlobals, type TestGlobals } from './test-runner-globals';

export function testGlobals(): TestGlobals {
  return testRunnerGlobals('describeReauthStoreContract');
}

export function checkContractArguments(
  name: unknown,
  makeStore: unknown,
  options: ReauthStoreContractOptions,
): void {
  const fail = (what: string) => {
    throw new TypeError(`describeReauthStoreContract: ${what}`);
  };
  if (typeof name !== 'string' || name === '') fail('name must be a non-empty string');
  if (typeof makeStore !== 'function') fail('makeStore must be a function');
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const { advanceClock, maxEntries, openSibling, concurrency } = options;
  if (advanceClock !== undefined && typeof advanceClock !== 'function') {
    fail('advanceClock must be a function');
  }
  if (openSibling !== undefined && typeof openSibling !== 'function') {
    fail('openSibling must be a function');
  }
  if (maxEntries !== undefined && !isPositiveInteger(maxEntries)) {
    fail('maxEntries must be a positive integer');
  }
  if (concurrency !== undefined && (!isPositiveInteger(concurrency) || concurrency < 2)) {
    fail('concurrency must be an integer >= 2');
  }
}
