import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { answersPing } from './redis';

/**
 * Redis Cluster and Redis Sentinel for the tests, made of real `redis-server` processes this
 * process starts (Sentinel is `redis-server <conf> --sentinel`), each in a temporary folder of
 * its own, without persistence. Failovers are tuned to take seconds: a node is judged down after
 * a second. Every wait polls with a deadline; nothing sleeps a fixed time. A start that fails
 * stops what it started, and a Jest worker that exits kills what is still running.
 */

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
const HOST = '127.0.0.1';
/** How long a topology may take to form or to fail over on a loaded machine. */
const FORM_TIMEOUT_MS = 30_000;
const FAILOVER_TIMEOUT_MS = 30_000;

/**
 * Whether this machine can run the topologies: they start servers of their own, so `REDIS_URL`
 * does not stand in for `redis-server`. In CI it must be there, so a missing one fails loudly.
 */
export function redisServerAvailable(): boolean {
  const found = spawnSync(REDIS_SERVER, ['--version']).status === 0;
  if (!found && process.env.CI) {
    throw new Error('redis-server is required in CI: install redis-server (bash .ci/run does)');
  }
  if (!found) {
    process.stderr.write(
      'Redis Cluster and Sentinel suites skipped: no redis-server on this machine (install it)\n',
    );
  }
  return found;
}

/** Where a server listens. */
export interface RedisNode {
  host: string;
  port: number;
}

/** A master, and the replica that takes over when it dies. */
export interface RedisShard {
  master: RedisNode;
  replica: RedisNode;
}

/** Three masters with one replica each, formed into one Redis Cluster. */
export interface TestRedisCluster {
  /** Every node, masters first: the startup nodes of a `Cluster` client. */
  nodes: RedisNode[];
  /** The master serving the slot of `key` (hash tags count), and its replica. */
  shardOf(key: string): Promise<RedisShard>;
  /** Runs one command on one node. */
  command(node: RedisNode, ...args: (string | number)[]): Promise<unknown>;
  /**
   * Keeps `shard.replica` from receiving anything its master writes from now on, as a replica
   * whose link is down; it still takes over when the master dies.
   */
  detachReplica(shard: RedisShard): Promise<void>;
  /** SIGKILLs the master of `shard`, as a crash would. */
  killMaster(shard: RedisShard): Promise<void>;
  /**
   * Until `shard.replica` serves the dead master's slots and every surviving node says the
   * cluster is ok.
   */
  waitForFailover(shard: RedisShard): Promise<void>;
  /** Stops every server and removes their folders. */
  close(): Promise<void>;
}

/** A master, a replica and three sentinels watching them (quorum 2). */
export interface TestRedisSentinel {
  sentinels: RedisNode[];
  /** The master's name, as clients ask the sentinels for it. */
  name: string;
  /** The master and replica as they were started. */
  shard: RedisShard;
  /** Runs one command on one node (a server or a sentinel). */
  command(node: RedisNode, ...args: (string | number)[]): Promise<unknown>;
  /** As {@link TestRedisCluster.detachReplica}. */
  detachReplica(): Promise<void>;
  /** SIGKILLs the master, as a crash would. */
  killMaster(): Promise<void>;
  /**
   * Until every sentinel names the replica as the master and the replica says it is one; returns
   * the new master.
   */
  waitForNewMaster(): Promise<RedisNode>;
  close(): Promise<void>;
}

interface Server {
  node: RedisNode;
  dir: string;
  log: string;
  child: ChildProcess;
}

/** The processes and folders of one topology, all stopped and removed by `close`. */
class Fleet {
  private readonly servers: Server[] = [];
  private readonly killAll = () => {
    for (const server of this.servers) server.child.kill('SIGKILL');
  };

  constructor() {
    // A worker that exits (a timeout, a crash) leaves no server behind.
    process.once('exit', this.killAll);
  }

