import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { randomBytes } from 'node:crypto';
import { freePort } from '../test/support/ports';
import { analyse, type Analysis } from './analysis';
import type { SoakNetwork } from './browser';
import { Gate, SoakClocks } from './clocks';
import { DemoInstance } from './instances';
import { Observations } from './observations';
import { DEFAULT_SOAK_OPTIONS, type SoakOptions } from './options';
import { Random } from './random';
import { SoakRedis, type KeyCensus } from './redis';
import {
  buildSchedule,
  CLOCK_JUMP_SECONDS,
  FAULTS,
  STALE_ADVANCE_SECONDS,
  type PlannedFault,
  type Schedule,
} from './schedule';
import { emulatorSeeds, soakUsers, type SignInMethod } from './users';
import { VirtualUser, type SoakWorld } from './virtual-user';

/** A fault as it happened (ms from the start of the run). */
export interface FaultRecord extends PlannedFault {
  /** When it was in force: from after the clocks moved and it was applied, to when it was cleared. */
  startedAt: number;
  endedAt: number;
  /** Users still in the middle of a step when the clocks moved (a step stuck on a dependency). */
  stragglers: number;
}

/** Memory and keys at one moment (ms from the start of the run). */
export interface Sample {
  at: number;
  /** Resident set size of each instance, in bytes (`undefined` once it is gone). */
  rss: (number | undefined)[];
  /** Redis's DBSIZE (`undefined` while Redis is down). */
  keys?: number;
}

/** Each instance's memory after a full garbage collection, taken while users are held. */
export interface QuietSample {
  at: number;
  instances: ({ rss: number; heapUsed: number } | undefined)[];
}

/** Everything a run measured, and what the checks made of it. */
export interface SoakResult {
  options: SoakOptions;
  startedAt: string;
  /** How long the users lived, and the whole run with start-up and tail, in ms. */
  durationMs: number;
  wallMs: number;
  schedule: Schedule;
  faults: FaultRecord[];
  advances: { at: number; seconds: number; stragglers: number }[];
  usersByMethod: Record<SignInMethod, number>;
  /** How many users sent Fetch Metadata (the others are older browsers). */
  fetchMetadataUsers: number;
  samples: Sample[];
  /**
   * Memory after a full garbage collection: before the users come, at the start of every slot
   * (users held at the barrier) and after the last step.
   */
  quietSamples: QuietSample[];
  census: KeyCensus;
  /** Sessions users lost without signing out: reported. */
  lostSessions: number;
  /** Concurrent calls with one expired cookie on both instances where one got a 401: reported. */
  refreshRaces: { pairs: number; lost: number };
  /** Sign-ins and re-auths the users left out to stay under the library's sign-in limit. */
  budgetSkips: number;
  clockAdvancedSeconds: number;
  /** Instances that exited during the run. */
  crashes: string[];
  observations: Observations;
  analysis: Analysis;
}

/**
 * How long a slot's first advance waits for users still in the middle of a step: long enough for
 * a step stuck on a hanging dependency (the SDK gives up after 10 s and retries once), so that
 * every slot starts with every user free.
 */
const SLOT_BARRIER_CAP_MS = 30_000;
/**
 * How long the advance that opens a fault window waits: a little, so that the window starts on
 * time after its phase before (at most a fifth of a slot, and never more than 2 s).
 */
const windowBarrierCapMs = (slotMs: number) => Math.min(2000, Math.max(250, slotMs / 5));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Things to undo, in reverse order, however the run ends. */
class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(log: (line: string) => void): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * Runs a soak: a `redis-server`, the AuthKit emulator (in this process) with one account per
 * virtual user, two demo instances (child processes) sharing both behind one public origin, and
 * the users living their lives against them while the faults of the schedule come and go and the
 * clocks move. Everything started is stopped however the run ends. `log` receives progress.
 */
export async function runSoak(
  partial: Partial<SoakOptions> = {},
  log: (line: string) => void = () => undefined,
): Promise<SoakResult> {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS, ...partial };
  const cleanup = new Cleanup();
  try {
    return await soak(options, cleanup, log);
  } finally {
    await cleanup.run(log);
  }
}

