import type { PasskeyCredentialStore } from 'nest-workos-reauth';

/** Where the demo keeps enrolled passkeys, and how to let go of it when the demo stops. */
export interface PasskeyDatabase {
  credentials: PasskeyCredentialStore;
  /** `PostgreSQL` (a server at `DATABASE_URL`) or `PGlite` (embedded, in memory). */
  kind: 'PostgreSQL' | 'PGlite';
  close(): Promise<void>;
}

/**
 * Opens the demo's passkey database: the PostgreSQL server at `databaseUrl` through a `pg` pool,
 * or, without one, PGlite in memory, so `npm start` needs nothing installed or set up (passkeys
 * then last as long as the process). Either way the table is created if it is missing. The
 * drivers are loaded only when used: `pg` only for a server.
 */
export async function openPasskeyDatabase(
  databaseUrl: string | undefined,
  report: (message: string) => void,
): Promise<PasskeyDatabase> {
  const { PostgresPasskeyCredentialStore } = await import('nest-workos-reauth/postgres');
  if (databaseUrl) {
    const { Pool } = await import('pg');
    // Bounded waits: a database that goes away fails requests (503) instead of holding them.
    const pool = new Pool({
      connectionString: databaseUrl,
      max: 5,
      connectionTimeoutMillis: 2_000,
      query_timeout: 5_000,
    });
    // An idle connection the server ended: the pool replaces it; say so, without the URL.
    pool.on('error', (error) => report(`PostgreSQL connection lost: ${error.message}`));
    return opened(new PostgresPasskeyCredentialStore(pool), 'PostgreSQL', () => pool.end());
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  await db.waitReady;
  return opened(new PostgresPasskeyCredentialStore(db), 'PGlite', () => db.close());
}

/** The store on an open database, with its table; the database closes if that fails. */
export async function opened(
  credentials: PasskeyCredentialStore & { createTable(): Promise<void> },
  kind: PasskeyDatabase['kind'],
  close: () => Promise<void>,
): Promise<PasskeyDatabase> {
  try {
    await credentials.createTable();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { credentials, kind, close };
}
