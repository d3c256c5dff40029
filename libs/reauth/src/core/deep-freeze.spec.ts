import { deepFreeze } from './deep-freeze';

describe('deepFreeze', () => {
  it('freezes the object, its arrays and nested objects', () => {
    const claims = deepFreeze({
      sub: 'user_1',
      permissions: ['read'],
      act: { sub: 'admin_1', nested: [{ deep: true }] },
    });
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims.permissions)).toBe(true);
    expect(Object.isFrozen(claims.act)).toBe(true);
    expect(Object.isFrozen(claims.act.nested[0])).toBe(true);
    expect(() => claims.permissions.push('write')).toThrow(TypeError);
    expect(() => {
      (claims.act as { sub: string }).sub = 'mallory';
    }).toThrow(TypeError);
  });

  it('returns the value itself', () => {
    const value = { a: 1 };
    expect(deepFreeze(value)).toBe(value);
  });

  it('freezes what is inside an object that was frozen only at the top', () => {
    const value = Object.freeze({ list: [1] });
    deepFreeze(value);
    expect(Object.isFrozen(value.list)).toBe(true);
  });

  it('ends on cycles', () => {
    const value: { self?: unknown } = {};
    value.self = value;
    expect(Object.isFrozen(deepFreeze(value))).toBe(true);
  });

  it.each([null, undefined, 1, 'text', true])('leaves %p as it is', (value) => {
    expect(deepFreeze(value)).toBe(value);
  });
});
