// The public API of nest-workos-reauth/postgres: enrolled passkeys kept in the app's PostgreSQL.
export {
  PostgresPasskeyCredentialStore,
  type PostgresPasskeyCredentialStoreOptions,
  type PostgresQueryable,
} from './stores/postgres/postgres-passkey-credential.store';
export {
  PostgresPasskeyCredentialStoreError,
  type PostgresPasskeyCredentialStoreErrorCode,
} from './stores/postgres/postgres-passkey-credential-store.error';
export { passkeyCredentialTableSql } from './stores/postgres/passkey-credential.table';
// The types PostgresPasskeyCredentialStore's signatures name; apps import them from
// nest-workos-reauth as well.
export type {
  PasskeyCredential,
  PasskeyCredentialStore,
  PasskeyCredentialUse,
} from './stores/passkey-credential.store';
