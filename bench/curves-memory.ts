import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { heapReportPath } from './curves-heap-probe';

export interface ProcessMemory {
  /** Resident set size now (`VmRSS`), MB. */
  rssMb: number;
}

/** What a server process retains: its memory right after a forced garbage collection. */
export interface RetainedMemory {
  /** The V8 heap in use, MB: what the caches and everything else still reference. */
  heapUsedMb: number;
}

const HEAP_REPORT_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const MB = 1024 * 1024;

/** A process's memory, read from outside: `/proc/<pid>/status` (Linux). */
export async function memoryOf(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS`);
  return { rssMb: Number(match[1]) / 1024 };
}

/**
 * Asks a server process started with `heapProbeFlags()` to collect garbage and report its
 * memory (SIGUSR2), and waits for the report: the retained heap tells what the caches keep,
 * where RSS also moves with the allocator and the collector's mood.
 */
export async function retainedMemoryOf(pid: number): Promise<RetainedMemory> {
  const path = heapReportPath(pid);
  await rm(path, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + HEAP_REPORT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const report = await readReport(path);
    if (report) {
      await rm(path, { force: true });
      if (!report.gc) throw new Error(`the server ${pid} could not collect garbage (--expose-gc)`);
      return { heapUsedMb: report.heapUsed / MB };
    }
  }
  throw new Error(`the server ${pid} did not report its heap within ${HEAP_REPORT_TIMEOUT_MS} ms`);
}

/** What the probe writes: `process.memoryUsage()` and whether it could collect garbage. */
interface HeapReport {
  heapUsed: number;
  gc: boolean;
}

/** The report, once it is there and whole; undefined until then. */
async function readReport(path: string): Promise<HeapReport | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as HeapReport;
  } catch {
    // Not written yet, or being written.
    return undefined;
  }
}
