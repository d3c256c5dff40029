import type * as PGliteModule from '@electric-sql/pglite';
import type { PasskeyCredentialStore } from 'nest-workos-reauth';
import * as nodeModule from 'node:module';
import { Pool } from 'pg';
import { PostgresPasskeyCredentialStore } from 'nest-workos-reauth/postgres';
import { startDemo, type RunningDemo } from '../../src/demo';
import { opened, type PasskeyDatabase } from '../../src/passkey-database';
import { freePort } from './ports';

/**
 * The demo on embedded defaults (its own emulator, test controls on) on a free port. Passkeys are
 * kept in memory unless `passkeys` says otherwise.
 */
export async function startTestDemo(
  options: { passkeys?: PasskeyCredentialStore } = {},
): Promise<RunningDemo> {
  const port = await freePort();
  return startDemo(
    {
      port,
      provider: 'emulator',
      emulatorPort: 0,
      testControls: true,
      apiKey: '',
      clientId: '',
      redirectUri: `http://localhost:${port}/auth/callback`,
      cookiePassword: 'test-demo-cookie-password-of-32-characters',
    },
    { logger: false, passkeys: options.passkeys },
  );
}

type NodeLoad = (request: string, parent: null, isMain: boolean) => unknown;

/**
 * The demo's passkey database as `npm start` opens it (see `openPasskeyDatabase`): a `pg` pool on
 * `databaseUrl`, else PGlite in memory. Under Jest the store is the library's source, the same
 * classes the demo's module checks against; PGlite is loaded by Node's own loader, since it
 * imports Node builtins dynamically, which Jest's module sandbox refuses.
 */
export async function openTestPasskeyDatabase(databaseUrl?: string): Promise<PasskeyDatabase> {
  if (databaseUrl) {
    const pool = new Pool({
      connectionString: databaseUrl,
      max: 5,
      connectionTimeoutMillis: 2_000,
      query_timeout: 5_000,
    });
    pool.on('error', () => undefined);
    return opened(new PostgresPasskeyCredentialStore(pool), 'PostgreSQL', () => pool.end());
  }
  const load = (nodeModule as unknown as { _load: NodeLoad })._load;
  const { PGlite } = load(
    require.resolve('@electric-sql/pglite'),
    null,
    false,
  ) as typeof PGliteModule;
  const db = new PGlite();
  await db.waitReady;
  return opened(new PostgresPasskeyCredentialStore(db), 'PGlite', () => db.close());
}
