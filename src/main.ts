import { DEMO_EMULATOR_USERS } from './demo.policies';
import { startDemo, WORKOS_EVENTS_PATH } from './demo';
import { loadDemoConfig } from './demo.config';
import { openPasskeyDatabase } from './passkey-database';

function describeUsers(): string[] {
  return DEMO_EMULATOR_USERS.map((user) =>
    user.sso
      ? `  ${user.email}  (SSO through the simulated identity provider)`
      : `  ${user.email} / ${user.password}${user.totpSecret ? `  + TOTP secret ${user.totpSecret}` : ''}`,
  );
}

async function main(): Promise<void> {
  const config = loadDemoConfig();
  const database = await openPasskeyDatabase(config.databaseUrl, (message) =>
    process.stderr.write(`${message}\n`),
  );
  const demo = await startDemo(config, { passkeys: database.credentials }).catch(
    async (error: unknown) => {
      await database.close();
      throw error;
    },
  );
  const platform = config.httpAdapter === 'fastify' ? 'Fastify' : 'Express';
  const lines = [``, `Sudo mode demo: ${demo.url} (on ${platform})`];
  if (demo.emulator) {
    lines.push(
      `AuthKit emulator: ${demo.emulator.url}${config.testControls ? ' (test controls on)' : ''}`,
      `Its webhooks (session.revoked, user.deleted) go to ${demo.url}${WORKOS_EVENTS_PATH}`,
      'Demo users:',
      ...describeUsers(),
    );
  } else {
    lines.push('Signing in with WorkOS AuthKit.');
    if (config.workosWebhookSecret) {
      lines.push(`WorkOS webhooks are received at ${demo.url}${WORKOS_EVENTS_PATH}`);
    }
  }
  lines.push(
    `Shared state: ${config.redisUrl ? 'Redis' : 'in memory'}`,
    `Passkeys: ${database.kind === 'PGlite' ? 'embedded PostgreSQL (PGlite), in memory' : 'PostgreSQL at DATABASE_URL'}`,
    'Press Ctrl-C to stop.',
    '',
  );
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void demo
      .close()
      .finally(() => database.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
