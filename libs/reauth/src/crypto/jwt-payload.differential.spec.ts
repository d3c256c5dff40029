import { decodeJwt } from 'jose';
import { decodeJwtPayload, JwtPayloadError } from './jwt-payload';
import { segment } from './test-keys.spec.helper';

// decodeJwtPayload against jose's decodeJwt, the function it replaces: the same claims for
// every token jose reads, and a refusal for every token jose refuses.

const claims = { sub: 'user_1', sid: 'session_1', exp: 1_900_000_000, nested: { a: [1] } };
const header = segment({ alg: 'RS256' });
const payload = segment(claims);

const TOKENS: [string, unknown][] = [
  ['a JWT', `${header}.${payload}.sig`],
  ['a JWT without a signature', `${header}.${payload}.`],
  ['an empty header', `.${payload}.sig`],
  ['a padded payload', `${header}.${payload}${'='.repeat((4 - (payload.length % 4)) % 4)}.sig`],
  ['whitespace in the payload', `${header}.${payload.slice(0, 4)} \n${payload.slice(4)}.sig`],
  ['two segments', `${header}.${payload}`],
  ['four segments', `${header}.${payload}.sig.x`],
  ['five segments (a JWE)', `${header}.${payload}.a.b.c`],
  ['an empty payload', `${header}..sig`],
  ['a payload with "+"', `${header}.${payload.slice(0, 4)}+${payload.slice(4)}.sig`],
  ['a payload with "/"', `${header}.${payload.slice(0, 4)}/${payload.slice(4)}.sig`],
  ['a payload with "!"', `${header}.${payload}!.sig`],
  ['a payload one character too long', `${header}.e30AA.sig`],
  ['padding inside the payload', `${header}.${payload.slice(0, 4)}==${payload.slice(4)}.sig`],
  ['a payload that is not JSON', `${header}.${segment('not json')}.sig`],
  [
    'a payload that is not UTF-8',
    `${header}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.sig`,
  ],
  ...['null', '[]', '"claims"', '1', 'true'].map((json): [string, unknown] => [
    `the JSON ${json}`,
    `${header}.${segment(json)}.sig`,
  ]),
  ['null', null],
  ['undefined', undefined],
  ['a number', 1],
  ['an object', {}],
];

describe('decodeJwtPayload, differential against jose.decodeJwt', () => {
  it.each(TOKENS)('agrees on %s', (_label, token) => {
    let expected: unknown;
    try {
      expected = decodeJwt(token as string);
    } catch {
      expected = 'refused';
    }
    let actual: unknown;
    try {
      actual = decodeJwtPayload(token as string);
    } catch (error) {
      expect(error).toBeInstanceOf(JwtPayloadError);
      expect(error).toMatchObject({ code: 'jwt_malformed', name: 'JwtPayloadError' });
      actual = 'refused';
    }
    expect(actual).toEqual(expected);
  });

  it('reads the claims of a JWT', () => {
    expect(decodeJwtPayload(`${header}.${payload}.sig`)).toEqual(claims);
  });
});
