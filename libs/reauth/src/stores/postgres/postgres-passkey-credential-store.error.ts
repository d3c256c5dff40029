/** What {@link PostgresPasskeyCredentialStoreError} reports. */
export type PostgresPasskeyCredentialStoreErrorCode =
  'passkey_store_query_failed' | 'passkey_store_malformed_row';

// Codes that name a failure without quoting data: SQLSTATEs (`57P01`) and Node's (`ECONNREFUSED`).
const SQLSTATE = /^[0-9A-Z]{5}$/;
const NODE_CODE = /^E[A-Z_]{2,30}$/;

/**
 * {@link PostgresPasskeyCredentialStore} could not do what it was asked: the database failed or
 * could not be reached (`passkey_store_query_failed`, the driver's error kept as `cause`), or it
 * returned a row that is not a valid credential (`passkey_store_malformed_row`). The library
 * answers 503 and lets nothing through.
 *
 * Its message names the operation and, for a driver error, its code (a SQLSTATE such as `57P01`
 * or a Node code such as `ECONNREFUSED`), never the query's parameters or the row's values, so it
 * can be logged without spilling credential ids or public keys. For the same reason its `cause`
 * is not the driver's error itself (drivers attach the query's parameters, and the server's
 * `detail` quotes the failing row) but an `Error` with its name and code: for an error the
 * server answered, the SQLSTATE only; for one on the client's side (a refused connection, a
 * timeout), the driver's message too.
 */
export class PostgresPasskeyCredentialStoreError extends Error {
  constructor(
    /** Stable: `passkey_store_query_failed` or `passkey_store_malformed_row`. */
    readonly code: PostgresPasskeyCredentialStoreErrorCode,
    /** The store's method that failed, such as `recordUse`. */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`PostgresPasskeyCredentialStore: ${operation} ${message}`, options);
    this.name = 'PostgresPasskeyCredentialStoreError';
  }
}

/** What the store keeps of a driver's error: what it was, never what it quoted. */
function safeCause(error: unknown): Error {
  const { code, name, message } = (error ?? {}) as Record<string, unknown>;
  const serverCode = typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
  const cause = new Error(
    serverCode !== undefined
      ? `the database answered SQLSTATE ${serverCode}`
      : typeof message === 'string'
        ? message
        : 'the driver failed',
  );
  if (typeof name === 'string') cause.name = name;
  if (typeof code === 'string' && (serverCode !== undefined || NODE_CODE.test(code))) {
    Object.assign(cause, { code });
  }
  return cause;
}

/** Wraps what a driver threw; only its code shows in the message. */
export function queryFailed(
  operation: string,
  error: unknown,
): PostgresPasskeyCredentialStoreError {
  const cause = safeCause(error);
  const code = (cause as { code?: string }).code;
  return new PostgresPasskeyCredentialStoreError(
    'passkey_store_query_failed',
    operation,
    `failed: the database query did not complete${code === undefined ? '' : ` (${code})`}`,
    { cause },
  );
}

/** A row (or result) the store cannot read; `what` names the field, never its value. */
export function malformedRow(operation: string, what: string): PostgresPasskeyCredentialStoreError {
  return new PostgresPasskeyCredentialStoreError(
    'passkey_store_malformed_row',
    operation,
    `read a malformed row from the database (${what})`,
  );
}
