import type { ReauthModuleOptions } from 'nest-workos-reauth';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * The library's options from the environment. `WORKOS_API_HOSTNAME`, `WORKOS_API_PORT` and
 * `WORKOS_API_HTTPS` are only needed to point the WorkOS SDK somewhere else than WorkOS, such as
 * the AuthKit emulator (`npx authkit-emulator`).
 */
export function reauthOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ReauthModuleOptions {
  return {
    apiKey: required(env, 'WORKOS_API_KEY'),
    clientId: required(env, 'WORKOS_CLIENT_ID'),
    redirectUri: required(env, 'WORKOS_REDIRECT_URI'),
    cookiePassword: required(env, 'WORKOS_COOKIE_PASSWORD'),
    apiHostname: env.WORKOS_API_HOSTNAME || undefined,
    port: env.WORKOS_API_PORT ? Number(env.WORKOS_API_PORT) : undefined,
    https: env.WORKOS_API_HTTPS ? env.WORKOS_API_HTTPS !== 'false' : undefined,
  };
}