async function soak(
  options: SoakOptions,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<SoakResult> {
  const wallStart = performance.now();
  const startedAt = new Date().toISOString();
  const random = new Random(options.seed);
  const users = soakUsers(options.users, random.fork(0));

  log('starting redis-server');
  const redis = await SoakRedis.start({
    binary: options.redisServer,
    persistence: options.redisPersistence,
  });
  cleanup.add(() => redis.close());

  // Behind a load balancer the instances share one public origin and one callback URL; the
  // users' browsers spread each request over the instances (soak/browser.ts).
  const publicOrigin = `http://localhost:${await freePort()}`;
  const redirectUri = `${publicOrigin}/auth/callback`;
  const emulator: AuthKitEmulator = await startAuthKitEmulator({
    port: 0,
    redirectUris: [redirectUri],
    users: emulatorSeeds(users),
  });
  cleanup.add(() => emulator.close());

  const observations = new Observations();
  const crashes: string[] = [];
  const events = {
    action: observations.execution.bind(observations),
    log: observations.log.bind(observations),
    exit: (instance: number, code: number | null, signal: NodeJS.Signals | null) => {
      crashes.push(`instance ${instance} exited (${signal ?? `code ${code}`})`);
      observations.mark(`instance ${instance} exited`);
    },
  };
  log('starting two demo instances');
  const cookiePassword = randomBytes(32).toString('base64url');
  const started = await Promise.allSettled(
    options.adapters.map((httpAdapter, index) =>
      DemoInstance.start(
        {
          index,
          apiKey: emulator.apiKey,
          clientId: emulator.clientId,
          emulatorPort: emulator.port,
          redirectUri,
          cookiePassword,
          redisUrl: redis.url,
          httpAdapter,
        },
        events,
      ),
    ),
  );
  const instances = started.flatMap((outcome) =>
    outcome.status === 'fulfilled' ? [outcome.value] : [],
  );
  for (const instance of instances) cleanup.add(() => instance.stop());
  const failedStart = started.find((outcome) => outcome.status === 'rejected');
  if (failedStart) throw failedStart.reason;

  const schedule = buildSchedule(options.seconds * 1000);
  const clocks = new SoakClocks(emulator, instances);
  const gate = new Gate();
  const network: SoakNetwork = {
    publicOrigin,
    emulatorOrigin: emulator.url,
    instancePorts: instances.map((instance) => instance.port),
  };
  let stopping = false;
  const world: SoakWorld = {
    network,
    emulator,
    clocks,
    gate,
    observations,
    sessionOwners: new Map(),
    plannedEpochs: schedule.advances.length + schedule.faults.length,
    thinkMs: options.thinkMs,
    warmUpMs: schedule.warmUpMs,
    stopping: () => stopping,
  };

  const samples: Sample[] = [];
  const sample = async () => {
    const at = observations.now();
    const rss = instances.map((instance) => instance.rssBytes());
    samples.push({ at, rss, keys: await redis.dbsize() });
  };
  const sampleEveryMs = Math.min(1000, Math.max(250, Math.round(options.seconds * 1000) / 60));
  const sampler = setInterval(() => void sample(), sampleEveryMs);
  cleanup.add(() => clearInterval(sampler));

  const quietSamples: QuietSample[] = [];
  const measureQuietly = async () => {
    const at = observations.now();
    const measured = await Promise.all(instances.map((instance) => instance.measure()));
    quietSamples.push({
      at,
      instances: measured.map((m) => m && { rss: m.rss, heapUsed: m.heapUsed }),
    });
  };

  const virtualUsers = users.map(
    (user) => new VirtualUser(user, world, random.fork(100 + user.index)),
  );
  log(`${users.length} users for ${options.seconds} s, seed ${options.seed}`);
  // The run's clock starts with the users.
  observations.restart();
  await measureQuietly();
  await sample();
  const lives = Promise.all(virtualUsers.map((user) => user.live()));

  const faults: FaultRecord[] = [];
  const advances: SoakResult['advances'] = [];
  /** A "go stale" advance: users held between steps while every clock moves. */
  const goStale = async (
    capMs: number,
    apply?: () => Promise<void>,
    measure = false,
  ): Promise<number> => {
    const stragglers = await gate.close(capMs);
    try {
      if (measure) await measureQuietly();
      await clocks.advance(STALE_ADVANCE_SECONDS);
      advances.push({ at: observations.now(), seconds: STALE_ADVANCE_SECONDS, stragglers });
      await apply?.();
    } finally {
      gate.open();
    }
    return stragglers;
  };
  const timeline = [
    ...schedule.advances.map((advance) => ({
      at: advance.at,
      run: async () => {
        await goStale(SLOT_BARRIER_CAP_MS, undefined, true);
        observations.mark(`clocks +${STALE_ADVANCE_SECONDS} s`);
      },
    })),
    ...schedule.faults.flatMap((planned) => {
      const record: FaultRecord = { ...planned, startedAt: NaN, endedAt: NaN, stragglers: 0 };
      faults.push(record);
      const definition = FAULTS[planned.kind];
      return [
        {
          at: planned.start,
          run: async () => {
            log(`fault ${planned.kind}: ${definition.description}`);
            if (planned.kind === 'clock-jump') {
              // Unannounced, in the middle of whatever users are doing (between two requests).
              await clocks.advance(CLOCK_JUMP_SECONDS);
              advances.push({ at: observations.now(), seconds: CLOCK_JUMP_SECONDS, stragglers: 0 });
            } else {
              const slotMs = planned.afterEnd - planned.beforeStart;
              record.stragglers = await goStale(windowBarrierCapMs(slotMs), async () => {
                if (definition.rotateKeys) await emulator.rotateKeys();
                if (definition.emulator) emulator.setFaults(definition.emulator);
                if (planned.kind === 'redis-restart') await redis.kill();
              });
            }
            record.startedAt = observations.now();
            observations.mark(`${planned.kind} starts`);
          },
        },
        {
          at: planned.end,
          run: async () => {
            if (definition.emulator) emulator.setFaults({});
            if (planned.kind === 'redis-restart') await redis.restart();
            record.endedAt = observations.now();
            observations.mark(`${planned.kind} ends`);
          },
        },
      ];
    }),
  ].sort((a, b) => a.at - b.at);

  // An event that runs late (users held at a barrier, Redis slow to start) delays everything
  // after it by as much, so that every phase keeps its planned length.
  let drift = 0;
  try {
    for (const event of timeline) {
      await sleep(event.at + drift - observations.now());
      await event.run();
      drift = Math.max(drift, observations.now() - event.at);
    }
    await sleep(schedule.durationMs + drift - observations.now());
  } finally {
    stopping = true;
    emulator.setFaults({});
    gate.open();
  }
  const durationMs = observations.now();
  log('waiting for the users to finish their last step');
  await lives;
  clearInterval(sampler);
  await Promise.all(instances.map((instance) => instance.flush()));
  await sample();
  await measureQuietly();
  const census = await redis.census();

  const result: Omit<SoakResult, 'analysis'> = {
    options,
    startedAt,
    durationMs,
    wallMs: performance.now() - wallStart,
    schedule,
    faults,
    advances,
    usersByMethod: {
      password: users.filter((user) => user.method === 'password').length,
      totp: users.filter((user) => user.method === 'totp').length,
      sso: users.filter((user) => user.method === 'sso').length,
    },
    fetchMetadataUsers: virtualUsers.filter((user) => user.browser.fetchMetadata).length,
    samples,
    quietSamples,
    census,
    lostSessions: virtualUsers.reduce((sum, user) => sum + user.lostSessions, 0),
    budgetSkips: virtualUsers.reduce((sum, user) => sum + user.budgetSkips, 0),
    refreshRaces: {
      pairs: virtualUsers.reduce((sum, user) => sum + user.bursts, 0),
      lost: virtualUsers.reduce((sum, user) => sum + user.refreshRaces, 0),
    },
    clockAdvancedSeconds: clocks.advancedSeconds,
    crashes,
    observations,
  };
  return { ...result, analysis: analyse(result) };
}
