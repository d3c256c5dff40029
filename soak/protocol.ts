// The messages between the soak and its demo instances (child processes, over Node's IPC
// channel). Messages on one channel arrive in the order they were sent, so a `flushed` answer
// means every report the instance sent before it has arrived.

/** A change the demo's back office made, reported as it happens. */
export interface ActionReport {
  type: 'action';
  action: 'changeEmail' | 'delete' | 'transfer';
  userId: string;
  /** The new email, or the transfer's recipient: unique per attempt, so executions can be counted. */
  value?: string;
}

/** A warning or error the instance logged (Nest's logger), or one it did not catch. */
export interface LogReport {
  type: 'log';
  level: 'warn' | 'error' | 'fatal';
  context?: string;
  message: string;
}

/** Memory after a full garbage collection: what the instance really holds on to. */
export interface MemoryReport {
  type: 'measured';
  id: number;
  rss: number;
  heapUsed: number;
  /** Whether the collection ran (the process was started with `--expose-gc`). */
  collected: boolean;
}

export type InstanceMessage =
  | { type: 'listening'; port: number }
  | { type: 'advanced'; id: number }
  | { type: 'flushed'; id: number }
  | MemoryReport
  | ActionReport
  | LogReport;

export type ParentMessage =
  /** Moves the instance's clock forward by `seconds`, then answers `advanced`. */
  | { type: 'advance'; id: number; seconds: number }
  /** Answers `flushed` once every earlier report is on its way. */
  | { type: 'flush'; id: number }
  /** Collects garbage, then answers `measured`. */
  | { type: 'measure'; id: number };
