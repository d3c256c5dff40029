import {
  PasskeyCredentialStore,
  type PasskeyCredential,
  type PasskeyCredentialUse,
} from '../passkey-credential.store';
import { CREDENTIAL_COLUMNS, credentialFromRow, resultRows } from './passkey-credential.row';
import {
  DEFAULT_PASSKEY_CREDENTIAL_TABLE,
  passkeyCredentialTable,
  passkeyCredentialTableStatements,
  type PasskeyCredentialTable,
} from './passkey-credential.table';
import { queryFailed } from './postgres-passkey-credential-store.error';

/**
 * SQLSTATEs of a concurrent `CREATE ... IF NOT EXISTS` (unique_violation, duplicate_table,
 * duplicate_object): it does not see a table or index another session has not committed yet, and
 * fails on the catalog instead. Once that session commits, the statement finds it.
 */
const CONCURRENT_CREATE = new Set(['23505', '42P07', '42710']);
const CREATE_ATTEMPTS = 3;

function driverCode(error: unknown): string {
  const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * What {@link PostgresPasskeyCredentialStore} queries through: a `pg` `Pool` or `Client`, PGlite,
 * or anything else with this method. Parameters are `$1`, `$2`, ... placeholders.
 */
export interface PostgresQueryable {
  /** Runs one statement with its parameters and resolves its rows. */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Options of {@link PostgresPasskeyCredentialStore}. */
export interface PostgresPasskeyCredentialStoreOptions {
  /**
   * The table, optionally schema-qualified (`auth.passkey_credentials`): letters, digits and
   * underscores. Default `reauth_passkey_credentials`.
   */
  table?: string;
}

/**
 * A {@link PasskeyCredentialStore} on PostgreSQL, so enrolled passkeys last as long as the app's
 * own data. It queries through the client it is given (a `pg` `Pool`, or PGlite) and never
 * closes it; it does not load `pg` itself. Every method is one statement: `recordUse` is a
 * single conditional `UPDATE`, so of two instances recording one assertion only one succeeds.
 *
 * Create the table once with {@link PostgresPasskeyCredentialStore.createTable}, or run
 * `passkeyCredentialTableSql()` in your migrations.
 *
 * A failed or unreachable database makes each method reject with a
 * {@link PostgresPasskeyCredentialStoreError} (the library answers 503). Timeouts are the
 * driver's: give a `pg` `Pool` a `connectionTimeoutMillis` and a `query_timeout`, and an
 * `error` listener, so a database that goes away fails requests instead of hanging them.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { PostgresPasskeyCredentialStore } from 'nest-workos-reauth/postgres';
 *
 * const pool = new Pool({
 *   connectionString: process.env.DATABASE_URL,
 *   connectionTimeoutMillis: 2_000,
 *   query_timeout: 2_000,
 * });
 * pool.on('error', (error) => logger.error(error));
 * const passkeys = new PostgresPasskeyCredentialStore(pool, { table: 'passkey_credentials' });
 * await passkeys.createTable();
 * ```
 */
export class PostgresPasskeyCredentialStore extends PasskeyCredentialStore {
  private readonly table: PasskeyCredentialTable;

  constructor(
    private readonly client: PostgresQueryable,
    options: PostgresPasskeyCredentialStoreOptions = {},
  ) {
    super();
    if (typeof (client as Partial<PostgresQueryable> | null)?.query !== 'function') {
      throw new TypeError(
        'PostgresPasskeyCredentialStore: client must have a query(sql, params) method (a pg Pool or Client, or PGlite)',
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('PostgresPasskeyCredentialStore: options must be an object');
    }
    const { table = DEFAULT_PASSKEY_CREDENTIAL_TABLE } = options;
    this.table = passkeyCredentialTable(table, 'PostgresPasskeyCredentialStore');
  }

  /**
   * Creates the table and its index unless they exist (`CREATE ... IF NOT EXISTS`): safe to call
   * at every start. The statements are those of `passkeyCredentialTableSql()`.
   */
  async createTable(): Promise<void> {
    for (const statement of passkeyCredentialTableStatements(this.table)) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.run('createTable', statement);
          break;
        } catch (error) {
          // Another instance creating the table at the same moment; see CONCURRENT_CREATE.
          if (attempt === CREATE_ATTEMPTS || !CONCURRENT_CREATE.has(driverCode(error))) throw error;
        }
      }
    }
  }

  /** {@inheritDoc PasskeyCredentialStore.create} */
  async create(credential: PasskeyCredential): Promise<boolean> {
    const rows = await this.run(
      'create',
      `INSERT INTO ${this.table.quoted} (${CREDENTIAL_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        credential.id,
        credential.userId,
        credential.publicKey,
        credential.counter,
        [...credential.transports],
        credential.deviceType,
        credential.backedUp,
        credential.name,
        credential.createdAt,
        credential.lastUsedAt ?? null,
      ],
    );
    return rows.length === 1;
  }

  /** {@inheritDoc PasskeyCredentialStore.findById} */
  async findById(id: string): Promise<PasskeyCredential | undefined> {
    const rows = await this.run(
      'findById',
      `SELECT ${CREDENTIAL_COLUMNS} FROM ${this.table.quoted} WHERE id = $1`,
      [id],
    );
    return rows.length === 0 ? undefined : credentialFromRow(rows[0], 'findById');
  }

  /** {@inheritDoc PasskeyCredentialStore.listByUser} */
  async listByUser(userId: string): Promise<PasskeyCredential[]> {
    const rows = await this.run(
      'listByUser',
      `SELECT ${CREDENTIAL_COLUMNS} FROM ${this.table.quoted} WHERE user_id = $1
ORDER BY created_at, id COLLATE "C"`,
      [userId],
    );
    return rows.map((row) => credentialFromRow(row, 'listByUser'));
  }

  /** {@inheritDoc PasskeyCredentialStore.recordUse} */
  async recordUse(
    userId: string,
    id: string,
    expectedCounter: number,
    use: PasskeyCredentialUse,
  ): Promise<boolean> {
    // One statement: a concurrent UPDATE waits for the row, then finds the counter changed.
    const rows = await this.run(
      'recordUse',
      `UPDATE ${this.table.quoted} SET counter = $4, backed_up = $5, last_used_at = $6
WHERE user_id = $1 AND id = $2 AND counter = $3 RETURNING id`,
      [userId, id, expectedCounter, use.counter, use.backedUp, use.lastUsedAt],
    );
    return rows.length === 1;
  }

  /** {@inheritDoc PasskeyCredentialStore.rename} */
  async rename(userId: string, id: string, name: string): Promise<boolean> {
    const rows = await this.run(
      'rename',
      `UPDATE ${this.table.quoted} SET name = $3 WHERE user_id = $1 AND id = $2 RETURNING id`,
      [userId, id, name],
    );
    return rows.length === 1;
  }

  /** {@inheritDoc PasskeyCredentialStore.delete} */
  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.run(
      'delete',
      `DELETE FROM ${this.table.quoted} WHERE user_id = $1 AND id = $2 RETURNING id`,
      [userId, id],
    );
    return rows.length === 1;
  }

  /** Runs one statement; a driver's failure becomes the store's error, without the parameters. */
  private async run(operation: string, sql: string, params?: unknown[]): Promise<unknown[]> {
    let result: unknown;
    try {
      result = await this.client.query(sql, params);
    } catch (error) {
      throw queryFailed(operation, error);
    }
    return resultRows(result, operation);
  }
}
