import { WorkOS } from '@workos-inc/node';
import { fail, integerInRange, requiredString } from '../../core/option-checks';
import type { ReauthModuleOptions, WorkOSClient } from '../../interfaces';
import type { IdentityProvider, ProviderBasics } from '../identity-provider';
import { WorkOSIdentityProvider } from './workos.provider';

const CLIENT_METHODS = [
  'getAuthorizationUrl',
  'authenticateWithCode',
  'authenticateWithRefreshToken',
  'getSessionFromCookie',
  'getJwksUrl',
  'getLogoutUrl',
  'revokeSession',
] as const;

function makeWorkOS(options: ReauthModuleOptions): WorkOSClient {
  if (options.workos !== undefined) {
    // Structural, not instanceof: the app's SDK may be another copy or version than ours.
    const client = options.workos as Partial<WorkOSClient> | null;
    const userManagement = client?.userManagement as Record<string, unknown> | undefined;
    if (
      typeof client?.baseURL !== 'string' ||
      !userManagement ||
      CLIENT_METHODS.some((method) => typeof userManagement[method] !== 'function')
    ) {
      fail('workos', 'must be a WorkOS client instance');
    }
    return options.workos;
  }
  const apiKey = requiredString(options.apiKey, 'apiKey (or a workos client)');
  if (options.port !== undefined) integerInRange(options.port, 'port', 0, 1, 65535);
  if (options.https !== undefined && typeof options.https !== 'boolean')
    fail('https', 'must be a boolean');
  return new WorkOS(apiKey, {
    clientId: options.clientId,
    apiHostname: options.apiHostname,
    port: options.port,
    https: options.https,
    // Failing fast matters more here than riding out blips: a guard that waits on retries holds
    // the request, and a failure already answers 503 for the caller to retry.
    timeout: 10_000,
    maxRetries: 1,
  });
}

/** The WorkOS provider the options describe: the app's client, or one made from `apiKey`. */
export function createWorkOSProvider(
  options: ReauthModuleOptions,
  basics: ProviderBasics,
): IdentityProvider {
  const workos = makeWorkOS(options);
  const issuers = options.issuers ?? [`${workos.baseURL}/user_management/${basics.clientId}`];
  if (
    !Array.isArray(issuers) ||
    issuers.length === 0 ||
    issuers.some((i) => typeof i !== 'string' || i === '')
  ) {
    fail('issuers', 'must be a non-empty array of strings');
  }
  return new WorkOSIdentityProvider({ workos, ...basics, issuers: [...issuers] });
}
