import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ActionReport,
  InstanceMessage,
  LogReport,
  MemoryReport,
  ParentMessage,
} from './protocol';

const START_TIMEOUT_MS = 90_000;
const ANSWER_TIMEOUT_MS = 15_000;

/** What an instance is started with: the demo's own environment variables. */
export interface InstanceSettings {
  index: number;
  apiKey: string;
  clientId: string;
  emulatorPort: number;
  redirectUri: string;
  cookiePassword: string;
  redisUrl: string;
  httpAdapter: 'express' | 'fastify';
}

/** The reports of an instance, as the parent receives them. */
export interface InstanceEvents {
  action(report: ActionReport, instance: number): void;
  log(report: LogReport, instance: number): void;
  exit(instance: number, code: number | null, signal: NodeJS.Signals | null): void;
}

/** A demo instance in a child process (soak/instance.ts). */
export class DemoInstance {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: InstanceMessage) => void>();

  private constructor(
    readonly index: number,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly status: { stopping: boolean },
  ) {
    child.on('message', (message: InstanceMessage) => {
      if (
        message.type === 'advanced' ||
        message.type === 'flushed' ||
        message.type === 'measured'
      ) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Forks an instance and resolves once it listens. */
  static start(settings: InstanceSettings, events: InstanceEvents): Promise<DemoInstance> {
    const child = fork(join(__dirname, 'instance.ts'), [], {
      execArgv: [
        '--expose-gc',
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
      ],
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        PORT: '0',
        HTTP_ADAPTER: settings.httpAdapter,
        WORKOS_API_KEY: settings.apiKey,
        WORKOS_CLIENT_ID: settings.clientId,
        WORKOS_API_HOSTNAME: '127.0.0.1',
        WORKOS_API_PORT: String(settings.emulatorPort),
        WORKOS_API_HTTPS: 'false',
        WORKOS_REDIRECT_URI: settings.redirectUri,
        WORKOS_COOKIE_PASSWORD: settings.cookiePassword,
        REDIS_URL: settings.redisUrl,
        // An OpenID Provider named in the parent's environment would win over the emulator.
        OIDC_ISSUER: '',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const status = { stopping: false };
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        if (!status.stopping) events.exit(settings.index, code, signal);
        resolve();
      }),
    );
    child.on('message', (message: InstanceMessage) => {
      if (message.type === 'action') events.action(message, settings.index);
      else if (message.type === 'log') events.log(message, settings.index);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`demo instance ${settings.index} did not listen in time`));
        child.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      const onMessage = (message: InstanceMessage) => {
        if (message.type !== 'listening') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(new DemoInstance(settings.index, message.port, child, exited, status));
      };
      child.on('message', onMessage);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`demo instance ${settings.index} exited before it listened`));
      });
    });
  }

  private ask(message: (id: number) => ParentMessage): Promise<InstanceMessage | undefined> {
    if (!this.alive || !this.child.connected) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`demo instance ${this.index} did not answer`));
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.child.send(message(id));
    });
  }

  /** Moves the instance's clock forward; resolves once it has. */
  async advance(seconds: number): Promise<void> {
    await this.ask((id) => ({ type: 'advance', id, seconds }));
  }

  /** Resolves once every report the instance sent before this call has arrived. */
  async flush(): Promise<void> {
    await this.ask((id) => ({ type: 'flush', id }));
  }

  /** Its memory after a full garbage collection; `undefined` once the process is gone. */
  async measure(): Promise<MemoryReport | undefined> {
    const answer = await this.ask((id) => ({ type: 'measure', id }));
    return answer?.type === 'measured' ? answer : undefined;
  }

  /** The resident set size, in bytes; `undefined` once the process is gone. */
  rssBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Kills the process (it keeps nothing worth a graceful stop) and waits for it to exit. */
  stop(): Promise<void> {
    this.status.stopping = true;
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }
}
