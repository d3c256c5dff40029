import { passkeyCredentialTable, passkeyCredentialTableSql } from './passkey-credential.table';

describe('passkeyCredentialTable', () => {
  it.each([
    ['passkeys', '"passkeys"', '"passkeys_user_id_idx"'],
    ['auth.Passkeys_2', '"auth"."Passkeys_2"', '"Passkeys_2_user_id_idx"'],
    ['_t', '"_t"', '"_t_user_id_idx"'],
    ['user', '"user"', '"user_user_id_idx"'],
    ['t'.repeat(51), `"${'t'.repeat(51)}"`, `"${'t'.repeat(51)}_user_id_idx"`],
    [`${'s'.repeat(63)}.t`, `"${'s'.repeat(63)}"."t"`, '"t_user_id_idx"'],
  ])('quotes %p', (name, quoted, quotedIndex) => {
    expect(passkeyCredentialTable(name, 'Store')).toEqual({ quoted, quotedIndex });
  });

  it.each([
    '',
    '1passkeys',
    'pass-keys',
    'pass keys',
    'passkeys;drop table users',
    '"passkeys"',
    'a.b.c',
    '.passkeys',
    'auth.',
    'clé',
    't'.repeat(52),
    `${'s'.repeat(64)}.t`,
    undefined,
    null,
    1,
    ['passkeys'],
  ])('refuses %p with a TypeError naming the caller', (name) => {
    expect(() => passkeyCredentialTable(name, 'Store')).toThrow(
      new TypeError(
        'Store: table must be a table name, optionally schema-qualified (letters, digits and underscores, not starting with a digit; the table up to 51 characters)',
      ),
    );
  });
});

describe('passkeyCredentialTableSql', () => {
  it('creates the default table and its index, idempotently', () => {
    const sql = passkeyCredentialTableSql();
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "reauth_passkey_credentials" (');
    expect(sql).toContain(
      'CREATE INDEX IF NOT EXISTS "reauth_passkey_credentials_user_id_idx" ON "reauth_passkey_credentials" (user_id, created_at);',
    );
  });

  it('names the table it is given, and refuses an unsafe one', () => {
    expect(passkeyCredentialTableSql('auth.keys')).toContain('"auth"."keys"');
    expect(() => passkeyCredentialTableSql('keys; --')).toThrow(/^passkeyCredentialTableSql: /);
  });
});
