import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Jwk } from './jwk';

// Test keys and hand-made compact JWS for specs; never part of the package (`*.spec.*`).

/** The JWS algorithms the library verifies. */
export const TEST_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type TestAlgorithm = (typeof TEST_ALGORITHMS)[number];

export interface TestKeyPair {
  alg: TestAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK, with the `kid` given and `use: 'sig'`. */
  jwk: Jwk & { kid: string };
}

/** A fresh key pair for `alg` (RSA keys of 2048 bits), made with node:crypto. */
export function testKeyPair(alg: TestAlgorithm, kid: string = alg.toLowerCase()): TestKeyPair {
  const { publicKey, privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
  return { alg, privateKey, publicKey, jwk };
}

/** A JWS segment: `part` as JSON (or as the text given), base64url. */
export function segment(part: object | string): string {
  return Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url');
}

/**
 * A compact JWS of the header and payload given, signed with `privateKey` for `alg` through
 * node:crypto, in the signature format `format` names (the standard one by default).
 */
export function signCompact(
  header: object | string,
  payload: object | string,
  privateKey: KeyObject,
  alg: TestAlgorithm,
  format?: 'der' | 'pss-salt-0',
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'EdDSA'
      ? sign(null, data, privateKey)
      : alg === 'ES256'
        ? sign('sha256', data, {
            key: privateKey,
            dsaEncoding: format === 'der' ? 'der' : 'ieee-p1363',
          })
        : alg === 'PS256'
          ? sign('sha256', data, {
              key: privateKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: format === 'pss-salt-0' ? 0 : 32,
            })
          : sign('sha256', data, privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** `token` with its `index`-th dot-separated part replaced. */
export function withPart(token: string, index: number, replace: (part: string) => string): string {
  const parts = token.split('.');
  parts[index] = replace(parts[index]);
  return parts.join('.');
}

/** `part` (base64url) with one data character changed: the first carries no padding bits. */
export function flipFirstCharacter(part: string): string {
  return (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
}
