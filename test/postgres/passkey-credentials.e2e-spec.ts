import { randomUUID } from 'node:crypto';
import { describePasskeyCredentialStoreContract } from 'nest-workos-reauth/testing';
import { Pool } from 'pg';
import {
  PostgresPasskeyCredentialStore,
  type PostgresQueryable,
} from 'nest-workos-reauth/postgres';
import { postgresAvailable, startPostgres, type TestPostgres } from '../support/postgres';

const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

// Two pools stand for two instances of an app on one database. Each test gets a table of its own
// in a schema of this run's, dropped at the end (DATABASE_URL may name a shared server).
describeWithPostgres('PasskeyCredentialStore on a PostgreSQL server', () => {
  const schema = `reauth_test_${randomUUID().replaceAll('-', '')}`;
  let postgres: TestPostgres;
  let pools: Pool[];
  let tables = 0;
  const tableOf = new WeakMap<object, string>();

  beforeAll(async () => {
    postgres = await startPostgres();
    pools = [0, 1].map(() => {
      const pool = new Pool({ connectionString: postgres.url, connectionTimeoutMillis: 5000 });
      // An idle connection the server ends must not crash the tests: the pool drops it.
      pool.on('error', () => undefined);
      return pool;
    });
    await pools[0].query(`CREATE SCHEMA ${schema}`);
  }, 60_000);
  afterAll(async () => {
    await pools?.[0].query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await postgres?.close();
  });

  // A pg Pool is a PostgresQueryable as it is.
  const queryable = (pool: Pool): PostgresQueryable => pool;

  describePasskeyCredentialStoreContract(
    'PostgresPasskeyCredentialStore',
    async () => {
      const table = `${schema}.passkeys_${++tables}`;
      const store = new PostgresPasskeyCredentialStore(queryable(pools[0]), { table });
      await store.createTable();
      tableOf.set(store, table);
      return store;
    },
    {
      openSibling: (store) =>
        new PostgresPasskeyCredentialStore(pools[1], { table: tableOf.get(store) }),
    },
  );

  it('creates its table idempotently, also from several instances at once', async () => {
    for (let round = 0; round < 5; round++) {
      const table = `${schema}.created_${round}`;
      const racers = Array.from({ length: 8 }, (_, i) =>
        new PostgresPasskeyCredentialStore(pools[i % 2], { table }).createTable(),
      );
      await Promise.all(racers);
      await new PostgresPasskeyCredentialStore(pools[0], { table }).createTable();
    }
    const { rows } = await pools[0].query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'created_0' AND data_type = 'bigint'
       ORDER BY column_name`,
      [schema],
    );
    expect(rows.map((row) => row.column_name)).toEqual(['counter', 'created_at', 'last_used_at']);
  });
});
