/**
 * `@corral/otel`: a corral pool's numbers through the OpenTelemetry metrics
 * API, under the database semantic conventions' pool metrics
 * (`db.client.connection.*`) — or, for a pool of anything else, under the
 * same shape with `corral.pool.*` names. The tracing side needs no package:
 * the core publishes on `node:diagnostics_channel` tracing channels (see
 * `TRACING_CHANNELS` in `@corral/core` and docs/observability.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * import { instrumentPool } from "@corral/otel";
 * import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
 * const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
 * const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
 * const provider = new MeterProvider({ readers: [reader] });
 * const pool = createPool({ create: () => ({}), max: 4 });
 * using _metrics = instrumentPool(pool, { meter: provider.getMeter("app"), name: "jobs" });
 * await pool.use(() => {});
 * await reader.forceFlush();
 * const names = exporter.getMetrics()[0]!.scopeMetrics[0]!.metrics.map((m) => m.descriptor.name);
 * assert(names.includes("corral.pool.resource.count") && names.includes("corral.pool.wait_time"));
 * await pool.close();
 * await provider.shutdown();
 * ```
 *
 * @module
 */

export {
  instrumentPool,
  type InstrumentPoolOptions,
  METRIC_NAMES,
  type MetricNames,
  type PoolInstrumentation,
} from "./instrument.ts";
export { PROMETHEUS_CONTENT_TYPE, prometheusText, PrometheusTextExporter } from "./prometheus.ts";
// The types instrumentPool's signature names, so the documentation can link them.
export type {
  AcquireOptions,
  CloseOptions,
  Lease,
  Pool,
  PoolErrorPhase,
  PoolEvent,
  PoolEventListener,
  PoolEventType,
  PoolListenerOptions,
  PoolStats,
  ReadyOptions,
  UseOptions,
} from "@corral/core";
export type { Meter } from "@opentelemetry/api";
export type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
