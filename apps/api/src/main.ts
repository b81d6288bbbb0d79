// The API program, written once for every runtime: pools on an exit stack,
// the Hono app with request scopes, and a graceful shutdown. A runtime shell
// (node/, deno/, bun/) calls runApi() inside its adapter's run().
//
// Shutdown, when run()'s signal aborts (SIGTERM, SIGINT):
//  1. readiness drops and every response carries `Connection: close`;
//  2. the server stops accepting connections (open ones stay, so nobody
//     meets a reset socket);
//  3. requests in flight get DRAIN_MS to finish; what is left is cancelled
//     (its queries stop on the server) and answers 503;
//  4. the server closes its connections;
//  5. runApi returns and the exit stack closes the pools (then the embedded
//     database); run() exits 143 after SIGTERM.
import { Cancelled, ExitStack } from "@corral/core";
import { corral } from "@corral/hono";
import { instrumentPool, PrometheusTextExporter } from "@corral/otel";
import { createPostgresPool } from "@corral/postgres";
import { createRedisPool } from "@corral/redis";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { createApp, setupSchema } from "./app.ts";
import { type Cache, memoryCache, redisCache } from "./cache.ts";
import { type Config, loadConfig } from "./config.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import type { Shell } from "./shell.ts";

/**
 * Serves the API until `signal` aborts, then shuts down gracefully. Resolves
 * true when it ended without a failure; on a failure it prints one message
 * and resolves false. Shutdown's own cancellation during start-up is rethrown
 * for `run()`, which sets 143 or 130.
 */
export async function runApi(signal: AbortSignal, shell: Shell): Promise<boolean> {
  await using stack = new ExitStack();
  // Registered first, so it runs last: everything below has been closed.
  stack.defer(() => console.log("resources closed"));
  try {
    await serve(signal, shell, stack);
    return true;
  } catch (error) {
    if (error instanceof Cancelled && signal.aborted) throw error;
    console.error(`api failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return false;
  }
}

/** How often the pools' metrics are exported for /metrics, ms. */
const METRICS_INTERVAL_MS = 1_000;

/** Resolves once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function serve(signal: AbortSignal, shell: Shell, stack: ExitStack): Promise<void> {
  const config: Config = loadConfig(shell);
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) databaseUrl = stack.use(await startEmbeddedPostgres()).url;
  // PGlite is one session behind a multiplexer: one connection. A real server gets a real pool.
  const db = stack.use(createPostgresPool({
    url: databaseUrl,
    max: config.databaseUrl === undefined ? 1 : config.poolMax,
    acquireTimeout: config.requestTimeoutMs,
    postgres: { connection: { application_name: config.name } },
  }));
  const redis = config.redisUrl === undefined ? undefined : stack.use(createRedisPool({
    url: config.redisUrl,
    name: config.name,
    max: config.poolMax,
    acquireTimeout: config.requestTimeoutMs,
  }));
  const cache: Cache = redis === undefined ? memoryCache() : redisCache(redis);
  // The pools' OpenTelemetry metrics, for GET /metrics: exported every second as Prometheus text, so the route
  // answers at once with values at most a second old. On the way out, the timer stops before the pools close.
  const metrics = new PrometheusTextExporter();
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: METRICS_INTERVAL_MS })],
  });
  stack.defer(() => provider.shutdown());
  const meter = provider.getMeter("api");
  stack.use(instrumentPool(db, { meter, name: "postgres", system: "postgresql" }));
  if (redis !== undefined) stack.use(instrumentPool(redis, { meter, name: "redis", system: "redis" }));
  await setupSchema(db, signal);

  const requests = corral({ timeout: config.requestTimeoutMs });
  const app = createApp({
    db,
    cache,
    requests,
    reportTimeoutMs: config.reportTimeoutMs,
    cacheTtl: config.cacheTtl,
    pools: { postgres: db, redis },
    metrics: () => metrics.text,
  });
  const server = await shell.serve(config.host, config.port, app.fetch);
  console.log(
    `api on ${shell.runtime.name} ${shell.runtime.version}: listening on ${server.url}, ` +
      `database ${config.databaseUrl === undefined ? "embedded (PGlite)" : "PostgreSQL"}, cache ${cache.kind}`,
  );
  console.log("ready");

  try {
    await aborted(signal);
    const started = Date.now();
    console.log(`shutting down: draining ${requests.inFlight} request(s) for up to ${config.drainMs} ms`);
    // Readiness drops first (drain() marks the middleware draining at once), then the server stops accepting.
    // No delay between them here: behind a load balancer, a few seconds of it would let the balancer see /ready
    // fail first, but clients still connecting when the listener closes are reset by the kernel (its accept
    // backlog), which the end-to-end test's clients do.
    const drained = requests.drain({ timeout: config.drainMs, cancelTimeout: config.cancelMs });
    server.stopAccepting();
    const { cancelled, remaining } = await drained;
    console.log(
      `drained in ${Date.now() - started} ms: ${cancelled} request(s) cancelled` +
        (remaining > 0 ? `, ${remaining} still running` : ""),
    );
  } finally {
    await server.close();
  }
}
