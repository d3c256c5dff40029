import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// A WebAuthn authenticator in software, for server-side tests: real P-256 keys, real CBOR, real
// signatures over what the WebAuthn spec says, so the server verifies it with the same library
// code that verifies a browser's. The browser tests use Chromium's virtual authenticator.

/** A minimal CBOR encoder (RFC 8949): unsigned/negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, length: number): Buffer => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 256) return Buffer.from([(major << 5) | 24, length]);
    if (length < 65536) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(length, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new TypeError('unsupported CBOR value');
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 };

export interface SoftwareCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKeyCose: Buffer;
  counter: number;
  backupEligible: boolean;
}

export interface CeremonyOptions {
  /** The challenge from the server's options. */
  challenge: string;
  origin: string;
  rpId: string;
  /** Default true: the user verified (PIN, biometrics). */
  userVerified?: boolean;
}

function authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter, 0);
  return Buffer.concat([
    createHash('sha256').update(rpId).digest(),
    Buffer.from([flags]),
    count,
    ...(attested ? [attested] : []),
  ]);
}

function flagsOf(options: CeremonyOptions, credential: SoftwareCredential, extra: number): number {
  let flags = FLAG.UP | extra;
  if (options.userVerified ?? true) flags |= FLAG.UV;
  if (credential.backupEligible) flags |= FLAG.BE | FLAG.BS;
  return flags;
}

function clientData(type: string, options: CeremonyOptions): Buffer {
  return Buffer.from(
    JSON.stringify({
      type,
      challenge: options.challenge,
      origin: options.origin,
      crossOrigin: false,
    }),
  );
}

/** A new credential and the `RegistrationResponseJSON` a browser would send for it. */
export function createPasskey(
  options: CeremonyOptions & { backupEligible?: boolean; counter?: number },
): { credential: SoftwareCredential; response: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const publicKeyCose = cbor(
    new Map<number, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  const credential: SoftwareCredential = {
    id: randomBytes(32),
    privateKey,
    publicKeyCose,
    counter: options.counter ?? 0,
    backupEligible: options.backupEligible ?? false,
  };
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credential.id.length, 0);
  const attested = Buffer.concat([Buffer.alloc(16), idLength, credential.id, publicKeyCose]);
  const data = authData(
    options.rpId,
    flagsOf(options, credential, FLAG.AT),
    credential.counter,
    attested,
  );
  const attestationObject = cbor(
    new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', data],
    ]),
  );
  const id = credential.id.toString('base64url');
  return {
    credential,
    response: {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: clientData('webauthn.create', options).toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
    },
  };
}

/**
 * The `AuthenticationResponseJSON` a browser would send: signed over the authenticator data and
 * the client data's hash. Moves the credential's counter forward unless `counter` says otherwise.
 */
export function assertPasskey(
  credential: SoftwareCredential,
  options: CeremonyOptions & { counter?: number },
): Record<string, unknown> {
  if (options.counter === undefined && credential.counter > 0) credential.counter += 1;
  const counter = options.counter ?? credential.counter;
  const data = authData(options.rpId, flagsOf(options, credential, 0), counter);
  const client = clientData('webauthn.get', options);
  const signature = sign(
    'sha256',
    Buffer.concat([data, createHash('sha256').update(client).digest()]),
    credential.privateKey,
  );
  const id = credential.id.toString('base64url');
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: client.toString('base64url'),
      authenticatorData: data.toString('base64url'),
      signature: signature.toString('base64url'),
      userHandle: undefined,
    },
  };
}
