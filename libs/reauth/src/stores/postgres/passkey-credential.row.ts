import type { PasskeyCredential } from '../passkey-credential.store';
import { malformedRow } from './postgres-passkey-credential-store.error';

/** The columns read, in the credential's field order. */
export const CREDENTIAL_COLUMNS =
  'id, user_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at';

const INTEGER_TEXT = /^(?:0|-?[1-9][0-9]{0,15})$/;

/**
 * A `bigint` column's value as a number. `pg` returns `int8` as a string, PGlite as a number;
 * `bigint` when a driver is set up so. Anything that is not a safe integer (a fraction, text, a
 * value past 2^53) is refused, never rounded.
 */
function integer(value: unknown): number | undefined {
  let parsed: number | undefined;
  if (typeof value === 'number') parsed = value;
  else if (typeof value === 'bigint') parsed = Number(value);
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) parsed = Number(value);
  if (parsed === undefined || !Number.isSafeInteger(parsed)) return undefined;
  if (typeof value === 'bigint' && BigInt(parsed) !== value) return undefined;
  return parsed;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function texts(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((each) => typeof each === 'string')
    ? [...value]
    : undefined;
}

/**
 * Reads one row of the table into a credential, checking every column, so that a row changed
 * outside the store (or a driver set up to parse differently) is an error and never a credential
 * with a silently wrong key, counter or owner.
 */
export function credentialFromRow(row: unknown, operation: string): PasskeyCredential {
  if (typeof row !== 'object' || row === null) throw malformedRow(operation, 'not a row');
  const columns = row as Record<string, unknown>;
  const read = <T>(column: string, parse: (value: unknown) => T | undefined): T => {
    const value = parse(columns[column]);
    if (value === undefined) throw malformedRow(operation, column);
    return value;
  };
  const nonEmpty = (value: unknown) => (value === '' ? undefined : text(value));
  const deviceType = (value: unknown) =>
    value === 'singleDevice' || value === 'multiDevice' ? value : undefined;
  const flag = (value: unknown) => (typeof value === 'boolean' ? value : undefined);
  const counter = (value: unknown) => {
    const parsed = integer(value);
    return parsed !== undefined && parsed >= 0 ? parsed : undefined;
  };
  const credential: PasskeyCredential = {
    id: read('id', nonEmpty),
    userId: read('user_id', nonEmpty),
    publicKey: read('public_key', nonEmpty),
    counter: read('counter', counter),
    transports: read('transports', texts),
    deviceType: read('device_type', deviceType),
    backedUp: read('backed_up', flag),
    name: read('name', text),
    createdAt: read('created_at', integer),
  };
  if (columns.last_used_at !== null) credential.lastUsedAt = read('last_used_at', integer);
  return credential;
}

/** The rows of a driver's result, checking it has some. */
export function resultRows(result: unknown, operation: string): unknown[] {
  const rows = (result as { rows?: unknown } | null | undefined)?.rows;
  if (!Array.isArray(rows)) throw malformedRow(operation, 'the result has no rows array');
  return rows;
}
