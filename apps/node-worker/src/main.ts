// A job worker on Node: takes jobs from a reliable queue, runs them in a
// task group, records each result exactly once, and loses no job on
// shutdown. See README.md for how each corral construct is used and why.
import { ExitStack, now, run, runtime } from "@corral/node";
import { createPostgresPool } from "@corral/postgres";
import { createRedisPool } from "@corral/redis";
import { loadConfig } from "./config.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { startProgress } from "./progress.ts";
import type { Queue } from "./queue.ts";
import { PostgresQueue } from "./queue-pg.ts";
import { RedisQueue } from "./queue-redis.ts";
import { recorder, setupResults } from "./results.ts";
import { startStatusServer } from "./status-server.ts";
import { type Counters, work } from "./worker.ts";

await run(async (signal) => {
  const config = loadConfig();
  const started = now();
  const counters: Counters = { done: 0, inFlight: 0, failed: 0, requeued: 0, duplicates: 0 };
  // Everything the worker holds is entered on one exit stack and closed in
  // reverse order, on success, failure and shutdown alike: progress, status
  // server, Redis pool, PostgreSQL pool, embedded database.
  await using stack = new ExitStack();
  // Registered first, so it runs last: everything below has been closed.
  stack.defer(() => console.log("resources closed"));

  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    const embedded = stack.use(await startEmbeddedPostgres());
    databaseUrl = embedded.url;
  }
  // PGlite is one session behind a multiplexer: one connection keeps
  // transactions from interleaving. A real server gets a real pool.
  const db = stack.use(createPostgresPool({
    url: databaseUrl,
    max: config.databaseUrl === undefined ? 1 : config.concurrency + 2,
  }));
  const redis = config.redisUrl === undefined
    ? undefined
    : stack.use(createRedisPool({ url: config.redisUrl, max: config.concurrency + 2 }));
  const queue: Queue = redis === undefined
    ? new PostgresQueue(db, config.queue, config.workerId)
    : new RedisQueue(redis, config.queue, config.workerId);

  await queue.setup(signal);
  await setupResults(db, signal);
  const recovered = await queue.recover(signal);
  if (config.demoJobs > 0) {
    const batch = Array.from({ length: config.demoJobs }, (_, i) => ({ id: `demo-${Date.now()}-${i}`, n: i }));
    await queue.enqueue(batch, signal);
  }

  const stats = () => ({
    worker: config.workerId,
    runtime: `${runtime.name} ${runtime.version}`,
    jobs: { ...counters },
    pools: { postgres: db.stats, redis: redis?.stats ?? null },
  });
  const status = stack.use(await startStatusServer(config.port, stats));
  console.log(
    `worker ${config.workerId} on ${runtime.name} ${runtime.version}: status ${status.url}, ` +
      `queue in ${queue.kind}, database ${config.databaseUrl === undefined ? "embedded (PGlite)" : "PostgreSQL"}, ` +
      `recovered ${recovered} job(s), ${config.demoJobs} demo job(s) enqueued`,
  );
  console.log("ready");

  // The summary is printed by the stack, after the progress line is closed
  // (registered before it, so it runs after it).
  stack.defer(() => {
    const secs = (now() - started) / 1000;
    console.log(
      `summary: ${counters.done} done, ${counters.requeued} requeued, ${counters.failed} failed, ` +
        `${counters.duplicates} already recorded, in ${secs.toFixed(1)} s ` +
        `(${(counters.done / Math.max(secs, 0.001)).toFixed(0)} jobs/s)`,
    );
  });
  stack.use(startProgress(async (s) => {
    const depth = await queue.depth(s);
    return `done ${counters.done} · in flight ${counters.inFlight} · queued ${depth.queued} · ` +
      `db ${db.stats.borrowed}/${db.stats.idle} borrowed/idle` +
      (redis ? ` · redis ${redis.stats.borrowed}/${redis.stats.idle}` : "");
  }));

  await work(signal, { config, queue, record: recorder(db, config.workerId), counters });
}, { gracePeriod: 15_000 });
