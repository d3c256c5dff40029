import type { PasskeyCredentialStoreContractOptions } from './passkey-credential-store.contract.options';
import { isPositiveInteger, testRunnerGlobals, type TestGlobals } from './test-runner-globals';

const SUITE = 'describePasskeyCredentialStoreContract';

export function passkeyContractGlobals(): TestGlobals {
  return testRunnerGlobals(SUITE);
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
