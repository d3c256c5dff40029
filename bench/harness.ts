// What every benchmark entry point shares: an emulator that knows the one port the apps listen
// on in turn, the apps' configuration, and how a run reports a failure.
import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { freePort } from '../test/support/ports';
import { startRedis, type TestRedis } from '../test/support/redis';
import { stopAllApps } from './app-process';
import type { AppConfig } from './config';

/** A running emulator, and the configuration of an app that signs in with it. */
export interface BenchSetup {
  emulator: AuthKitEmulator;
  /** The `redis-server` of the apps whose store is Redis (`REDIS_URL` when given). */
  redis: TestRedis;
  config: Omit<AppConfig, 'kind' | 'platform'>;
}

/**
 * Starts an emulator whose access tokens live `tokenLifetimeSeconds` (longer than the run, so a
 * signed-in cookie never needs a refresh), for apps that each listen on the same free port in
 * turn: the emulator must know the redirect URI upfront.
 */
export async function startBench(tokenLifetimeSeconds: number): Promise<BenchSetup> {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
  const emulator = await startAuthKitEmulator({
    port: 0,
    testControls: true,
    redirectUris: [redirectUri],
    accessTokenTtlSeconds: tokenLifetimeSeconds,
  });
  let redis: TestRedis;
  try {
    redis = await startRedis();
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const config = {
    port,
    emulatorUrl: emulator.url,
    emulatorPort: emulator.port,
    clientId: emulator.clientId,
    apiKey: emulator.apiKey,
    redirectUri,
    redisUrl: redis.url,
  };
  return { emulator, redis, config };
}

/** Runs `measure`, then stops every server process and the emulator, however it ends. */
export async function withBench<T>(
  tokenLifetimeSeconds: number,
  measure: (setup: BenchSetup) => Promise<T>,
): Promise<T> {
  const setup = await startBench(tokenLifetimeSeconds);
  try {
    return await measure(setup);
  } finally {
    await stopAllApps();
    await setup.emulator.close();
    await setup.redis.close();
  }
}

// The library's own errors say little on their own ("temporarily unavailable"): show the causes.
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message} (${describe(error.cause)})`;
}

/** Runs an entry point; a failure is printed with its causes and fails the process. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} failed: ${describe(error)}\n`);
    process.exitCode = 1;
  });
}
