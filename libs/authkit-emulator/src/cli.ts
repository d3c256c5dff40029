#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startAuthKitEmulator } from './emulator';
import { EMULATOR_DEFAULTS } from './emulator.options';
import { DEMO_USERS, readUsersFile, type EmulatorUserSeed } from './users';

const USAGE = `Usage: authkit-emulator [options]   (in this repository: npm run emulator -- [options])

  --port N              port on 127.0.0.1 (default $AUTHKIT_EMULATOR_PORT or ${EMULATOR_DEFAULTS.port})
  --users FILE          JSON array of users instead of the demo users
  --redirect-uri URI    a registered redirect URI (repeatable; default ${EMULATOR_DEFAULTS.redirectUri})
  --test-controls       serve /__emulator/* (clock, token minting, key rotation, settings);
                        also on with AUTHKIT_EMULATOR_TEST_CONTROLS=1
  --ignore-max-age      behave like a provider that ignores max_age and prompt=login
  --webhook URL         send session.revoked and user.deleted events there (repeatable), signed
                        with the secret in $AUTHKIT_EMULATOR_WEBHOOK_SECRET
  --quiet               do not log requests
  --help                this text
`;

function fail(message: string): never {
  process.stderr.write(`authkit-emulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function describeUser(user: EmulatorUserSeed): string {
  if (user.sso) return `${user.email}  (SSO through the simulated identity provider)`;
  const mfa = user.totpSecret ? `, TOTP secret ${user.totpSecret}` : '';
  return `${user.email} / ${user.password}${mfa}`;
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        users: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'test-controls': { type: 'boolean' },
        'ignore-max-age': { type: 'boolean' },
        webhook: { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const portText = (values.port as string | undefined) ?? process.env.AUTHKIT_EMULATOR_PORT;
  const port = portText === undefined ? EMULATOR_DEFAULTS.port : Number(portText);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) fail(`invalid port ${portText}`);

  // From the environment, not a flag: a secret on the command line shows in the process list.
  const webhookUrls = (values.webhook as string[] | undefined) ?? [];
  const webhookSecret = process.env.AUTHKIT_EMULATOR_WEBHOOK_SECRET;
  if (webhookUrls.length > 0 && !webhookSecret) {
    fail('--webhook needs the endpoint secret in AUTHKIT_EMULATOR_WEBHOOK_SECRET');
  }

  const testControls =
    values['test-controls'] === true || process.env.AUTHKIT_EMULATOR_TEST_CONTROLS === '1';

  try {
    const users = values.users
      ? (readUsersFile(values.users as string) as EmulatorUserSeed[])
      : DEMO_USERS;
    const emulator = await startAuthKitEmulator({
      port,
      users,
      redirectUris: values['redirect-uri'] as string[] | undefined,
      testControls,
      ignoreMaxAge: values['ignore-max-age'] === true,
      webhooks: webhookUrls.map((url) => ({ url, secret: webhookSecret! })),
      log: values.quiet
        ? undefined
        : (line) => process.stdout.write(`[authkit-emulator] ${line}\n`),
    });
    process.stdout.write(
      [
        `AuthKit emulator listening on ${emulator.url}`,
        `  client id     ${emulator.clientId}`,
        `  API key       ${emulator.apiKey}`,
        `  redirect URIs ${emulator.redirectUris.join(', ')}`,
        `  test controls ${testControls ? 'on' : 'off'}`,
        ...(webhookUrls.length > 0 ? [`  webhooks      ${webhookUrls.join(', ')}`] : []),
        'Users:',
        ...users.map((user) => `  ${describeUser(user)}`),
        '',
      ].join('\n'),
    );
    const stop = () => {
      void emulator.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    fail((error as Error).message);
  }
}

void main();
