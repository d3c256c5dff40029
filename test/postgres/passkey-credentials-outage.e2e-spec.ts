import { createServer, type Socket } from 'node:net';
import {
  PostgresPasskeyCredentialStore,
  PostgresPasskeyCredentialStoreError,
} from 'nest-workos-reauth/postgres';
import { Client, Pool } from 'pg';
import { postgresAvailable, startPostgres, type TestPostgres } from '../support/postgres';

// These stop the server, so they need one of their own (not DATABASE_URL's).
const ownServer = postgresAvailable() && !process.env.DATABASE_URL;
if (postgresAvailable() && !ownServer) {
  process.stderr.write(
    'PostgreSQL outage suite skipped: it stops the server, and DATABASE_URL is set\n',
  );
}
const describeWithOwnServer = ownServer ? describe : describe.skip;

const credential = {
  id: 'b3V0YWdlLWNyZWRlbnRpYWwtaWQ',
  userId: 'user_outage',
  publicKey: 'pQECAyYgASFYIE91dGFnZS1wdWJsaWMta2V5',
  counter: 5,
  transports: ['internal'],
  deviceType: 'multiDevice' as const,
  backedUp: true,
  name: 'Laptop',
  createdAt: 1_700_000_000,
};
const use = { counter: 6, backedUp: true, lastUsedAt: 1_700_000_060 };
const SECRETS = /b3V0YWdl|pQECAyYg|user_outage/;

/** What a call rejected with: the store's error, whose message names no parameter. */
async function failure(call: Promise<unknown>): Promise<PostgresPasskeyCredentialStoreError> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to reject');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PostgresPasskeyCredentialStoreError);
  const storeError = error as PostgresPasskeyCredentialStoreError;
  expect(storeError.code).toBe('passkey_store_query_failed');
  expect(`${storeError.stack} ${String(storeError.cause)}`).not.toMatch(SECRETS);
  return storeError;
}

function newPool(url: string): Pool {
  // Bounded waits: a database that does not answer fails the request instead of holding it.
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: 1000 });
  pool.on('error', () => undefined);
  return pool;
}

describeWithOwnServer('PostgresPasskeyCredentialStore when PostgreSQL goes away', () => {
  let postgres: TestPostgres;
  let pool: Pool;
  let store: PostgresPasskeyCredentialStore;

  beforeEach(async () => {
    postgres = await startPostgres();
    pool = newPool(postgres.url);
    store = new PostgresPasskeyCredentialStore(pool);
    await store.createTable();
    await store.create(credential);
  }, 60_000);
  afterEach(async () => {
    await pool.end();
    await postgres.close();
  });

  it('rejects every call while the server is down, and serves again once it is back', async () => {
    await postgres.stop!();
    const calls = [
      () => store.create({ ...credential, id: 'bmV3' }),
      () => store.findById(credential.id),
      () => store.listByUser(credential.userId),
      () => store.recordUse(credential.userId, credential.id, 5, use),
      () => store.rename(credential.userId, credential.id, 'renamed'),
      () => store.delete(credential.userId, credential.id),
      () => store.createTable(),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error.message).toMatch(/failed: the database query did not complete/);
    }
    await postgres.start!();
    expect(await store.findById(credential.id)).toEqual(credential);
    expect(await store.recordUse(credential.userId, credential.id, 5, use)).toBe(true);
  }, 30_000);

  it('rejects a call the server was working on when it stopped', async () => {
    // Hold the row, so that recordUse waits for it inside the server.
    const locker = new Client({ connectionString: postgres.url });
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM reauth_passkey_credentials FOR UPDATE');
    const inFlight = failure(store.recordUse(credential.userId, credential.id, 5, use));
    // Until its UPDATE waits for the lock (each poll is a round trip; bounded in time).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await locker.query(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
      );
      if ((rows[0] as { waiting: number }).waiting === 1) break;
      if (Date.now() > deadline) throw new Error('recordUse never reached the server');
    }
    await postgres.stop!();
    const error = await inFlight;
    expect(error.message).toBe(
      'PostgresPasskeyCredentialStore: recordUse failed: the database query did not complete (57P01)',
    );
    await locker.end().catch(() => undefined);
  }, 30_000);
});

describe('PostgresPasskeyCredentialStore when the database never answers', () => {
  it('rejects once the pool gives up connecting, instead of hanging', async () => {
    // A server that accepts connections and says nothing, as behind a dead network path.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const pool = newPool(`postgres://postgres@127.0.0.1:${port}/postgres`);
    try {
      const error = await failure(new PostgresPasskeyCredentialStore(pool).findById(credential.id));
      expect(error.message).toBe(
        'PostgresPasskeyCredentialStore: findById failed: the database query did not complete',
      );
      expect((error.cause as Error).message).toMatch(/connection timeout/);
    } finally {
      await pool.end();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
