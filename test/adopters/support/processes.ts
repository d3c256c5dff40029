import { spawn, type ChildProcess } from 'node:child_process';

/** A line of progress on stderr, which Jest passes through as it happens. */
export function progress(message: string): void {
  process.stderr.write(`[adopters] ${message}\n`);
}

// npm puts its own settings in the environment of the scripts it runs (`npm run test:adopters`).
// Inherited by an `npm install` in another directory, `npm_config_local_prefix` and friends would
// point it back at this repository; only the settings that say how to reach the registry pass.
const NPM_SETTINGS_THAT_PASS = new Set([
  'npm_config_cache',
  'npm_config_registry',
  'npm_config_userconfig',
  'npm_config_cafile',
  'npm_config_proxy',
  'npm_config_https_proxy',
  'npm_config_noproxy',
  'npm_config_strict_ssl',
]);

/** The environment of a child: this process's, without npm's script settings and Jest's own. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('npm_') && !NPM_SETTINGS_THAT_PASS.has(lower)) continue;
    if (name === 'INIT_CWD' || name === 'JEST_WORKER_ID') continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

const OUTPUT_LIMIT = 200_000;
const TAIL_LINES = 120;

/** The last lines of a child's output, for a failure message. */
export function tail(output: string, lines = TAIL_LINES): string {
  const all = output.trimEnd().split('\n');
  const shown = all.slice(-lines).join('\n');
  return all.length > lines ? `... (${all.length - lines} lines before)\n${shown}` : shown;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  stdout: string;
}

const running = new Set<ChildProcess>();

function collect(child: ChildProcess): { output: () => string; stdout: () => string } {
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { output: () => output, stdout: () => stdout };
}

/** Runs a command to its end and returns its exit code and output (stdout and stderr merged). */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const { output, stdout } = collect(child);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} timed out after ${timeoutMs} ms:\n${tail(output())}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, output: output(), stdout: stdout() });
    });
  });
}

/** Runs a command and fails with its output unless it exits with 0. */
export async function runOk(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${options.cwd} exited with ${result.code}:\n${tail(result.output)}`,
    );
  }
  return result;
}

/** A long-running child: a server the checks talk to. */
export interface Server {
  readonly name: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in its output; fails if it exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

export function startServer(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Server {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const { output } = collect(child);
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
  void exited.then(() => running.delete(child));

  return {
    name,
    output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          finish(() => reject(new Error(`${name} did not print ${pattern} in ${timeoutMs} ms`)));
        }, timeoutMs);
        function finish(settle: () => void): void {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          child.off('exit', onExit);
          settle();
        }
        function check(): void {
          const match = output().match(pattern);
          if (match) finish(() => resolve(match));
        }
        function onExit(): void {
          const status = child.exitCode ?? child.signalCode;
          finish(() => reject(new Error(`${name} exited (${status}) before printing ${pattern}`)));
        }
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', onExit);
        if (child.exitCode !== null || child.signalCode !== null) onExit();
        else check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/** Kills whatever is still running; for afterAll, after a failure left something behind. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
