// The reliable queue, behind one small interface with two homes: Redis (a
// list moved atomically to a per-worker processing list) or, when no Redis is
// configured, PostgreSQL (rows claimed with FOR UPDATE SKIP LOCKED). Either
// way a job taken but not acknowledged stays visible under this worker's id,
// so a restart recovers what a crash left behind.

export interface Job {
  id: string;
  /** The job's input. */
  n: number;
  /** The exact stored form (Redis removes by value). */
  raw: string;
}

export interface Queue {
  /** Where the queue lives, for the start-up banner. */
  readonly kind: string;
  /** Creates what the queue needs (tables); idempotent. */
  setup(signal: AbortSignal): Promise<void>;
  enqueue(jobs: { id: string; n: number }[], signal: AbortSignal): Promise<void>;
  /** Moves every job this worker left in processing back to the queue; returns how many. */
  recover(signal: AbortSignal): Promise<number>;
  /** Takes one job (moving it to processing), waiting up to `waitMs`; null when none came. */
  take(waitMs: number, signal: AbortSignal): Promise<Job | null>;
  /** The job is done (its result is recorded): forget it. */
  ack(job: Job, signal: AbortSignal): Promise<void>;
  /** The job was not finished: put it back for any worker. */
  requeue(job: Job, signal: AbortSignal): Promise<void>;
  depth(signal: AbortSignal): Promise<{ queued: number; processing: number }>;
}

export function encode(job: { id: string; n: number }): string {
  return JSON.stringify({ id: job.id, n: job.n });
}

export function decode(raw: string): Job {
  const { id, n } = JSON.parse(raw) as { id: string; n: number };
  return { id, n, raw };
}
