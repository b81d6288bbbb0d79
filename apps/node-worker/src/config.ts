// Configuration from the environment, validated once at start-up. Every
// setting has a default that works on a fresh machine.
import { hostname } from "node:os";

export interface Config {
  /** PostgreSQL URL; undefined → the embedded PGlite server. */
  databaseUrl: string | undefined;
  /** Redis URL; undefined → the queue lives in PostgreSQL. */
  redisUrl: string | undefined;
  /** Stable across restarts: names this worker's processing list, so a restart recovers what a crash left there. */
  workerId: string;
  /** Jobs run at once (enforced by the intake's slot gate, before a job is taken). */
  concurrency: number;
  /** Port of the status server (0: any free port, printed at start). */
  port: number;
  /** After SIGTERM/SIGINT: how long in-flight jobs may run before they are requeued. */
  drainMs: number;
  /** Enqueue this many demo jobs at start (0: none). */
  demoJobs: number;
  /** Exit once the queue is empty and nothing is in flight (the demo). */
  exitWhenIdle: boolean;
  /** Milliseconds of simulated work per job (a random amount up to this). */
  workMs: number;
  /** Queue name (Redis key prefix / PostgreSQL queue column). */
  queue: string;
}

function int(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}: received ${JSON.stringify(raw)}`);
  }
  return value;
}

export function loadConfig(): Config {
  const demoJobs = int("DEMO_JOBS", 0);
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    workerId: process.env.WORKER_ID || `node-${hostname()}`,
    concurrency: int("CONCURRENCY", 8, 1),
    port: int("PORT", 0),
    drainMs: int("DRAIN_MS", 5_000),
    demoJobs,
    exitWhenIdle: process.env.EXIT_WHEN_IDLE === "1" || demoJobs > 0,
    workMs: int("WORK_MS", 20),
    queue: process.env.QUEUE || "corral:jobs",
  };
}
