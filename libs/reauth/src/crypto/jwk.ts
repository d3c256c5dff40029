import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CodedCryptoError } from './errors';

/**
 * The stable codes of {@link JwkError}.
 *
 * - `jwk_invalid`: the JWK does not import as a public key.
 * - `jwk_unfit`: the key may not verify the algorithm asked for (type, curve, size, `alg`,
 *   `key_ops`).
 */
export type JwkErrorCode = 'jwk_invalid' | 'jwk_unfit';

/** A published JWK that cannot verify signatures of the algorithm asked for. */
export class JwkError extends CodedCryptoError<JwkErrorCode> {}

/**
 * The members of a JSON Web Key (RFC 7517) read here; untrusted, so every one may be of any type.
 * Other members pass through to the import untouched.
 */
export interface Jwk {
  kty?: unknown;
  kid?: unknown;
  use?: unknown;
  alg?: unknown;
  key_ops?: unknown;
  crv?: unknown;
  [member: string]: unknown;
}

/** An imported public key, ready for `verifyCompactJws`. */
export type PublicKey = KeyObject;

/**
 * What each algorithm needs: the JWK's type (and curve), and the imported key's type (and named
 * curve) as `node:crypto` reports them.
 */
const KEY_TYPES: Readonly<
  Record<string, { kty: string; crv?: string; keyType: string; namedCurve?: string }>
> = {
  RS256: { kty: 'RSA', keyType: 'rsa' },
  PS256: { kty: 'RSA', keyType: 'rsa' },
  ES256: { kty: 'EC', crv: 'P-256', keyType: 'ec', namedCurve: 'prime256v1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', keyType: 'ed25519' },
};

// Shorter RSA keys are refused for RS256 and PS256, as RFC 7518 (section 3.3) requires.
const MIN_RSA_MODULUS_BITS = 2048;

/** Whether `kty` is the key type of an algorithm `verifyCompactJws` implements. */
export function isSigningKeyType(kty: unknown): boolean {
  return Object.values(KEY_TYPES).some((type) => type.kty === kty);
}

/** Imports a JWK as a public key; throws `jwk_invalid` for anything else (a private key too). */
export function importPublicJwk(jwk: Jwk): PublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new JwkError('jwk_invalid', 'the JWK does not import', { cause: error });
  }
  if (key.type !== 'public') throw new JwkError('jwk_invalid', 'the JWK is not a public key');
  return key;
}

/**
 * `key` (imported from `jwk`), when it may verify `alg`: its type and curve fit the algorithm
 * (checked on the JWK and on what `node:crypto` made of it), an RSA key has at least 2048 bits,
 * the JWK names no other algorithm and, if it lists operations, lists `verify`. Throws
 * `jwk_unfit` otherwise.
 */
export function keyForAlgorithm(jwk: Jwk, key: PublicKey, alg: string): PublicKey {
  const unfit = (why: string) => new JwkError('jwk_unfit', `the key cannot verify ${alg}: ${why}`);
  const type = KEY_TYPES[alg];
  if (!type || jwk.kty !== type.kty || (type.crv !== undefined && jwk.crv !== type.crv)) {
    throw unfit('another key type');
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) throw unfit('the JWK names another algorithm');
  // A key published for other operations (RFC 7517, section 4.3) verifies nothing.
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))
  ) {
    throw unfit('the JWK is not for verifying');
  }
  if (key.asymmetricKeyType !== type.keyType) throw unfit('another key type');
  const details = key.asymmetricKeyDetails;
  if (type.namedCurve !== undefined && details?.namedCurve !== type.namedCurve) {
    throw unfit('another curve');
  }
  if (type.keyType === 'rsa' && (details?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
    throw unfit(`an RSA key under ${MIN_RSA_MODULUS_BITS} bits`);
  }
  return key;
}
