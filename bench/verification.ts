import type { AuthKitEmulator } from 'authkit-emulator';
// Internals, measured directly: the packages do not export them.
import { resolveReauthSetup } from '../libs/reauth/src/options/reauth.options';
import { AccessTokenVerifier } from '../libs/reauth/src/authentication/access-token.verifier';
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { COOKIE_PASSWORD } from './config';
import { fetchJwks } from './jwks';
import { CONNECTIONS } from './load';
import { ALICE } from './config';

export const LOOP_MS = 1_000;
export const FIRST_SEEN_TOKENS = 2_000;
// As many verifications in flight as the load tests have connections.
export const IN_FLIGHT = CONNECTIONS;

/**
 * Verifications per second on the same tokens: a bare `crypto.verify`, and our verifier awaited
 * one at a time (what one request waits) and with IN_FLIGHT at once (what a busy server gets
 * through).
 */
export interface VerificationRates {
  crypto: number;
  oneAtATime: number;
  inFlight: number;
}

/** One round of the verification loops. */
export interface VerificationResults {
  sameToken: VerificationRates;
  firstSeen: VerificationRates;
}

/**
 * Calls `op(0)`, `op(1)`, ... with `inFlight` calls at a time, until LOOP_MS have passed or
 * `count` calls are started; returns calls per second. A synchronous `op` is not awaited, so the
 * baseline pays no microtask per call.
 */
async function opsPerSecond(
  count: number,
  op: (i: number) => unknown,
  inFlight = 1,
): Promise<number> {
  const start = performance.now();
  let started = 0;
  const worker = async () => {
    while (started < count && performance.now() - start < LOOP_MS) {
      const result = op(started++);
      if (result instanceof Promise) await result;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return started / ((performance.now() - start) / 1000);
}

/** What a minimal verifier does: the RS256 signature over `header.payload`, and nothing else. */
function cryptoVerify(token: string, key: KeyObject): void {
  const [header, payload, signature] = token.split('.');
  const data = Buffer.from(`${header}.${payload}`);
  if (!verify('RSA-SHA256', data, key, Buffer.from(signature, 'base64url'))) {
    throw new Error('crypto.verify refused a token that the emulator signed');
  }
}

/** The public key of the emulator's signing key (it has one until a rotation). */
async function emulatorKey(emulator: AuthKitEmulator): Promise<KeyObject> {
  const [jwk] = (await fetchJwks(emulator.url, emulator.clientId)).keys;
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

/**
 * Our `AccessTokenVerifier` against `crypto.verify`, on one token and on first-seen ones, in
 * `rounds` rounds: each round runs every loop once, with verifiers of its own.
 */
export async function measureVerification(
  emulator: AuthKitEmulator,
  redirectUri: string,
  rounds: number,
): Promise<VerificationResults[]> {
  const setup = resolveReauthSetup(
    {
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      redirectUri,
      cookiePassword: COOKIE_PASSWORD,
    },
    {},
  );
  const key = await emulatorKey(emulator);
  const mint = () => emulator.mintAccessToken({ email: ALICE.email, authTime: emulator.now() });
  const token = await mint();
  const distinct: string[] = [];
  for (let i = 0; i < FIRST_SEEN_TOKENS; i++) distinct.push(await mint());

  // A new verifier whose first call fetched the key set. All are made before any loop: the
  // synchronous crypto.verify loops block the event loop, and a fetch after one can pick a
  // keep-alive socket that the emulator closed meanwhile.
  const newVerifier = async () => {
    const verifier = new AccessTokenVerifier(setup.options, setup.provider, setup.clock);
    await verifier.verify(token);
    return verifier;
  };
  // The first-seen runs each get a verifier that has seen none of the distinct tokens.
  const verifiers = await Promise.all(
    Array.from({ length: rounds }, () =>
      Promise.all([newVerifier(), newVerifier(), newVerifier()]),
    ),
  );
  const results: VerificationResults[] = [];
  for (const [repeated, firstSeenOne, firstSeenMany] of verifiers) {
    results.push(await round(token, distinct, key, repeated, firstSeenOne, firstSeenMany));
  }
  return results;
}

/** Every loop once: the same token, then the distinct ones, each against crypto.verify. */
async function round(
  token: string,
  distinct: string[],
  key: KeyObject,
  repeated: AccessTokenVerifier,
  firstSeenOne: AccessTokenVerifier,
  firstSeenMany: AccessTokenVerifier,
): Promise<VerificationResults> {
  return {
    sameToken: {
      crypto: await opsPerSecond(Infinity, () => cryptoVerify(token, key)),
      oneAtATime: await opsPerSecond(Infinity, () => repeated.verify(token)),
      inFlight: await opsPerSecond(Infinity, () => repeated.verify(token), IN_FLIGHT),
    },
    firstSeen: {
      crypto: await opsPerSecond(distinct.length, (i) => cryptoVerify(distinct[i], key)),
      oneAtATime: await opsPerSecond(distinct.length, (i) => firstSeenOne.verify(distinct[i])),
      inFlight: await opsPerSecond(
        distinct.length,
        (i) => firstSeenMany.verify(distinct[i]),
        IN_FLIGHT,
      ),
    },
  };
}
