// Preloaded into the server processes of `npm run bench:curves` (`-r`, with `--expose-gc`), so
// that the parent can read their retained heap without touching bench/server.ts: on SIGUSR2 the
// server collects garbage and writes its `process.memoryUsage()` to a file named after its pid.
// Idle until the signal, so it costs the measured requests nothing.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the server process `pid` writes its memory when signalled. */
export function heapReportPath(pid: number): string {
  return join(tmpdir(), `bench-curves-heap-${pid}.json`);
}

/** The server-process flags that preload this module, with `--expose-gc`. */
export function heapProbeFlags(): string[] {
  return ['--expose-gc', '-r', 'ts-node/register/transpile-only', '-r', __filename];
}

function listen(): void {
  process.on('SIGUSR2', () => {
    // Twice: the first pass can leave garbage that only the second finds (weak references).
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    writeFileSync(heapReportPath(process.pid), JSON.stringify({ ...usage, gc: !!globalThis.gc }));
  });
}

// The parent imports this module for the two helpers above; only a process that preloaded it
// (through heapProbeFlags) listens.
if (process.execArgv.includes(__filename)) listen();
