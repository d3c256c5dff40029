// One demo instance of the soak, in its own process so that its memory can be read from outside
// (/proc/<pid>/status). It is the demo as `startDemo` builds it from the `WORKOS_*`, `PORT` and
// `REDIS_URL` environment the parent sets, with three additions the parent needs:
// - its clock is `Date.now()` plus an offset that the parent moves (`advance`), together with the
//   emulator's, so that sign-ins go stale without anyone waiting;
// - every change of the demo's back office (an email change, a deletion, a transfer) is reported
//   to the parent, which counts how often each one ran across instances;
// - warnings, errors and anything uncaught are reported to the parent instead of printed;
// - asked, it collects garbage (it runs with `--expose-gc`) and reports what memory it still holds.
// It exits as soon as the parent goes away, whatever the reason.
import { type LoggerService } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountsService } from '../src/accounts.service';
import { startDemo } from '../src/demo';
import { loadDemoConfig } from '../src/demo.config';
import type { InstanceMessage, LogReport, ParentMessage } from './protocol';

let offsetMs = 0;

function send(message: InstanceMessage): void {
  process.send?.(message);
}

function text(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}

/** Nest passes the context as the last string argument. */
function logged(level: LogReport['level'], message: unknown, params: unknown[]): void {
  const last = params[params.length - 1];
  send({
    type: 'log',
    level,
    context: typeof last === 'string' ? last : undefined,
    message: text(message),
  });
}

const logger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown, ...params: unknown[]) => logged('warn', message, params),
  error: (message: unknown, ...params: unknown[]) => logged('error', message, params),
  fatal: (message: unknown, ...params: unknown[]) => logged('fatal', message, params),
};

/**
 * Reports each change the back office makes. The demo builds its own module, so the running
 * service is wrapped in place; its controllers hold this very instance.
 */
function reportChanges(accounts: AccountsService): void {
  const changeEmail = accounts.changeEmail.bind(accounts);
  const remove = accounts.delete.bind(accounts);
  const transfer = accounts.transfer.bind(accounts);
  accounts.changeEmail = (userId, email) => {
    changeEmail(userId, email);
    send({ type: 'action', action: 'changeEmail', userId, value: email });
  };
  accounts.delete = (userId) => {
    remove(userId);
    send({ type: 'action', action: 'delete', userId });
  };
  accounts.transfer = (userId, amount, to, at) => {
    const done = transfer(userId, amount, to, at);
    send({ type: 'action', action: 'transfer', userId, value: to });
    return done;
  };
}

function onParentMessage(message: ParentMessage): void {
  if (message.type === 'advance') {
    offsetMs += message.seconds * 1000;
    send({ type: 'advanced', id: message.id });
  } else if (message.type === 'flush') {
    send({ type: 'flushed', id: message.id });
  } else if (message.type === 'measure') {
    // Twice: the first pass can leave garbage that only the second finds (weak references).
    globalThis.gc?.();
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'measured', id: message.id, rss, heapUsed, collected: !!globalThis.gc });
  }
}

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => onParentMessage(message));
  process.on('unhandledRejection', (reason) =>
    send({ type: 'log', level: 'fatal', context: 'unhandledRejection', message: text(reason) }),
  );
  const demo = await startDemo(loadDemoConfig(process.env), {
    logger,
    now: () => Date.now() + offsetMs,
  });
  reportChanges(demo.app.get(AccountsService));
  const { port } = (demo.app.getHttpServer() as Server).address() as AddressInfo;
  send({ type: 'listening', port });
}

main().catch((error: unknown) => {
  send({ type: 'log', level: 'fatal', context: 'start-up', message: text(error) });
  process.stderr.write(`soak instance: ${text(error)}\n`);
  process.exit(1);
});
