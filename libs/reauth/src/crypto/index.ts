export { constantTimeEqual, sha256, sha256Base64url } from './digest';
export { CryptoError } from './errors';
export { IronError, openIronSeal, type IronErrorCode, type IronPassword } from './iron';
export { decryptCompactDir, encryptCompactDir, JweError, type JweErrorCode } from './jwe';
export {
  importPublicJwk,
  isSigningKeyType,
  JwkError,
  keyForAlgorithm,
  type Jwk,
  type JwkErrorCode,
  type PublicKey,
} from './jwk';
export {
  decodeJwsSegment,
  JWS_ALGORITHMS,
  JwsError,
  splitCompactJws,
  verifyCompactJws,
  type CompactJws,
  type JsonObject,
  type JwsErrorCode,
} from './jws';
export { decodeJwtPayload, JwtPayloadError, type JwtPayload } from './jwt-payload';
export {
  deriveKey,
  SESSION_KEY,
  STATE_KEY,
  STEP_UP_TICKET_KEY,
  type KeyPurpose,
} from './key-derivation';
export { randomBytes, randomBytesPooled, randomToken } from './random';
export {
  openSessionEnvelope,
  sealSessionEnvelope,
  SessionEnvelopeError,
  type SessionEnvelopeErrorCode,
} from './session-envelope';
