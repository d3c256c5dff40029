import type { BoundActionRequest } from '../identity-provider';
import {
  authorizesBoundAction,
  boundActionDetails,
  grantedAuthorizationDetails,
  isAuthorizationDetailsType,
  MAX_AUTHORIZATION_DETAILS_BYTES,
} from './oidc-authorization-details';

const TYPE = 'step_up_action';
const ACTION: BoundActionRequest = {
  digest: 'q5Hk1fJm2Yy0a7cS0wqg4fX8yH2oZk7q3pDqHh3m9cU',
  summary: 'Delete project "Apollo"',
  fields: { project: 'apollo', hard: true, version: 3 },
};

describe('boundActionDetails', () => {
  it('is one entry of the type, the digest as identifier, the summary and the fields in order', () => {
    const details = boundActionDetails(TYPE, ACTION, ['payment', TYPE]);
    expect(details).toEqual({
      sent: true,
      parameter:
        '[{"type":"step_up_action","identifier":"q5Hk1fJm2Yy0a7cS0wqg4fX8yH2oZk7q3pDqHh3m9cU",' +
        '"summary":"Delete project \\"Apollo\\"","fields":{"project":"apollo","hard":true,"version":3}}]',
    });
  });

  it.each([undefined, null, [], ['payment'], [`${TYPE} `], 'step_up_action', { [TYPE]: true }])(
    'is not sent where discovery lists %p',
    (typesSupported) => {
      expect(boundActionDetails(TYPE, ACTION, typesSupported)).toEqual({
        sent: false,
        reason: 'not_advertised',
      });
    },
  );

  it(`sends fields that would pass ${MAX_AUTHORIZATION_DETAILS_BYTES} bytes as {}, the rest unchanged`, () => {
    const fields = { note: 'n'.repeat(MAX_AUTHORIZATION_DETAILS_BYTES) };
    const details = boundActionDetails(TYPE, { ...ACTION, fields }, [TYPE]);
    expect(details).toEqual({
      sent: true,
      parameter: JSON.stringify([
        { type: TYPE, identifier: ACTION.digest, summary: ACTION.summary, fields: {} },
      ]),
      fieldsLeftOut: { bytes: expect.any(Number) },
    });
    // What the callback, which knows no fields, works out: the same details, sent.
    expect(boundActionDetails(TYPE, { ...ACTION, fields: {} }, [TYPE])).toEqual({
      sent: true,
      parameter: (details as { parameter: string }).parameter,
    });
  });

  it(`is not sent past ${MAX_AUTHORIZATION_DETAILS_BYTES} bytes of JSON, counted in UTF-8`, () => {
    const base = Buffer.byteLength(
      JSON.stringify([{ type: TYPE, identifier: ACTION.digest, summary: '', fields: {} }]),
    );
    const room = MAX_AUTHORIZATION_DETAILS_BYTES - base;
    const action = { ...ACTION, fields: {} };
    expect(boundActionDetails(TYPE, { ...action, summary: 'a'.repeat(room) }, [TYPE]).sent).toBe(
      true,
    );
    expect(boundActionDetails(TYPE, { ...action, summary: 'a'.repeat(room + 1) }, [TYPE])).toEqual({
      sent: false,
      reason: 'too_large',
      bytes: MAX_AUTHORIZATION_DETAILS_BYTES + 1,
    });
    // "é" is two bytes: half as many characters fill the same room.
    const accented = { ...action, summary: 'é'.repeat(Math.floor(room / 2) + 1) };
    expect(boundActionDetails(TYPE, accented, [TYPE])).toMatchObject({ reason: 'too_large' });
  });
});

describe('grantedAuthorizationDetails', () => {
  it('keeps an array of JSON objects as it is', () => {
    const granted = [{ type: TYPE, identifier: 'x' }, { type: 'payment' }];
    expect(grantedAuthorizationDetails(granted)).toBe(granted);
    expect(grantedAuthorizationDetails([])).toEqual([]);
  });

  it.each([
    undefined,
    -1,
    null,
    '1',
    {},
    true,
    1.5,
    1e13,
    '[{"type":"x"}]',
    [null],
    [[]],
    ['x'],
    [1],
  ])('drops %p', (value) => {
    expect(grantedAuthorizationDetails(value)).toBeUndefined();
  });
});

describe('authorizesBoundAction', () => {
  it('is true for an entry of the type with the digest as identifier, whatever else it says', () => {
    const granted = [
      { type: 'payment', identifier: ACTION.digest },
      { type: TYPE, identifier: ACTION.digest, summary: 'changed by the provider' },
    ];
    expect(authorizesBoundAction(granted, TYPE, ACTION)).toBe(true);
  });

  it.each<[string, Record<string, unknown>[] | undefined]>([
    ['no details', undefined],
    ['an empty list', []],
    ['another type', [{ type: 'payment', identifier: ACTION.digest }]],
    ['another identifier', [{ type: TYPE, identifier: `${ACTION.digest}x` }]],
    ['no identifier', [{ type: TYPE, summary: ACTION.summary }]],
    ['a non-string identifier', [{ type: TYPE, identifier: [ACTION.digest] }]],
  ])('is false for %s', (_label, granted) => {
    expect(authorizesBoundAction(granted, TYPE, ACTION)).toBe(false);
  });
});

describe('isAuthorizationDetailsType', () => {
  it.each([
    'step_up_action',
    'urn:acme:step-up',
    'https://acme.example/rar/step-up',
    'x'.repeat(200),
  ])('accepts %p', (value) => {
    expect(isAuthorizationDetailsType(value)).toBe(true);
  });

  it.each([-1, null, undefined, [], {}, true, 1.5, 1e13, '', ' ', 'step up', 'é', 'x'.repeat(201)])(
    'refuses %p',
    (value) => {
      expect(isAuthorizationDetailsType(value)).toBe(false);
    },
  );
});
