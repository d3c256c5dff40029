import { createHash } from 'node:crypto';
import { ReauthBadActionException } from '../exceptions/reauth-bad-action.exception';
import type { ActionBinding } from './effective-policy';
import { actionDigest, bindAction, isSummary, SUMMARY_MAX_LENGTH } from './action-binding';

const ROUTE = '/payments:PaymentsController.transfer';
const TRANSFER: ActionBinding = {
  fields: ['amount', 'payee'],
  summary: ({ amount, payee }) => `Transfer ${String(amount)} EUR to ${String(payee)}`,
};

/** The digest, computed here from its definition rather than by the code under test. */
function expectedDigest(method: string, route: string, pairs: [string, unknown][]): string {
  return createHash('sha256')
    .update(JSON.stringify([method, route, pairs]), 'utf8')
    .digest('base64url');
}

/** What `bindAction` threw. */
function thrownBy(run: () => unknown): ReauthBadActionException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReauthBadActionException);
    return error as ReauthBadActionException;
  }
  throw new Error('bindAction did not throw');
}

function expectMissing(body: unknown, fields: string[]): void {
  const error = thrownBy(() => bindAction(TRANSFER, 'POST', ROUTE, body));
  expect(error).toMatchObject({
    name: 'ReauthBadActionException',
    code: 'reauth_bad_action',
    reason: 'action_fields_missing',
    fields,
  });
  expect(error.getStatus()).toBe(400);
  expect(error.getResponse()).toStrictEqual({
    statusCode: 400,
    error: 'reauth_bad_action',
    reason: 'action_fields_missing',
    message: 'This action is missing what identifies it, so it cannot be confirmed.',
    fields,
  });
}

function expectSummaryInvalid(summary: ActionBinding['summary']): ReauthBadActionException {
  const error = thrownBy(() =>
    bindAction({ ...TRANSFER, summary }, 'POST', ROUTE, { amount: 1, payee: 'bob' }),
  );
  expect(error).toMatchObject({ reason: 'action_summary_invalid', fields: [] });
  expect(error.getResponse()).toStrictEqual({
    statusCode: 400,
    error: 'reauth_bad_action',
    reason: 'action_summary_invalid',
    message: 'This action cannot be described for confirmation.',
  });
  return error;
}

