// The worker program, written once for every runtime: it takes jobs from a
// reliable queue, runs them in a task group, records each result exactly
// once, and loses no job on shutdown. A runtime shell (node/, deno/, bun/)
// calls runWorker() inside its adapter's run(). See README.md for how each
// corral construct is used and why.
import { Cancelled, ExitStack, now } from "@corral/core";
import { instrumentPool } from "@corral/otel";
import { createPostgresPool } from "@corral/postgres";
import { createRedisPool } from "@corral/redis";
import { type Config, loadConfig } from "./config.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { startProgress } from "./progress.ts";
import { prometheusMetrics } from "./prometheus.ts";
import type { Queue } from "./queue.ts";
import { PostgresQueue } from "./queue-pg.ts";
import { RedisQueue } from "./queue-redis.ts";
import { address, describeFailure, Unreachable } from "./report.ts";
import { recorder, setupResults } from "./results.ts";
import type { Shell } from "./shell.ts";
import { statusHandler } from "./status.ts";
import { type Counters, work } from "./worker.ts";

/**
 * `run()`'s grace period: it covers the drain (`DRAIN_MS`, 5 s by default) and
 * the shielded cleanups after it (requeue and recovery, 5 s each at most).
 */
export const GRACE_PERIOD_MS = 15_000;

/**
 * Runs the worker until the queue is empty (demo, `EXIT_WHEN_IDLE`) or
 * `signal` aborts (SIGTERM/SIGINT: it drains). Resolves true when it ended
 * without a failure; on a failure it prints one message (before the clean-up
 * it causes) and resolves false, so the shell sets exit code 1 without
 * `run()` printing a stack trace. Shutdown's own cancellation is rethrown
 * for `run()`, which sets 143 or 130.
 */
export async function runWorker(signal: AbortSignal, shell: Shell): Promise<boolean> {
  // Everything the worker holds is entered on one exit stack and closed in
  // reverse order, on success, failure and shutdown alike.
  await using stack = new ExitStack();
  // Registered first, so it runs last: everything below has been closed.
  stack.defer(() => console.log("resources closed"));
  try {
    await serve(signal, shell, stack);
    return true;
  } catch (error) {
    if (error instanceof Cancelled && signal.aborted) throw error;
    // Printed here, inside the stack's block: the failure comes first, then
    // the clean-up it causes, as they happen.
    console.error(describeFailure(error));
    return false;
  }
}

/** Runs `probe`; its failure says which service, at which address, from which setting. */
async function reach(what: string, hint: string, probe: () => Promise<unknown>): Promise<void> {
  try {
    await probe();
  } catch (error) {
    throw error instanceof Cancelled ? error : new Unreachable(what, hint, error);
  }
}

async function serve(signal: AbortSignal, shell: Shell, stack: ExitStack): Promise<void> {
  const config: Config = loadConfig(shell);
  const started = now();
  const counters: Counters = { done: 0, inFlight: 0, failed: 0, requeued: 0, duplicates: 0 };

  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    const embedded = stack.use(await startEmbeddedPostgres());
    databaseUrl = embedded.url;
  }
  // PGlite is one session behind a multiplexer: one connection keeps
  // transactions from interleaving. A real server gets a real pool. The
  // drivers read DATABASE_URL / REDIS_URL themselves: a connect error then
  // says the address came from there.
  const db = stack.use(createPostgresPool({
    url: config.databaseUrl === undefined ? databaseUrl : undefined,
    max: config.databaseUrl === undefined ? 1 : config.concurrency + 2,
  }));
  if (config.databaseUrl !== undefined) {
    await reach(
      `PostgreSQL at ${address(config.databaseUrl, 5432)} (DATABASE_URL)`,
      "start it, or unset DATABASE_URL to run on the embedded database",
      () => db.use((sql) => sql`select 1`, { signal }),
    );
  }
  const redis = config.redisUrl === undefined ? undefined : stack.use(createRedisPool({ max: config.concurrency + 2 }));
  if (redis !== undefined) {
    await reach(
      `Redis at ${address(config.redisUrl!, 6379)} (REDIS_URL)`,
      "start it, or unset REDIS_URL to keep the queue in PostgreSQL",
      () => redis.use((conn) => conn.client.ping(), { signal }),
    );
  }
  const queue: Queue = redis === undefined
    ? new PostgresQueue(db, config.queue, config.workerId)
    : new RedisQueue(redis, config.queue, config.workerId);

  await queue.setup(signal);
  await setupResults(db, signal);
  // Jobs a crash left in our processing list go back to the queue first.
  const recovered = await queue.recover(signal);
  if (config.demoJobs > 0) {
    const batch = Array.from({ length: config.demoJobs }, (_, i) => ({ id: `demo-${Date.now()}-${i}`, n: i }));
    await queue.enqueue(batch, signal);
  }

  const runtime = `${shell.runtime.name} ${shell.runtime.version}`;
  const stats = () => ({
    worker: config.workerId,
    runtime,
    jobs: { ...counters },
    pools: { postgres: db.stats, redis: redis?.stats ?? null },
  });
  // The pools' OpenTelemetry metrics, for GET /metrics (Prometheus text, refreshed every second).
  const { provider, exporter } = prometheusMetrics(1_000);
  stack.defer(() => provider.shutdown());
  const meter = provider.getMeter("worker");
  stack.use(instrumentPool(db, { meter, name: "db", system: "postgresql" }));
  if (redis !== undefined) stack.use(instrumentPool(redis, { meter, name: "queue", system: "redis" }));
  const status = config.port === undefined
    ? undefined
    : stack.use(await shell.startStatusServer(config.port, statusHandler(stats, () => exporter.text)));
  console.log(
    `worker ${config.workerId} on ${runtime}: ${status ? `status ${status.url}, ` : ""}queue in ${queue.kind}, ` +
      `database ${config.databaseUrl === undefined ? "embedded (PGlite)" : "PostgreSQL"}, ` +
      `recovered ${recovered} job(s), ${config.demoJobs} demo job(s) enqueued` +
      (config.exitWhenIdle ? "; exits when the queue is empty" : ""),
  );
  console.log("ready");

  // The summary is an exit callback too, registered before the progress
  // line: on the way out the line stops (printing the final state) first,
  // then the summary prints.
  stack.defer(() => {
    const secs = (now() - started) / 1000;
    console.log(
      `summary: ${counters.done} done, ${counters.requeued} requeued, ${counters.failed} failed, ` +
        `${counters.duplicates} already recorded, in ${secs.toFixed(1)} s ` +
        `(${(counters.done / Math.max(secs, 0.001)).toFixed(0)} jobs/s)`,
    );
  });
  stack.use(startProgress(shell, async (s) => {
    // Sampled before the depth query, which borrows a connection itself.
    const { done, inFlight } = counters;
    const pg = db.stats;
    const pools = `db ${pg.borrowed}/${pg.idle} borrowed/idle` +
      (redis ? ` · redis ${redis.stats.borrowed}/${redis.stats.idle}` : "");
    const queued = await queue.depth(s).then((depth) => String(depth.queued), () => "?");
    return `done ${done} · in flight ${inFlight} · queued ${queued} · ${pools}`;
  }));

  await work(signal, { config, queue, record: recorder(db, config.workerId, shell.runtime.name), counters });
}
