import { createLocalJWKSet, jwtVerify } from 'jose';
import type { IdentityProvider, TokenVerificationSettings } from '../providers/identity-provider';
import { FunctionReauthClock } from '../core/clock';
import {
  segment,
  signCompact,
  TEST_ALGORITHMS,
  testKeyPair,
  type TestAlgorithm,
  type TestKeyPair,
  withPart,
} from '../crypto/test-keys.spec.helper';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';
import { JwksServer } from './jwks-server.spec.helper';

// The verifier (crypto/jws.ts and jwk.ts under the claim checks) against jose's jwtVerify, the
// reference: over valid tokens and mutated ones, both must accept and refuse the same tokens.

const ISSUER = 'https://idp.example/';
const NOW = 1_735_680_000;
const TOLERANCE = 5;

const pairs = Object.fromEntries(TEST_ALGORITHMS.map((alg) => [alg, testKeyPair(alg)])) as Record<
  TestAlgorithm,
  TestKeyPair
>;
// Another key of each type, published under its own kid.
const others = Object.fromEntries(
  TEST_ALGORITHMS.map((alg) => [alg, testKeyPair(alg, `${alg.toLowerCase()}-other`)]),
) as Record<TestAlgorithm, TestKeyPair>;
const published = [...Object.values(pairs), ...Object.values(others)].map((pair) => pair.jwk);

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'user_1',
  iss: ISSUER,
  iat: NOW,
  exp: NOW + 300,
  ...extra,
});
/** A header for `alg` naming `kid`: by default, the key `alg`'s tokens are signed with. */
const headerOf = (alg: TestAlgorithm, kid: string = pairs[alg].jwk.kid) => ({ alg, kid });
const signed = (alg: TestAlgorithm, payload: object = claims(), header: object = headerOf(alg)) =>
  signCompact(header, payload, pairs[alg].privateKey, alg);

// The first character carries only data bits (the last may carry padding bits only).
const flipAt = (part: string, at: number) =>
  part.slice(0, at) + (part[at] === 'A' ? 'B' : 'A') + part.slice(at + 1);
const insertAt = (part: string, at: number, text: string) =>
  part.slice(0, at) + text + part.slice(at);

/** Each mutation of a valid token of `alg`, by name. */
function mutations(alg: TestAlgorithm): [string, string][] {
  const valid = signed(alg);
  const [header, payload, signature] = valid.split('.');
  const otherRsa = alg === 'RS256' ? 'PS256' : 'RS256';
  return [
    ['the valid token', valid],
    ['valid, nbf within the tolerance', signed(alg, claims({ nbf: NOW + TOLERANCE }))],
    ['valid, exp just within the tolerance', signed(alg, claims({ exp: NOW - TOLERANCE + 1 }))],
    ['a flipped first signature byte', withPart(valid, 2, (part) => flipAt(part, 0))],
    ['a flipped middle signature byte', withPart(valid, 2, (part) => flipAt(part, 20))],
    ['a signature with bytes appended', `${valid}AAAA`],
    ['a signature cut short', valid.slice(0, -4)],
    ['an empty signature', `${header}.${payload}.`],
    ['an altered payload', withPart(valid, 1, () => segment(claims({ sub: 'user_2' })))],
    ['a flipped payload byte', withPart(valid, 1, (part) => flipAt(part, 0))],
    [
      'an altered header alg (to another RSA one)',
      withPart(valid, 0, () => segment({ alg: otherRsa, kid: pairs[alg].jwk.kid })),
    ],
    [
      'an altered header alg (HS256)',
      withPart(valid, 0, () => segment({ alg: 'HS256', kid: pairs[alg].jwk.kid })),
    ],
    [
      'alg none, signature kept',
      withPart(valid, 0, () => segment({ alg: 'none', kid: pairs[alg].jwk.kid })),
    ],
    ['alg none, no signature', `${segment({ alg: 'none' })}.${payload}.`],
    [
      'signed by another key under this kid',
      signCompact(headerOf(alg), claims(), others[alg].privateKey, alg),
    ],
    [
      'a kid naming another key of the type',
      withPart(valid, 0, () => segment(headerOf(alg, others[alg].jwk.kid))),
    ],
    ['a kid that is not published', withPart(valid, 0, () => segment(headerOf(alg, 'unknown')))],
    ['expired at the edge of the tolerance', signed(alg, claims({ exp: NOW - TOLERANCE }))],
    ['expired long ago', signed(alg, claims({ iat: NOW - 7200, exp: NOW - 3600 }))],
    ['nbf in the future', signed(alg, claims({ nbf: NOW + TOLERANCE + 1 }))],
    ['another issuer', signed(alg, claims({ iss: 'https://evil.example/' }))],
    ['the header segment only', header],
    ['no signature segment', `${header}.${payload}`],
    ['an empty payload segment', `${header}..${signature}`],
    ['an extra segment', `${valid}.${signature}`],
    ['five segments', `${valid}.AAAA.AAAA`],
    ...['+', '/', '!', '*', '~'].flatMap((char): [string, string][] =>
      [0, 1, 2].map((index) => [
        `"${char}" in segment ${index}`,
        withPart(valid, index, (part) => insertAt(part, 8, char)),
      ]),
    ),
  ];
}

describe('AccessTokenVerifier, differential against jose.jwtVerify', () => {
  let jwks: JwksServer;
  let verifier: AccessTokenVerifier;
  const reference = createLocalJWKSet({ keys: published as never[] });

  beforeAll(async () => {
    jwks = await JwksServer.start();
    jwks.keys = published;
    const verification: TokenVerificationSettings = {
      jwksUrl: jwks.url,
      issuers: [ISSUER],
      algorithms: [...TEST_ALGORITHMS],
      requireSid: false,
    };
    verifier = new AccessTokenVerifier(
      { jwksTimeoutMs: 5000, clockToleranceSeconds: TOLERANCE },
      { verification: () => Promise.resolve(verification) } as IdentityProvider,
      new FunctionReauthClock(() => NOW * 1000),
    );
  });
  afterAll(() => jwks.close());

  const ours = (token: string) =>
    verifier.verify(token).then(
      () => true,
      (error: unknown) => {
        if (error instanceof InvalidAccessTokenError) return false;
        throw error;
      },
    );
  const jose = (token: string) =>
    jwtVerify(token, reference, {
      issuer: ISSUER,
      algorithms: [...TEST_ALGORITHMS],
      clockTolerance: TOLERANCE,
      currentDate: new Date(NOW * 1000),
      requiredClaims: ['sub', 'iat', 'exp'],
    }).then(
      () => true,
      () => false,
    );

  describe.each(TEST_ALGORITHMS)('%s', (alg) => {
    const cases = mutations(alg);

    it.each(cases)('agrees on %s', async (name, token) => {
      const verdict = await ours(token);
      expect({ name, verdict }).toEqual({ name, verdict: await jose(token) });
      expect(verdict).toBe(name.startsWith('valid') || name === 'the valid token');
    });
  });

  it('is stricter than jose on padding and whitespace in the signature, which jose skips', async () => {
    const valid = signed('RS256');
    // 256 signature bytes are 342 base64url characters: two "=" make it a multiple of four.
    for (const token of [`${valid}==`, withPart(valid, 2, (s) => insertAt(s, 8, ' '))]) {
      expect(await jose(token)).toBe(true);
      expect(await ours(token)).toBe(false);
    }
  });
});
