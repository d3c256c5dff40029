import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../test/support/ports';
import { answersPing } from '../test/support/redis';

/** The library's key prefix (RedisReauthStore's default, which the demo keeps). */
export const KEY_PREFIX = 'nest-reauth:';

/** What is in Redis at one moment. */
export interface KeyCensus {
  total: number;
  /** Keys by kind: the first two segments after the prefix (`reauth:state`, `reauth:limit`...). */
  byKind: Record<string, number>;
  /** Keys that never expire: the store must give every key a lifetime. */
  withoutExpiry: string[];
}

/**
 * The soak's own `redis-server` on a free port, which it kills and starts again on the same port.
 * With `persistence` it keeps its data in an append-only file written before each reply, as a
 * deployment that keeps single-use markers in Redis would: a restart loses nothing. Without it a
 * restart is a crash that loses everything.
 */
export class SoakRedis {
  private child?: ChildProcess;
  private readonly sampler: Redis;

  private constructor(
    readonly port: number,
    private readonly binary: string,
    private readonly directory: string,
    private readonly persistence: boolean,
  ) {
    this.sampler = new Redis(this.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
    });
    // Down during the restart, on purpose: the samples just skip that moment.
    this.sampler.on('error', () => undefined);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: { binary: string; persistence: boolean }): Promise<SoakRedis> {
    const directory = mkdtempSync(join(tmpdir(), 'soak-redis-'));
    const redis = new SoakRedis(await freePort(), options.binary, directory, options.persistence);
    try {
      await redis.run();
      await redis.sampler.connect();
    } catch (error) {
      await redis.close();
      throw error;
    }
    return redis;
  }

  private async run(): Promise<void> {
    const persistence = this.persistence
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.directory,
        '--save',
        '',
        ...persistence,
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await answersPing(this.port)) return;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Kills the server as a crash would (SIGKILL). */
  async kill(): Promise<void> {
    const running = this.child;
    this.child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  /** Starts the server again on the same port (and, with persistence, the same data). */
  restart(): Promise<void> {
    return this.run();
  }

  /** The number of keys; `undefined` while the server is down. */
  async dbsize(): Promise<number | undefined> {
    try {
      return await this.sampler.dbsize();
    } catch {
      return undefined;
    }
  }

  /** Every key, by kind, and those without an expiry. */
  async census(): Promise<KeyCensus> {
    const census: KeyCensus = { total: 0, byKind: {}, withoutExpiry: [] };
    let cursor = '0';
    do {
      const [next, keys] = await this.sampler.scan(cursor, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.sampler.pipeline();
      for (const key of keys) pipeline.ttl(key);
      const ttls = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        census.total += 1;
        const name = key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : key;
        const kind = name.split(':').slice(0, 2).join(':');
        census.byKind[kind] = (census.byKind[kind] ?? 0) + 1;
        if (ttls[i]?.[1] === -1) census.withoutExpiry.push(kind);
      });
    } while (cursor !== '0');
    return census;
  }

  async close(): Promise<void> {
    this.sampler.disconnect();
    await this.kill();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
