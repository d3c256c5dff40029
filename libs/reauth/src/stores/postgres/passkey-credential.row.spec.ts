import { credentialFromRow, resultRows } from './passkey-credential.row';
import { PostgresPasskeyCredentialStoreError } from './postgres-passkey-credential-store.error';

const row = {
  id: 'Y3JlZA',
  user_id: 'user_1',
  public_key: 'pQECAyYgAQ',
  counter: '4294967295',
  transports: ['internal', 'hybrid'],
  device_type: 'multiDevice',
  backed_up: true,
  name: 'Laptop',
  created_at: '1700000000',
  last_used_at: null,
};

const credential = {
  id: 'Y3JlZA',
  userId: 'user_1',
  publicKey: 'pQECAyYgAQ',
  counter: 4_294_967_295,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice',
  backedUp: true,
  name: 'Laptop',
  createdAt: 1_700_000_000,
};

function malformed(column: string) {
  return new PostgresPasskeyCredentialStoreError(
    'passkey_store_malformed_row',
    'findById',
    `read a malformed row from the database (${column})`,
  );
}

describe('credentialFromRow', () => {
  it('reads int8 columns from the text pg returns, and from numbers and bigints', () => {
    expect(credentialFromRow(row, 'findById')).toEqual(credential);
    expect(credentialFromRow({ ...row, counter: 7, created_at: 1n }, 'x')).toMatchObject({
      counter: 7,
      createdAt: 1,
    });
    expect(credentialFromRow({ ...row, last_used_at: '-5' }, 'x').lastUsedAt).toBe(-5);
    expect(credentialFromRow({ ...row, counter: '0' }, 'x').counter).toBe(0);
  });

  it('leaves lastUsedAt absent for NULL', () => {
    expect(Object.keys(credentialFromRow(row, 'x'))).not.toContain('lastUsedAt');
  });

  it('copies the transports array', () => {
    const transports = ['usb'];
    const read = credentialFromRow({ ...row, transports }, 'x');
    transports.push('nfc');
    expect(read.transports).toEqual(['usb']);
  });

  const notIntegers = [null, undefined, true, {}, [], '', '1.5', '01', '1e3', ' 1', '0x10', 'abc'];
  const beyond = [1.5, NaN, Infinity, 2 ** 53, '9007199254740993', 2n ** 60n, '99999999999999999'];
  const cases: [string, unknown[]][] = [
    ['id', [null, undefined, '', 1, ['a'], {}]],
    ['user_id', [null, '', 1, true]],
    ['public_key', [null, '', Buffer.from('key'), 1]],
    ['counter', [...notIntegers, ...beyond, -1, '-1']],
    ['transports', [null, '{usb}', 'usb', [1], ['usb', null], {}]],
    ['device_type', [null, '', 'single', 'MULTIDEVICE', 1]],
    ['backed_up', [null, 't', 'true', 1, 0]],
    ['name', [null, undefined, 1, ['n']]],
    ['created_at', [...notIntegers, ...beyond]],
    ['last_used_at', [undefined, true, '', '1.5', 1.5, 2 ** 53]],
  ];
  for (const [column, values] of cases) {
    it.each(values)(`refuses a ${column} of %p, naming the column and not the value`, (value) => {
      expect(() => credentialFromRow({ ...row, [column]: value }, 'findById')).toThrow(
        malformed(column),
      );
    });
  }

  it('refuses a missing column', () => {
    const rest: Partial<typeof row> = { ...row };
    delete rest.public_key;
    expect(() => credentialFromRow(rest, 'findById')).toThrow(malformed('public_key'));
  });

  it.each([null, undefined, 'row', 1])('refuses a row of %p', (value) => {
    expect(() => credentialFromRow(value, 'findById')).toThrow(malformed('not a row'));
  });
});

describe('resultRows', () => {
  it('returns the rows of a result, and refuses a result without a rows array', () => {
    expect(resultRows({ rows: [1] }, 'x')).toEqual([1]);
    for (const result of [undefined, null, {}, { rows: {} }, 'rows']) {
      expect(() => resultRows(result, 'create')).toThrow(
        'PostgresPasskeyCredentialStore: create read a malformed row from the database (the result has no rows array)',
      );
    }
  });
});
