/** The table {@link PostgresPasskeyCredentialStore} uses unless told otherwise. */
export const DEFAULT_PASSKEY_CREDENTIAL_TABLE = 'reauth_passkey_credentials';

// Unquoted-identifier characters only, so the name reads the same quoted or not. The table part
// leaves room for the index name derived from it within PostgreSQL's 63 bytes.
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;
const INDEX_SUFFIX = '_user_id_idx';

/** A checked table name, quoted for SQL, and the name of its index. */
export interface PasskeyCredentialTable {
  /** `"schema"."table"` or `"table"`. */
  quoted: string;
  /** The index on `(user_id, created_at)`, quoted (indexes live in their table's schema). */
  quotedIndex: string;
}

/**
 * Checks a table name given as an option: `table` or `schema.table`, each part an SQL identifier
 * of letters, digits and underscores (the table part up to 51 characters). Throws a `TypeError`
 * naming `owner` otherwise: the name is written into SQL, so nothing else is accepted.
 */
export function passkeyCredentialTable(name: unknown, owner: string): PasskeyCredentialTable {
  const parts = typeof name === 'string' ? name.split('.') : [];
  const table = parts.at(-1) ?? '';
  const schema = parts.length === 2 ? parts[0] : undefined;
  if (
    parts.length < 1 ||
    parts.length > 2 ||
    !TABLE.test(table) ||
    (schema !== undefined && !SCHEMA.test(schema))
  ) {
    throw new TypeError(
      `${owner}: table must be a table name, optionally schema-qualified (letters, digits and underscores, not starting with a digit; the table up to 51 characters)`,
    );
  }
  const quote = (identifier: string) => `"${identifier}"`;
  return {
    quoted: schema === undefined ? quote(table) : `${quote(schema)}.${quote(table)}`,
    quotedIndex: quote(`${table}${INDEX_SUFFIX}`),
  };
}

/** The statements that create the table and its index, each idempotent, in order. */
export function passkeyCredentialTableStatements(table: PasskeyCredentialTable): string[] {
  // bigint for the counter (WebAuthn's is unsigned 32 bits) and the times (past 2038); text[] keeps
  // the transports in order. The checks keep out rows the store would refuse to read.
  return [
    `CREATE TABLE IF NOT EXISTS ${table.quoted} (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  public_key text NOT NULL,
  counter bigint NOT NULL CHECK (counter >= 0),
  transports text[] NOT NULL,
  device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up boolean NOT NULL,
  name text NOT NULL,
  created_at bigint NOT NULL,
  last_used_at bigint
)`,
    `CREATE INDEX IF NOT EXISTS ${table.quotedIndex} ON ${table.quoted} (user_id, created_at)`,
  ];
}

/**
 * The SQL that creates the table of {@link PostgresPasskeyCredentialStore} and its index, for
 * apps that run their migrations themselves (it is what `createTable()` runs). Idempotent.
 *
 * @param table - The table name given to the store; default `reauth_passkey_credentials`.
 *
 * @example
 * ```ts
 * // In a migration:
 * await db.query(passkeyCredentialTableSql('auth.passkey_credentials'));
 * ```
 */
export function passkeyCredentialTableSql(
  table: string = DEFAULT_PASSKEY_CREDENTIAL_TABLE,
): string {
  const checked = passkeyCredentialTable(table, 'passkeyCredentialTableSql');
  return passkeyCredentialTableStatements(checked)
    .map((statement) => `${statement};\n`)
    .join('');
}
