import { createUsers, DEMO_USERS } from './users';

const NOW = new Date('2026-01-01T00:00:00Z');
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13];

describe('createUsers', () => {
  it('gives the demo users stable WorkOS-looking ids and their factors', () => {
    const users = createUsers(DEMO_USERS, NOW);
    expect(users.map((user) => user.email)).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@sso.example.com',
    ]);
    expect(users[0].id).toMatch(/^user_01[0-9A-Z]{24}$/);
    expect(createUsers(DEMO_USERS, NOW)[0].id).toBe(users[0].id);
    expect(users[1].totpSecret).toBe('JBSWY3DPEHPK3PXP');
    expect(users[2]).toMatchObject({ sso: true, password: undefined });
  });

  it('lower-cases emails and refuses duplicates', () => {
    expect(createUsers([{ email: 'Dana@Example.com', password: 'p' }], NOW)[0].email).toBe(
      'dana@example.com',
    );
    expect(() =>
      createUsers(
        [
          { email: 'a@x.io', password: 'p' },
          { email: 'A@x.io', password: 'q' },
        ],
        NOW,
      ),
    ).toThrow(new TypeError('users[1]: duplicate email a@x.io'));
  });

  it.each(MALFORMED)('refuses %p as the user list or a user', (value) => {
    expect(() => createUsers(value as never, NOW)).toThrow(TypeError);
    expect(() => createUsers([value], NOW)).toThrow(TypeError);
  });

  it.each(MALFORMED)('refuses %p as an email, password, sso flag or permissions', (value) => {
    expect(() => createUsers([{ email: value, password: 'p' }], NOW)).toThrow(
      /users\[0\]: "email" must be an email address/,
    );
    if (value !== '1') {
      expect(() => createUsers([{ email: 'a@x.io', password: value }], NOW)).toThrow(TypeError);
    }
    if (typeof value !== 'boolean') {
      expect(() => createUsers([{ email: 'a@x.io', sso: value }], NOW)).toThrow(TypeError);
    }
    if (!Array.isArray(value)) {
      expect(() =>
        createUsers([{ email: 'a@x.io', password: 'p', permissions: value }], NOW),
      ).toThrow(/"permissions" must be an array of strings/);
    }
  });

  it('requires exactly one primary factor, and no TOTP on SSO users', () => {
    expect(() => createUsers([{ email: 'a@x.io' }], NOW)).toThrow(/exactly one of/);
    expect(() => createUsers([{ email: 'a@x.io', password: 'p', sso: true }], NOW)).toThrow(
      /exactly one of/,
    );
    expect(() =>
      createUsers([{ email: 'a@x.io', sso: true, totpSecret: 'JBSWY3DPEHPK3PXP' }], NOW),
    ).toThrow(/identity provider/);
  });

  it('refuses TOTP secrets that are not base32 or too short, and unknown fields', () => {
    expect(() => createUsers([{ email: 'a@x.io', password: 'p', totpSecret: '!!!' }], NOW)).toThrow(
      /base32/,
    );
    expect(() =>
      createUsers([{ email: 'a@x.io', password: 'p', totpSecret: 'JBSW' }], NOW),
    ).toThrow(/base32/);
    expect(() => createUsers([{ email: 'a@x.io', password: 'p', admin: true }], NOW)).toThrow(
      'users[0]: unknown field "admin"',
    );
  });
});
