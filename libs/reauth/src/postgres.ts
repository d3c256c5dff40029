// The public API of nest-workos-reauth/postgres: enrolled passkeys kept in the app's PostgreSQL.
export {
  PostgresPasskeyCredentialStore,
  type PostgresPasskeyCredentialStoreOptions,
  type PostgresQueryable,
} from './factors/postgres/postgres-passkey-credential.store';
export {
  PostgresPasskeyCredentialStoreError,
  type PostgresPasskeyCredentialStoreErrorCode,
} from './factors/postgres/postgres-passkey-credential-store.error';
export { passkeyCredentialTableSql } from './factors/postgres/passkey-credential.table';
// The types PostgresPasskeyCredentialStore's signatures name; apps import them from
// nest-workos-reauth as well.
export type {
  PasskeyCredential,
  PasskeyCredentialStore,
  PasskeyCredentialUse,
} from './factors/passkey-credential.store';
