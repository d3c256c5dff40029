/** The HTTP platform of an instance (the demo's `HTTP_ADAPTER`). */
export type HttpAdapter = 'express' | 'fastify';

/** How a soak runs. */
export interface SoakOptions {
  /** Virtual users, each with an account of its own. */
  users: number;
  /** How long the users live, in seconds (the run takes a little longer: start-up, tail). */
  seconds: number;
  /** Seeds every random choice: users, their choices, their instance for each request. */
  seed: number;
  /** Mean pause between two steps of a user, in ms. */
  thinkMs: number;
  /** The HTTP platform of each of the two instances. */
  adapters: readonly [HttpAdapter, HttpAdapter];
  /** Redis keeps its data across the restart (an append-only file, fsync before each reply). */
  redisPersistence: boolean;
  /** The `redis-server` binary. */
  redisServer: string;
}

export const DEFAULT_SOAK_OPTIONS: Readonly<SoakOptions> = Object.freeze({
  users: 40,
  seconds: 60,
  seed: 1,
  thinkMs: 400,
  adapters: ['express', 'express'] as const,
  redisPersistence: true,
  redisServer: 'redis-server',
});

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function adapters(raw: string | undefined): readonly [HttpAdapter, HttpAdapter] {
  if (raw === undefined || raw === '') return DEFAULT_SOAK_OPTIONS.adapters;
  const names = raw.split(',').map((name) => name.trim());
  if (names.length !== 2 || names.some((name) => name !== 'express' && name !== 'fastify')) {
    throw new TypeError(
      `SOAK_ADAPTERS must name two HTTP platforms (express or fastify), such as "express,fastify", got "${raw}"`,
    );
  }
  return names as [HttpAdapter, HttpAdapter];
}

/**
 * The options from `SOAK_USERS`, `SOAK_SECONDS`, `SOAK_SEED`, `SOAK_THINK_MS`, `SOAK_ADAPTERS`,
 * `SOAK_REDIS_PERSISTENCE` (`0` to lose Redis's data in the restart) and `REDIS_SERVER`; a bad
 * value throws a `TypeError` naming the variable.
 */
export function soakOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SoakOptions {
  const persistence = env.SOAK_REDIS_PERSISTENCE;
  if (persistence !== undefined && persistence !== '' && !['0', '1'].includes(persistence)) {
    throw new TypeError(`SOAK_REDIS_PERSISTENCE must be 0 or 1, got "${persistence}"`);
  }
  return {
    users: integer(env, 'SOAK_USERS', DEFAULT_SOAK_OPTIONS.users, 1, 10_000),
    seconds: integer(env, 'SOAK_SECONDS', DEFAULT_SOAK_OPTIONS.seconds, 10, 86_400),
    seed: integer(env, 'SOAK_SEED', DEFAULT_SOAK_OPTIONS.seed, 0, 2 ** 32 - 1),
    thinkMs: integer(env, 'SOAK_THINK_MS', DEFAULT_SOAK_OPTIONS.thinkMs, 0, 60_000),
    adapters: adapters(env.SOAK_ADAPTERS),
    redisPersistence: persistence !== '0',
    redisServer: env.REDIS_SERVER || DEFAULT_SOAK_OPTIONS.redisServer,
  };
}
