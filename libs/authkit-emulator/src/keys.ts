import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { type EmulatorClock } from './clock';
import { randomId } from './ids';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Emulator time (ms) after which a rotated-away key leaves the JWKS; undefined while current. */
  retiresAtMs?: number;
}

/**
 * The RS256 keys that sign access tokens. Rotation signs with a new key at once and keeps the
 * previous one published for a grace period, so tokens issued just before still verify.
 */
export class KeyRing {
  private keys: SigningKey[] = [];

  private constructor(
    private readonly clock: EmulatorClock,
    private readonly graceSeconds: number,
  ) {}

  static async create(clock: EmulatorClock, graceSeconds: number): Promise<KeyRing> {
    const ring = new KeyRing(clock, graceSeconds);
    await ring.rotate();
    return ring;
  }

  get currentKid(): string {
    return this.current().kid;
  }

  /** Makes a new key current; the old one stays in the JWKS for the grace period. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomId('key');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const retiresAtMs = this.clock.nowMs() + this.graceSeconds * 1000;
    for (const key of this.keys) key.retiresAtMs ??= retiresAtMs;
    this.keys.push({ kid, privateKey, publicJwk });
    return kid;
  }

  /** The JSON Web Key Set as `/sso/jwks/:clientId` serves it. */
  jwks(): { keys: JWK[] } {
    const now = this.clock.nowMs();
    this.keys = this.keys.filter((key) => key.retiresAtMs === undefined || key.retiresAtMs > now);
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Signs claims with the current key. Claims are taken as given: callers set every time claim. */
  sign(claims: JWTPayload): Promise<string> {
    const key = this.current();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  private current(): SigningKey {
    return this.keys[this.keys.length - 1];
  }
}
