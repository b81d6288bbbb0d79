// Configuration from the environment, validated once at start-up. Every
// setting has a default that works on a fresh machine. The shell says how to
// read a variable (process.env, Deno.env, Bun.env); the rules are here.
import type { Shell } from "./shell.ts";

export interface Config {
  /** PostgreSQL URL; undefined → the embedded PGlite server. */
  databaseUrl: string | undefined;
  /** Redis URL; undefined → the queue lives in PostgreSQL. */
  redisUrl: string | undefined;
  /** Stable across restarts: names this worker's processing list, so a restart recovers what a crash left there. */
  workerId: string;
  /** Jobs run at once (slots gate the intake, so a job is taken only when it can start). */
  concurrency: number;
  /**
   * Port of the status server (0: any free port, printed at start); undefined: no status server. Unset `PORT`
   * means 0 for a worker that waits for jobs, and no server for one that exits when idle (a demo batch): its
   * address would be gone by the time anyone opened it.
   */
  port: number | undefined;
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

export function loadConfig(shell: Pick<Shell, "env" | "hostname" | "runtime">): Config {
  /** The variable's value; unset and empty both mean "use the default". */
  const env = (name: string): string | undefined => shell.env(name) || undefined;
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${name} must be an integer >= ${min}: received ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const demoJobs = int("DEMO_JOBS", 0);
  const exitWhenIdle = env("EXIT_WHEN_IDLE") === "1" || demoJobs > 0;
  return {
    databaseUrl: env("DATABASE_URL"),
    redisUrl: env("REDIS_URL"),
    workerId: env("WORKER_ID") ?? `${shell.runtime.name}-${shell.hostname()}`,
    concurrency: int("CONCURRENCY", 8, 1),
    port: env("PORT") === undefined && exitWhenIdle ? undefined : int("PORT", 0),
    drainMs: int("DRAIN_MS", 5_000),
    demoJobs,
    exitWhenIdle,
    workMs: int("WORK_MS", 20),
    queue: env("QUEUE") ?? "corral:jobs",
  };
}
