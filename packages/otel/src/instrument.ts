/**
 * `instrumentPool`: a pool's metrics through the OpenTelemetry metrics API.
 *
 * @module
 */

import { observePool, Pool, type PoolStats } from "@corral/core";
import { type Attributes, type BatchObservableResult, type Meter, metrics, type Observable } from "@opentelemetry/api";

/** The instrument and attribute names a pool reports under. */
export interface MetricNames {
  /** UpDownCounter: resources by `state` (`idle` / `used`). */
  count: string;
  /** UpDownCounter: the pool's `max`. */
  max: string;
  /** UpDownCounter: the pool's `min`. */
  idleMin: string;
  /** UpDownCounter: acquires waiting. */
  pendingRequests: string;
  /** Counter: acquires that timed out. */
  timeouts: string;
  /** Histogram (s): how long a create took. */
  createTime: string;
  /** Histogram (s): how long an acquire waited. */
  waitTime: string;
  /** Histogram (s): how long a lease was held. */
  useTime: string;
  /** Attribute: the pool's name. */
  poolName: string;
  /** Attribute: `idle` or `used`, on `count`. */
  state: string;
  /** The unit of a resource (`{connection}` for a database). */
  unit: string;
}

/**
 * The names for a database pool (`db`, with `system`: the OpenTelemetry
 * database semantic conventions) and for any other pool (`generic`).
 */
export const METRIC_NAMES: { readonly db: Readonly<MetricNames>; readonly generic: Readonly<MetricNames> } = {
  db: {
    count: "db.client.connection.count",
    max: "db.client.connection.max",
    idleMin: "db.client.connection.idle.min",
    pendingRequests: "db.client.connection.pending_requests",
    timeouts: "db.client.connection.timeouts",
    createTime: "db.client.connection.create_time",
    waitTime: "db.client.connection.wait_time",
    useTime: "db.client.connection.use_time",
    poolName: "db.client.connection.pool.name",
    state: "db.client.connection.state",
    unit: "{connection}",
  },
  generic: {
    count: "corral.pool.resource.count",
    max: "corral.pool.resource.max",
    idleMin: "corral.pool.resource.idle.min",
    pendingRequests: "corral.pool.pending_requests",
    timeouts: "corral.pool.timeouts",
    createTime: "corral.pool.create_time",
    waitTime: "corral.pool.wait_time",
    useTime: "corral.pool.use_time",
    poolName: "corral.pool.name",
    state: "corral.pool.resource.state",
    unit: "{resource}",
  },
};

/** The options of {@linkcode instrumentPool}. */
export interface InstrumentPoolOptions {
  /** The meter to report with (default: `metrics.getMeter("@corral/otel")` of the global provider). */
  meter?: Meter;
  /** The pool's name, the `…pool.name` attribute (default `"default"`). */
  name?: string;
  /**
   * The database, as the `db.system.name` attribute (`"postgresql"`,
   * `"redis"`): the pool then reports under the `db.client.connection.*`
   * names. Without it, under the `corral.pool.*` names.
   */
  system?: string;
}

/** What {@linkcode instrumentPool} returns: dispose it (or close the pool) to stop reporting. */
export interface PoolInstrumentation extends Disposable {
  /** True until disposed or the pool closed. */
  readonly active: boolean;
}

function checkString(what: string, value: unknown): string | undefined {
  if (value === undefined || (typeof value === "string" && value !== "")) return value;
  throw new TypeError(
    `Cannot instrument pool as '${what}' must be a non-empty string: received ${
      typeof value === "string" ? '""' : String(value)
    }`,
  );
}

/**
 * Reports `pool`'s metrics through OpenTelemetry until the returned handle
 * is disposed or the pool closes: observable instruments read
 * `pool.stats` at each collection (`count` by state — `idle` is
 * `stats.idle`, `used` is `stats.borrowed + stats.maintaining`, the
 * resources that exist but cannot be lent; `max`; `idle.min` is
 * `stats.min`; `pending_requests` is `stats.pending`; `timeouts` is
 * `stats.timeouts`), and histograms record every create, acquire and lease
 * (`create_time`, `wait_time` — 0 for an idle resource ready at once —
 * and `use_time`, in seconds) from the pool's events (through
 * `observePool`, buffered until the next collection). Every point carries
 * the pool's name, and `db.system.name` when `system` is given.
 *
 * @param pool the pool
 * @param options `meter`, `name`, `system`
 * @returns a handle; disposing it stops reporting
 * @throws {TypeError} when `name` or `system` is not a non-empty string, or `pool` is not a corral pool
 * @example A PostgreSQL pool under the database conventions
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * import { instrumentPool } from "@corral/otel";
 * import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
 * const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
 * const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
 * const provider = new MeterProvider({ readers: [reader] });
 * const pool = createPool({ create: () => ({}), max: 10 }); // createPostgresPool() in real life
 * const metrics = instrumentPool(pool, { meter: provider.getMeter("app"), name: "main", system: "postgresql" });
 * const lease = await pool.acquire();
 * await reader.forceFlush();
 * const count = exporter.getMetrics()[0]!.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === "db.client.connection.count")!;
 * const used = count.dataPoints.find((p) => p.attributes["db.client.connection.state"] === "used")!;
 * assert(used.value === 1 && used.attributes["db.system.name"] === "postgresql");
 * await lease.release();
 * metrics[Symbol.dispose]();
 * assert(!metrics.active);
 * await pool.close();
 * await provider.shutdown();
 * ```
 */
