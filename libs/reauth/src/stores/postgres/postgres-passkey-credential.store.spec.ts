import { inspect } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { describePasskeyCredentialStoreContract } from '../../testing/passkey-credential-store.contract';
import { credentialFixture as credential } from '../../testing/passkey-credential-store.contract.fixtures';
import { passkeyCredentialTableSql } from './passkey-credential.table';
import { startPGlite } from './pglite.spec.helper';
import { PostgresPasskeyCredentialStoreError } from './postgres-passkey-credential-store.error';
import { PostgresPasskeyCredentialStore } from './postgres-passkey-credential.store';

// One embedded PostgreSQL for the file (it takes seconds to start); a table per test.
let db: PGlite;
let tables = 0;
beforeAll(async () => {
  db = await startPGlite();
}, 120_000);
afterAll(() => db.close());

const stores = new WeakMap<PostgresPasskeyCredentialStore, string>();
async function freshStore(): Promise<PostgresPasskeyCredentialStore> {
  const table = `passkeys_${++tables}`;
  const store = new PostgresPasskeyCredentialStore(db, { table });
  await store.createTable();
  stores.set(store, table);
  return store;
}

describePasskeyCredentialStoreContract('PostgresPasskeyCredentialStore on PGlite', freshStore, {
  openSibling: (store) =>
    new PostgresPasskeyCredentialStore(db, {
      table: stores.get(store as PostgresPasskeyCredentialStore),
    }),
});

describe('PostgresPasskeyCredentialStore on PGlite', () => {
  it('creates its table idempotently, in a schema when asked', async () => {
    await db.query('CREATE SCHEMA IF NOT EXISTS auth');
    const store = new PostgresPasskeyCredentialStore(db, { table: 'auth.Passkeys' });
    await store.createTable();
    await store.createTable();
    expect(await store.create(credential())).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM auth."Passkeys"');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('uses reauth_passkey_credentials by default, as created by passkeyCredentialTableSql', async () => {
    await db.exec(passkeyCredentialTableSql());
    await db.exec(passkeyCredentialTableSql());
    const store = new PostgresPasskeyCredentialStore(db);
    expect(await store.create(credential({ id: 'default-table' }))).toBe(true);
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM reauth_passkey_credentials WHERE id = $1',
      ['default-table'],
    );
    expect(rows).toEqual([{ id: 'default-table' }]);
  });

  it('refuses what the table would not hold, storing nothing', async () => {
    const store = await freshStore();
    for (const bad of [{ counter: -1 }, { counter: 1.5 }, { deviceType: 'other' as never }]) {
      await expect(store.create(credential(bad))).rejects.toBeInstanceOf(
        PostgresPasskeyCredentialStoreError,
      );
    }
    expect(await store.findById(credential().id)).toBeUndefined();
  });

  it('rejects, without the parameters in its message, when a query fails', async () => {
    const store = new PostgresPasskeyCredentialStore(db, { table: 'never_created' });
    const id = 'c2VjcmV0LWlk';
    const calls = [
      () => store.create(credential({ id })),
      () => store.findById(id),
      () => store.listByUser('user_secret'),
      () => store.recordUse('user_secret', id, 0, { counter: 1, backedUp: true, lastUsedAt: 1 }),
      () => store.rename('user_secret', id, 'name'),
      () => store.delete('user_secret', id),
    ];
    const operations = ['create', 'findById', 'listByUser', 'recordUse', 'rename', 'delete'];
    for (const [i, call] of calls.entries()) {
      const error = (await call().then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as PostgresPasskeyCredentialStoreError;
      expect(error).toBeInstanceOf(PostgresPasskeyCredentialStoreError);
      expect(error).toMatchObject({ code: 'passkey_store_query_failed', operation: operations[i] });
      expect(error.message).toBe(
        `PostgresPasskeyCredentialStore: ${operations[i]} failed: the database query did not complete (42P01)`,
      );
      expect(error.cause).toEqual(new Error('the database answered SQLSTATE 42P01'));
      expect(inspect(error, { depth: 5 })).not.toMatch(/c2VjcmV0LWlk|user_secret|pQECAyYg/);
    }
  });

  it('refuses a row it cannot read as a credential, rather than return a wrong one', async () => {
    // A table made by hand with looser types than passkeyCredentialTableSql's.
    await db.exec(`CREATE TABLE loose (id text PRIMARY KEY, user_id text, public_key text,
      counter numeric, transports text[], device_type text, backed_up boolean, name text,
      created_at bigint, last_used_at bigint)`);
    await db.query(`INSERT INTO loose VALUES ('fraction', 'u', 'k', 1.5, '{}', 'multiDevice',
      true, 'n', 1, NULL), ('no-type', 'u', 'k', 1, '{}', NULL, true, 'n', 2, NULL)`);
    const store = new PostgresPasskeyCredentialStore(db, { table: 'loose' });
    await expect(store.findById('fraction')).rejects.toMatchObject({
      code: 'passkey_store_malformed_row',
      message:
        'PostgresPasskeyCredentialStore: findById read a malformed row from the database (counter)',
    });
    await expect(store.listByUser('u')).rejects.toMatchObject({
      code: 'passkey_store_malformed_row',
      operation: 'listByUser',
    });
  });

  it('refuses a client without query, and bad options, with a TypeError', () => {
    for (const client of [undefined, null, {}, { query: 'SELECT 1' }]) {
      expect(() => new PostgresPasskeyCredentialStore(client as never)).toThrow(
        new TypeError(
          'PostgresPasskeyCredentialStore: client must have a query(sql, params) method (a pg Pool or Client, or PGlite)',
        ),
      );
    }
    expect(() => new PostgresPasskeyCredentialStore(db, null as never)).toThrow(
      'PostgresPasskeyCredentialStore: options must be an object',
    );
    expect(() => new PostgresPasskeyCredentialStore(db, { table: 'a;b' })).toThrow(
      /^PostgresPasskeyCredentialStore: table must be a table name/,
    );
  });

  it('retries a create the catalog refused while another instance created the table', async () => {
    const failing = (codes: string[]) => {
      const sql: string[] = [];
      const client = {
        query: (statement: string) => {
          sql.push(statement);
          const code = codes.shift();
          return code === undefined
            ? Promise.resolve({ rows: [] })
            : Promise.reject(Object.assign(new Error('exists'), { code }));
        },
      };
      return { store: new PostgresPasskeyCredentialStore(client), sql };
    };
    const raced = failing(['23505', '42P07']);
    await raced.store.createTable();
    expect(raced.sql.map((statement) => statement.slice(0, 12))).toEqual([
      'CREATE TABLE',
      'CREATE TABLE',
      'CREATE TABLE',
      'CREATE INDEX',
    ]);
    await expect(failing(['42710', '42710', '42710']).store.createTable()).rejects.toThrow(
      'PostgresPasskeyCredentialStore: createTable failed: the database query did not complete (42710)',
    );
    const other = failing(['42501']);
    await expect(other.store.createTable()).rejects.toThrow(/\(42501\)$/);
    expect(other.sql).toHaveLength(1);
  });

  it('leaves the client open when closed', async () => {
    const store = await freshStore();
    await store.close();
    expect(await store.listByUser('anyone')).toEqual([]);
  });
});
