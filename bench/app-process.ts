import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from './config';

const START_TIMEOUT_MS = 60_000;

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** How to stop each server process still alive. */
const stops = new Set<() => Promise<void>>();

/** Forks `server.ts` for one app and resolves once it listens. */
export function startApp(config: AppConfig): Promise<RunningApp> {
  const child = fork(join(__dirname, 'server.ts'), [JSON.stringify(config)], {
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    // The server's own output goes to stderr: stdout carries the report only.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => {
    child.kill('SIGKILL');
    return exited;
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
      resolve({ url: `http://127.0.0.1:${config.port}`, stop });
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
