import { queryFailed } from './postgres-passkey-credential-store.error';

function driverError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('queryFailed', () => {
  it('shows only the SQLSTATE of an error the server answered, in its message and its cause', () => {
    const driver = driverError('invalid input syntax for type bigint: "c2VjcmV0"', {
      name: 'error',
      code: '22P02',
      detail: 'Failing row contains (c2VjcmV0, user_1, pQECAyYgAQ)',
      query: 'UPDATE t SET counter = $4',
      params: ['user_1', 'c2VjcmV0'],
    });
    const error = queryFailed('recordUse', driver);
    expect(error).toMatchObject({
      name: 'PostgresPasskeyCredentialStoreError',
      code: 'passkey_store_query_failed',
      operation: 'recordUse',
      message:
        'PostgresPasskeyCredentialStore: recordUse failed: the database query did not complete (22P02)',
    });
    expect(error.cause).toEqual(
      Object.assign(new Error('the database answered SQLSTATE 22P02'), { code: '22P02' }),
    );
    expect(Object.keys(error.cause as object)).toEqual(['name', 'code']);
    expect(
      JSON.stringify(error) + String(error.stack) + String((error.cause as Error).stack),
    ).not.toMatch(/c2VjcmV0|pQECAyYgAQ|user_1/);
  });

  it("keeps the message of a client's error, which quotes no data", () => {
    const driver = driverError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' });
    const error = queryFailed('create', driver);
    expect(error.message).toBe(
      'PostgresPasskeyCredentialStore: create failed: the database query did not complete (ECONNREFUSED)',
    );
    expect(error.cause).toMatchObject({ message: driver.message, code: 'ECONNREFUSED' });
    const timeout = queryFailed('create', new Error('timeout exceeded when trying to connect'));
    expect(timeout.message).toMatch(/did not complete$/);
    expect(timeout.cause).toMatchObject({ message: 'timeout exceeded when trying to connect' });
  });

  it.each([
    ['57P01', ' (57P01)'],
    ['ECONNRESET', ' (ECONNRESET)'],
    ['secret-id', ''],
    ['E'.repeat(40), ''],
    [42, ''],
    [undefined, ''],
  ])('shows the code %p only when it is a SQLSTATE or a Node code', (code, shown) => {
    const error = queryFailed('create', driverError('x', { code }));
    expect(error.message).toBe(
      `PostgresPasskeyCredentialStore: create failed: the database query did not complete${shown}`,
    );
    expect((error.cause as { code?: unknown }).code).toBe(shown === '' ? undefined : code);
  });

  it('wraps what is not an Error', () => {
    expect(queryFailed('delete', 'down').cause).toEqual(new Error('the driver failed'));
    expect(queryFailed('delete', null).message).toMatch(/did not complete$/);
  });
});