export function instrumentPool<T>(pool: Pool<T>, options?: InstrumentPoolOptions): PoolInstrumentation {
  if (!(pool instanceof Pool)) {
    throw new TypeError(`Cannot instrument pool as 'pool' must be a corral Pool: received ${String(pool)}`);
  }
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`Cannot instrument pool as 'options' must be an object: received ${String(options)}`);
  }
  const name = checkString("name", options?.name) ?? "default";
  const system = checkString("system", options?.system);
  const meter = options?.meter ?? metrics.getMeter("@corral/otel");
  const n = system === undefined ? METRIC_NAMES.generic : METRIC_NAMES.db;
  const attributes: Attributes = { [n.poolName]: name };
  if (system !== undefined) attributes["db.system.name"] = system;
  const idleAttributes: Attributes = { ...attributes, [n.state]: "idle" };
  const usedAttributes: Attributes = { ...attributes, [n.state]: "used" };

  const count = meter.createObservableUpDownCounter(n.count, {
    description: "Resources by state: idle (ready to lend) or used (lent, or being validated, reset or destroyed)",
    unit: n.unit,
  });
  const max = meter.createObservableUpDownCounter(n.max, { description: "The pool's max", unit: n.unit });
  const idleMin = meter.createObservableUpDownCounter(n.idleMin, { description: "The pool's min", unit: n.unit });
  const pending = meter.createObservableUpDownCounter(n.pendingRequests, {
    description: "Acquires waiting for a resource",
    unit: "{request}",
  });
  const timeouts = meter.createObservableCounter(n.timeouts, {
    description: "Acquires that failed with a TimeoutError",
    unit: "{timeout}",
  });
  const createTime = meter.createHistogram(n.createTime, { description: "How long a create took", unit: "s" });
  const waitTime = meter.createHistogram(n.waitTime, { description: "How long an acquire waited", unit: "s" });
  const useTime = meter.createHistogram(n.useTime, { description: "How long a lease was held", unit: "s" });

  const observables: Observable[] = [count, max, idleMin, pending, timeouts];
  let active = true;
  const observe = (result: BatchObservableResult): void => {
    flush();
    if (pool.closed) {
      dispose();
      return;
    }
    const s: PoolStats = pool.stats;
    result.observe(count, s.idle, idleAttributes);
    result.observe(count, s.borrowed + s.maintaining, usedAttributes);
    result.observe(max, s.max, attributes);
    result.observe(idleMin, s.min, attributes);
    result.observe(pending, s.pending, attributes);
    result.observe(timeouts, s.timeouts, attributes);
  };
  const dispose = (): void => {
    if (!active) return;
    active = false;
    meter.removeBatchObservableCallback(observe, observables);
    unobserve();
    flush();
  };
  meter.addBatchObservableCallback(observe, observables);
  // The durations wait in arrays (an SDK record costs several times an
  // acquire) and go to the histograms at each collection, before the
  // observations, or when 1,024 are waiting. Milliseconds in, seconds out.
  const waits: number[] = [];
  const uses: number[] = [];
  const creates: number[] = [];
  const flush = (): void => {
    for (const ms of waits) waitTime.record(ms / 1000, attributes);
    for (const ms of uses) useTime.record(ms / 1000, attributes);
    for (const ms of creates) createTime.record(ms / 1000, attributes);
    waits.length = uses.length = creates.length = 0;
  };
  const unobserve = observePool(pool, (type, init) => {
    const ms = init.duration;
    if (ms === undefined) return;
    const into = type === "acquire" ? waits : type === "release" ? uses : type === "create" ? creates : undefined;
    if (into !== undefined && into.push(ms) >= 1024) flush();
  });
  return {
    get active() {
      return active && !pool.closed;
    },
    [Symbol.dispose]: dispose,
  };
}