  /**
   * Starts `redis-server` with `args`, or a sentinel with the `sentinel` config, in a new folder,
   * on a free port. A port another process took between its choice and the bind is given up for
   * another one (`args` is asked again: its own ports may be taken too).
   */
  async start(args: () => string[] | Promise<string[]>, sentinel?: string): Promise<Server> {
    for (let attempt = 1; ; attempt++) {
      const server = this.spawn(await freePort(), await args(), sentinel);
      try {
        // The server that answers must be this one, not another process's on the same port.
        await this.until(
          async () =>
            (await answersPing(server.node.port)) &&
            String(await command(server.node, 'INFO', 'server')).includes(
              `process_id:${server.child.pid}`,
            ),
          `${REDIS_SERVER} on port ${server.node.port}`,
          server,
        );
        return server;
      } catch (error) {
        if (attempt === 3 || !/already in use|Could not create server TCP/.test(logOf(server))) {
          throw error;
        }
        await stop(server.child);
        this.servers.splice(this.servers.indexOf(server), 1);
        rmSync(server.dir, { recursive: true, force: true });
      }
    }
  }

  private spawn(port: number, args: string[], sentinel?: string): Server {
    const dir = mkdtempSync(join(tmpdir(), 'reauth-redis-'));
    const log = join(dir, 'redis.log');
    let argv = ['--port', String(port), '--bind', HOST, '--dir', dir, '--logfile', log];
    // A replica's first sync starts at once instead of waiting for more replicas to join.
    argv.push('--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...args);
    if (sentinel !== undefined) {
      // A sentinel rewrites its config file, so it gets one of its own.
      const file = join(dir, 'sentinel.conf');
      const lines = [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `logfile ${log}`, sentinel];
      writeFileSync(file, `${lines.join('\n')}\n`);
      argv = [file, '--sentinel'];
    }
    const child = spawn(REDIS_SERVER, argv, { stdio: 'ignore' });
    child.once('error', () => undefined);
    const server: Server = { node: { host: HOST, port }, dir, log, child };
    this.servers.push(server);
    return server;
  }

  /** SIGKILLs the server at `node` and waits for it to be gone. */
  async kill(node: RedisNode): Promise<void> {
    const server = this.servers.find((each) => each.node.port === node.port);
    if (!server) throw new Error(`no server of this topology on port ${node.port}`);
    await stop(server.child);
  }

  /** Polls `condition` until it holds, failing after `timeoutMs` with the servers' logs. */
  async until(
    condition: () => Promise<boolean>,
    what: string,
    only?: Server,
    timeoutMs = FORM_TIMEOUT_MS,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // Killed on purpose (a signal) is fine; exited by itself, or never started, is not.
      const exited = (only ? [only] : this.servers).find(
        (server) =>
          server.child.pid === undefined ||
          (server.child.exitCode !== null && server.child.signalCode === null),
      );
      if (exited) throw new Error(`redis-server exited while waiting for ${what}${tail(exited)}`);
      if (await condition().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const logs = (only ? [only] : this.servers).map(tail).join('');
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${logs}`);
  }

  async close(): Promise<void> {
    process.off('exit', this.killAll);
    await Promise.all(this.servers.map((server) => stop(server.child)));
    for (const server of this.servers) rmSync(server.dir, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function logOf(server: Server): string {
  try {
    return readFileSync(server.log, 'utf8');
  } catch {
    return '';
  }
}

function tail(server: Server): string {
  const lines = logOf(server).split('\n').slice(-15).join('\n');
  return `\n--- port ${server.node.port}:\n${lines || '(no log)'}`;
}

/** One command on one node over a connection of its own, which never retries or queues. */
async function command(node: RedisNode, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({
    ...node,
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [name, ...rest] = args;
    return await client.call(String(name), ...rest);
  } finally {
    client.disconnect();
  }
}

/**
 * How many replicas of `master` acknowledge every write it took so far, waiting up to
 * `timeoutMs`: `WAIT` counts the writes of its own connection, so it writes `key` first (a key
 * `master` serves, in the slot of interest on a cluster).
 */
export async function replicasAcknowledging(
  master: RedisNode,
  key: string,
  timeoutMs: number,
): Promise<number> {
  const client = new Redis({ ...master, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.set(key, 'written after everything before it', 'PX', 60_000);
    return await client.wait(1, timeoutMs);
  } finally {
    client.disconnect();
  }
}

/** `INFO <section>` or `CLUSTER INFO` as fields. */
async function fields(node: RedisNode, ...args: string[]): Promise<Map<string, string>> {
  const text = String(await command(node, ...args));
  return new Map(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

/** Whether `replica` has a working link to its master. */
async function linkUp(replica: RedisNode): Promise<boolean> {
  return (await fields(replica, 'INFO', 'replication')).get('master_link_status') === 'up';
}

/**
 * Points the replica's replication at a user its master does not have, and drops the link: it
 * cannot authenticate again, so it keeps what it has and nothing more, until it is promoted.
 */
async function detach(fleet: Fleet, shard: RedisShard): Promise<void> {
  await command(shard.replica, 'CONFIG', 'SET', 'masteruser', 'detached-replica');
  await command(shard.replica, 'CONFIG', 'SET', 'masterauth', 'detached-replica');
  await command(shard.replica, 'CLIENT', 'KILL', 'TYPE', 'master');
  await fleet.until(
    async () =>
      !(await linkUp(shard.replica)) &&
      (await fields(shard.master, 'INFO', 'replication')).get('connected_slaves') === '0',
    `the replica on port ${shard.replica.port} to lose its link`,
  );
}

/** Starts a Redis Cluster of three masters, each with one replica. */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const fleet = new Fleet();
  try {
    const servers: Server[] = [];
    for (let i = 0; i < 6; i++) {
      servers.push(
        await fleet.start(async () => [
          '--cluster-enabled',
          'yes',
          // The cluster bus on a port of its own (by default the port + 10000, unchecked).
          '--cluster-port',
          String(await freePort()),
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '1000',
          // A replica takes over however long its link has been down.
          '--cluster-replica-validity-factor',
          '0',
          '--cluster-allow-replica-migration',
          'no',
          // CLUSTER SLOTS lists a replica once its replication offset moved: ping it every second.
          '--repl-ping-replica-period',
          '1',
        ]),
      );
    }
    const nodes = servers.map((server) => server.node);
    const masters = nodes.slice(0, 3);
    const replicas = nodes.slice(3);
    const ids = await Promise.all(
      nodes.map(async (node) => String(await command(node, 'CLUSTER', 'MYID'))),
    );
    const ranges: [number, number][] = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    for (const [i, master] of masters.entries()) {
      // Distinct epochs from the start, so the nodes need not settle a collision.
      await command(master, 'CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
      const [from, to] = ranges[i];
      const slots = Array.from({ length: to - from + 1 }, (_, slot) => from + slot);
      await command(master, 'CLUSTER', 'ADDSLOTS', ...slots);
    }
    for (const node of nodes.slice(1)) {
      const [, busPort] = (await command(node, 'CONFIG', 'GET', 'cluster-port')) as string[];
      await command(nodes[0], 'CLUSTER', 'MEET', HOST, node.port, busPort);
    }
    await fleet.until(
      async () =>
        (
          await Promise.all(
            replicas.map(async (replica, i) =>
              String(await command(replica, 'CLUSTER', 'NODES')).includes(ids[i]),
            ),
          )
        ).every(Boolean),
      'every replica to know its master',
    );
    for (const [i, replica] of replicas.entries()) {
      await command(replica, 'CLUSTER', 'REPLICATE', ids[i]);
    }
    await fleet.until(
      async () => (await Promise.all(nodes.map((node) => formed(node)))).every(Boolean),
      'the cluster to form',
    );
    await fleet.until(
      async () => (await Promise.all(replicas.map(linkUp))).every(Boolean),
      'every replica to sync with its master',
    );

    const shardOf = async (key: string): Promise<RedisShard> => {
      const slot = Number(await command(masters[0], 'CLUSTER', 'KEYSLOT', key));
      const at = ranges.findIndex(([from, to]) => slot >= from && slot <= to);
      return { master: masters[at], replica: replicas[at] };
    };
    return {
      nodes,
      shardOf,
      command,
      detachReplica: (shard) => detach(fleet, shard),
      killMaster: (shard) => fleet.kill(shard.master),
      waitForFailover: (shard) =>
        fleet.until(
          async () => {
            const survivors = nodes.filter((node) => node.port !== shard.master.port);
            const role = (await command(shard.replica, 'ROLE')) as unknown[];
            if (role[0] !== 'master') return false;
            const views = await Promise.all(
              survivors.map(async (node) => ({
                ok: (await fields(node, 'CLUSTER', 'INFO')).get('cluster_state') === 'ok',
                slots: (await command(node, 'CLUSTER', 'SLOTS')) as ClusterSlot[],
              })),
            );
            return views.every(
              (view) =>
                view.ok &&
                view.slots.some(([, , [, port]]) => port === shard.replica.port) &&
                view.slots.every(([, , [, port]]) => port !== shard.master.port),
            );
          },
          `the replica on port ${shard.replica.port} to take over`,
          undefined,
          FAILOVER_TIMEOUT_MS,
        ),
      close: () => fleet.close(),
    };
  } catch (error) {
    await fleet.close();
    throw error;
  }
}

/** `CLUSTER SLOTS` entries: first slot, last slot, then the master and its replicas. */
type ClusterSlot = [number, number, [string, number, ...unknown[]], ...unknown[]];

/** Whether `node` sees the whole cluster: six nodes, three shards of a master and a replica. */
async function formed(node: RedisNode): Promise<boolean> {
  const info = await fields(node, 'CLUSTER', 'INFO');
  if (info.get('cluster_state') !== 'ok' || info.get('cluster_known_nodes') !== '6') return false;
  const slots = (await command(node, 'CLUSTER', 'SLOTS')) as unknown[][];
  return slots.length === 3 && slots.every((entry) => entry.length === 4);
}

/** Starts a master, its replica, and three sentinels that fail it over after a second. */
export async function startRedisSentinel(): Promise<TestRedisSentinel> {
  const fleet = new Fleet();
  const name = 'reauth-master';
  try {
    const master = (await fleet.start(() => [])).node;
    const replica = (await fleet.start(() => ['--replicaof', HOST, String(master.port)])).node;
    const shard = { master, replica };
    await fleet.until(() => linkUp(replica), 'the replica to sync with its master');
    const config = [
      `sentinel monitor ${name} ${HOST} ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      // Also how long before a failover that did not finish is tried again (twice this).
      `sentinel failover-timeout ${name} 3000`,
      `sentinel parallel-syncs ${name} 1`,
    ].join('\n');
    const sentinels: RedisNode[] = [];
    for (let i = 0; i < 3; i++) sentinels.push((await fleet.start(() => [], config)).node);
    // A failover needs each sentinel to know the replica and the two other sentinels.
    await fleet.until(
      async () =>
        (
          await Promise.all(
            sentinels.map(async (sentinel) => {
              const view = pairs((await command(sentinel, 'SENTINEL', 'MASTER', name)) as string[]);
              return view.get('num-slaves') === '1' && view.get('num-other-sentinels') === '2';
            }),
          )
        ).every(Boolean),
      'the sentinels to know the replica and each other',
    );
    return {
      sentinels,
      name,
      shard,
      command,
      detachReplica: () => detach(fleet, shard),
      killMaster: () => fleet.kill(master),
      waitForNewMaster: async () => {
        await fleet.until(
          async () => {
            const named = await Promise.all(
              sentinels.map(
                async (sentinel) =>
                  (await command(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as
                    string[] | null,
              ),
            );
            if (!named.every((address) => Number(address?.[1]) === replica.port)) return false;
            return ((await command(replica, 'ROLE')) as unknown[])[0] === 'master';
          },
          `the sentinels to promote the replica on port ${replica.port}`,
          undefined,
          FAILOVER_TIMEOUT_MS,
        );
        return replica;
      },
      close: () => fleet.close(),
    };
  } catch (error) {
    await fleet.close();
    throw error;
  }
}

/** A flat `[field, value, ...]` reply as a map. */
function pairs(reply: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(reply[i], reply[i + 1]);
  return map;
}
