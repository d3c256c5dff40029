import {
  ACTION_MAX_BYTES,
  ActionInvalidError,
  ActionTooLargeError,
  assertActionSize,
} from './action';
import { ReauthInternalError } from './internal-error';

function caught(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

// The JSON of `{"s":"..."}` is 8 bytes plus the string.
function objectOfJsonBytes(bytes: number, character = 'a'): { s: string } {
  return { s: character.repeat(bytes - 8) };
}

describe('ACTION_MAX_BYTES', () => {
  it('is 2048', () => {
    expect(ACTION_MAX_BYTES).toBe(2048);
  });
});

describe('assertActionSize', () => {
  it.each<unknown>([
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e13,
    '',
    '1',
    [],
    {},
    [1, 'two', null, { three: [true] }],
    { type: 'change-email', email: 'new@example.com', nested: { list: [1, 2, 3] } },
    Object.assign(Object.create(null) as object, { a: 1 }),
    { a: 1, [Symbol('ignored')]: 2 },
  ])('accepts the plain JSON value %p', (action) => {
    expect(() => assertActionSize(action)).not.toThrow();
  });

  it('accepts exactly ACTION_MAX_BYTES bytes of JSON', () => {
    expect(() => assertActionSize(objectOfJsonBytes(ACTION_MAX_BYTES))).not.toThrow();
  });

  it('throws ActionTooLargeError one byte over', () => {
    const error = caught(() => assertActionSize(objectOfJsonBytes(ACTION_MAX_BYTES + 1)));
    expect(error).toBeInstanceOf(ActionTooLargeError);
    expect(error).toBeInstanceOf(ReauthInternalError);
    expect(error).toMatchObject({
      name: 'ActionTooLargeError',
      code: 'action_too_large',
      message: 'action is 2049 bytes of JSON, over 2048',
    });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const emoji = '\u{1F600}';
    const action = { s: emoji.repeat(600) };
    expect(JSON.stringify(action).length).toBeLessThan(ACTION_MAX_BYTES);
    expect(caught(() => assertActionSize(action))).toMatchObject({
      code: 'action_too_large',
      message: 'action is 2408 bytes of JSON, over 2048',
    });
  });

  describe('deep nesting', () => {
    function nestedArrays(depth: number): unknown {
      let nested: unknown = null;
      for (let level = 0; level < depth; level++) {
        nested = [nested];
      }
      return nested;
    }

    it('accepts nesting as deep as fits in the limit', () => {
      expect(() => assertActionSize(nestedArrays(1000))).not.toThrow();
    });

    it('reports nesting beyond the limit as too large', () => {
      expect(caught(() => assertActionSize(nestedArrays(1100)))).toMatchObject({
        code: 'action_too_large',
        message: 'action is 2204 bytes of JSON, over 2048',
      });
    });

    it('turns a stack overflow in JSON.stringify into ActionInvalidError', () => {
      expect(caught(() => assertActionSize(nestedArrays(1_000_000)))).toMatchObject({
        code: 'action_invalid',
        message: 'action cannot be serialised as JSON',
        cause: expect.any(RangeError),
      });
    });
  });

  describe('form bodies as Fastify parses them', () => {
    it('takes fast-querystring objects (an empty prototype with none of its own) as plain data', () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parse } = require('fast-querystring') as { parse: (query: string) => object };
      const body = parse('amount=125&to=savings');
      expect(Object.getPrototypeOf(body)).not.toBe(Object.prototype);
      expect(() => assertActionSize(body)).not.toThrow();
    });

    it('still refuses an object whose prototype carries anything', () => {
      const prototype = Object.create(null) as Record<string, unknown>;
      prototype.inherited = 1;
      const body = Object.create(prototype) as object;
      expect(() => assertActionSize(body)).toThrow();
    });
  });

  describe('values that are not plain JSON', () => {
    function expectActionInvalid(action: unknown, expected: Record<string, unknown>): void {
      const error = caught(() => assertActionSize(action));
      expect(error).toBeInstanceOf(ActionInvalidError);
      expect(error).toMatchObject({
        name: 'ActionInvalidError',
        code: 'action_invalid',
        ...expected,
      });
    }

    class Transfer {
      amount = 1;
    }
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;

    it.each<[string, unknown]>([
      ['undefined', undefined],
      ['a function', () => 1],
      ['a symbol', Symbol('action')],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a nested function', { run: () => 1 }],
      ['a nested undefined', { a: undefined }],
      ['a nested symbol', [Symbol('x')]],
      ['an array hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
      ['a nested NaN', { amount: NaN }],
      ['a nested -Infinity', [-Infinity]],
      ['a Date', new Date(0)],
      ['a nested Date', { when: new Date(0) }],
      ['a Map', new Map([['a', 1]])],
      ['a Set', new Set([1])],
      ['a RegExp', /x/],
      ['a class instance', new Transfer()],
      ['an object with toJSON', { toJSON: () => 'x' }],
      ['a boxed string', Object('x')],
      ['a typed array', new Uint8Array(2)],
      ['an array subclass', new (class extends Array<number> {})()],
    ])('throws ActionInvalidError for %s', (_label, action) => {
      expectActionInvalid(action, { message: 'action must be a plain JSON value' });
    });

    it.each<[string, unknown]>([
      ['a BigInt', 1n],
      ['a nested BigInt', { amount: 10n }],
      ['a circular object', circular],
    ])('throws ActionInvalidError with the cause for %s', (_label, action) => {
      expectActionInvalid(action, {
        message: 'action cannot be serialised as JSON',
        cause: expect.any(TypeError),
      });
    });
  });
});
