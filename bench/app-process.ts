import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from './config';

const START_TIMEOUT_MS = 60_000;

export interface RunningApp {
  url: string;
  /** The server process's pid (for reading its memory from outside). */
  pid: number;
  stop(): Promise<void>;
}

/** How to run the server process, beyond its app. */
export interface StartOptions {
  /** Extra Node flags for the server process, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /**
   * Stop by asking the process to exit (so that it can write what `--cpu-prof` collected) rather
   * than by SIGKILL; still killed if it has not exited within 10 s.
   */
  graceful?: boolean;
}

const GRACEFUL_STOP_MS = 10_000;

/** How to stop each server process still alive. */
const stops = new Set<() => Promise<void>>();

/** Forks `server.ts` for one app and resolves once it listens. */
export function startApp(config: AppConfig, start: StartOptions = {}): Promise<RunningApp> {
  const child = fork(join(__dirname, 'server.ts'), [JSON.stringify(config)], {
    execArgv: [
      ...(start.nodeFlags ?? []),
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
    ],
    // The server's own output goes to stderr: stdout carries the report only.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    child.kill('SIGKILL');
    return exited;
  };
  const stop = () => {
    if (!start.graceful || !child.connected) return kill();
    child.send('exit');
    const timer = setTimeout(() => void kill(), GRACEFUL_STOP_MS);
    return exited.finally(() => clearTimeout(timer));
  };
  stops.add(stop);
  void exited.then(() => stops.delete(stop));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the ${config.kind} app on ${config.platform} did not listen within ${START_TIMEOUT_MS} ms`,
        ),
      );
      void stop();
    }, START_TIMEOUT_MS);
    child.once('message', () => {
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${config.port}`, pid: child.pid!, stop });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the ${config.kind} app on ${config.platform} exited before it listened`));
    });
  });
}

/** Kills every server process still alive; the run calls it however it ends. */
export async function stopAllApps(): Promise<void> {
  await Promise.all([...stops].map((stop) => stop()));
}