describe('bindAction', () => {
  it('commits to the method (upper-cased), the route and the fields in declared order', () => {
    const bound = bindAction(TRANSFER, 'post', ROUTE, { amount: 100, payee: 'bob', note: 'x' });
    const digest = expectedDigest('POST', ROUTE, [
      ['amount', 100],
      ['payee', 'bob'],
    ]);
    expect(bound).toStrictEqual({
      digest,
      summary: 'Transfer 100 EUR to bob',
      fields: { amount: 100, payee: 'bob' },
      scope: `${ROUTE}#${digest}`,
    });
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.isFrozen(bound)).toBe(true);
    expect(Object.isFrozen(bound.fields)).toBe(true);
    expect(actionDigest('post', ROUTE, TRANSFER.fields, bound.fields)).toBe(digest);
  });

  it('keeps strings, finite numbers and booleans as they are', () => {
    const binding: ActionBinding = { fields: ['a', 'b', 'c', 'd'], summary: () => 'ok' };
    const body = { a: '', b: 0, c: false, d: -1.5 };
    const bound = bindAction(binding, 'PUT', ROUTE, body);
    expect(bound.fields).toStrictEqual(body);
    expect(bound.digest).toBe(expectedDigest('PUT', ROUTE, Object.entries(body)));
  });

  it('gives another digest for another amount, payee, method or route', () => {
    const base = bindAction(TRANSFER, 'POST', ROUTE, { amount: 100, payee: 'bob' }).digest;
    const others = [
      bindAction(TRANSFER, 'POST', ROUTE, { amount: 101, payee: 'bob' }),
      bindAction(TRANSFER, 'POST', ROUTE, { amount: '100', payee: 'bob' }),
      bindAction(TRANSFER, 'POST', ROUTE, { amount: 100, payee: 'mallory' }),
      bindAction(TRANSFER, 'PUT', ROUTE, { amount: 100, payee: 'bob' }),
      bindAction(TRANSFER, 'POST', `${ROUTE}2`, { amount: 100, payee: 'bob' }),
    ].map((bound) => bound.digest);
    expect(new Set([base, ...others]).size).toBe(6);
  });

  it('ignores the order of the body, but not the declared order', () => {
    const declared = bindAction(TRANSFER, 'POST', ROUTE, { amount: 100, payee: 'bob' });
    const shuffled = bindAction(TRANSFER, 'POST', ROUTE, { payee: 'bob', amount: 100 });
    expect(shuffled.digest).toBe(declared.digest);
    const reversed = bindAction({ ...TRANSFER, fields: ['payee', 'amount'] }, 'POST', ROUTE, {
      amount: 100,
      payee: 'bob',
    });
    expect(reversed.digest).not.toBe(declared.digest);
    expect(reversed.digest).toBe(
      expectedDigest('POST', ROUTE, [
        ['payee', 'bob'],
        ['amount', 100],
      ]),
    );
  });

  it('does not confuse values that would run together', () => {
    const binding: ActionBinding = { fields: ['a', 'b'], summary: () => 'ok' };
    expect(bindAction(binding, 'POST', ROUTE, { a: 'x,', b: 'y' }).digest).not.toBe(
      bindAction(binding, 'POST', ROUTE, { a: 'x', b: ',y' }).digest,
    );
  });

  describe('refuses a body without its bound fields', () => {
    it.each<[string, unknown]>([
      ['null', null],
      ['an object', { currency: 'EUR' }],
      ['an array', [1]],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['undefined', undefined],
      ['a function', () => 1],
      ['a bigint', BigInt(1)],
      ['a symbol', Symbol('x')],
    ])('listing a field that holds %s', (_label, value) => {
      expectMissing({ amount: value, payee: 'bob' }, ['amount']);
      expectMissing({ amount: 1, payee: value }, ['payee']);
    });

    it('listing every missing field, in declared order', () => {
      expectMissing({}, ['amount', 'payee']);
      expectMissing({ note: 'x' }, ['amount', 'payee']);
      expectMissing({ payee: null }, ['amount', 'payee']);
    });

    it.each([undefined, null, 'amount=1', 42, true, [100, 'bob']])(
      'of %p, which has no fields at all',
      (body) => {
        expectMissing(body, ['amount', 'payee']);
      },
    );

    it('not counting fields inherited from a prototype', () => {
      const body = Object.create({ amount: 100, payee: 'bob' }) as object;
      expectMissing(body, ['amount', 'payee']);
      const partly = Object.assign(Object.create({ payee: 'bob' }) as object, { amount: 100 });
      expectMissing(partly, ['payee']);
    });

    it('nor the properties every object inherits', () => {
      const binding: ActionBinding = { fields: ['constructor', 'toString'], summary: () => 'ok' };
      const error = thrownBy(() => bindAction(binding, 'POST', ROUTE, {}));
      expect(error.fields).toEqual(['constructor', 'toString']);
    });

    it('without calling the summary', () => {
      const summary = jest.fn(() => 'x');
      expect(() => bindAction({ ...TRANSFER, summary }, 'POST', ROUTE, {})).toThrow(
        ReauthBadActionException,
      );
      expect(summary).not.toHaveBeenCalled();
    });
  });

  describe('the summary', () => {
    it('is given the bound fields only, frozen', () => {
      const summary = jest.fn(() => 'ok');
      bindAction({ ...TRANSFER, summary }, 'POST', ROUTE, { amount: 1, payee: 'bob', note: 'n' });
      expect(summary).toHaveBeenCalledTimes(1);
      const [given] = summary.mock.calls[0] as unknown as [Record<string, unknown>];
      expect(given).toStrictEqual({ amount: 1, payee: 'bob' });
      expect(Object.isFrozen(given)).toBe(true);
    });

    it('that throws is refused, keeping its error as the cause', () => {
      const cause = new Error('formatter broke');
      const error = expectSummaryInvalid(() => {
        throw cause;
      });
      expect(error.cause).toBe(cause);
    });

    it.each<[string, unknown]>([
      ['a number', 42],
      ['undefined', undefined],
      ['null', null],
      ['an object', { text: 'x' }],
      ['an empty string', ''],
      ['whitespace only', ' \u00a0  '],
      ['201 characters', 'x'.repeat(201)],
      ['a newline', 'Transfer\nto bob'],
      ['a tab', 'Transfer\tto bob'],
      ['a NUL', 'Transfer\u0000'],
      ['a DEL', 'Transfer\u007f'],
      ['an escape', '\u001b[31mred'],
    ])('that returns %s is refused', (_label, value) => {
      const error = expectSummaryInvalid(() => value as string);
      expect(error.cause).toBeUndefined();
    });

    it('of exactly 200 characters, or with non-ASCII text, is shown as it is', () => {
      const long = 'x'.repeat(SUMMARY_MAX_LENGTH);
      expect(SUMMARY_MAX_LENGTH).toBe(200);
      expect(
        bindAction({ ...TRANSFER, summary: () => long }, 'POST', ROUTE, { amount: 1, payee: 'b' })
          .summary,
      ).toBe(long);
      expect(bindAction(TRANSFER, 'POST', ROUTE, { amount: 1, payee: 'Zoë' }).summary).toBe(
        'Transfer 1 EUR to Zoë',
      );
    });
  });
});

describe('isSummary', () => {
  it.each([-1, null, '1', [], {}, true, 1.5, 1e13])('%p', (value) => {
    expect(isSummary(value)).toBe(value === '1');
  });
});
