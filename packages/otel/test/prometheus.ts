// The Prometheus text cases, with the real SDK: instruments of every kind,
// collected by a manual reader or exported through the periodic reader, and
// read back line by line.
import assert from "node:assert/strict";
import { createPool } from "@corral/core";
import { instrumentPool, prometheusText, PrometheusTextExporter } from "@corral/otel";
import {
  AggregationType,
  InstrumentType,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import type { Case } from "./harness.ts";

class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  async text(): Promise<string> {
    return prometheusText((await this.collect()).resourceMetrics);
  }
}

/** The value on the line that starts with `series` and a space. */
function value(text: string, series: string): number {
  const found = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert(found !== undefined, `no line ${series} in:\n${text}`);
  return Number(found.slice(series.length + 1));
}

export const prometheusCases: Case[] = [
  ["prometheusText writes counters, gauges and histograms under Prometheus names", async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter("app");
    meter.createCounter("jobs.done", { description: "Jobs done." }).add(3, { "job.queue": "mail" });
    meter.createUpDownCounter("jobs.running").add(-2);
    meter.createObservableGauge("queue.depth").addCallback((r) => r.observe(7.5, { queue: "mail" }));
    const h = meter.createHistogram("job.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 1] } });
    for (const s of [0.05, 0.5, 0.7, 5]) h.record(s);
    const text = await reader.text();
    assert.match(text, /^# HELP jobs_done_total Jobs done\.$/m);
    assert.match(text, /^# TYPE jobs_done_total counter$/m);
    assert.equal(value(text, 'jobs_done_total{job_queue="mail"}'), 3);
    assert.match(text, /^# TYPE jobs_running gauge$/m);
    assert.equal(value(text, "jobs_running"), -2);
    assert.match(text, /^# TYPE queue_depth gauge$/m);
    assert.equal(value(text, 'queue_depth{queue="mail"}'), 7.5);
    assert.match(text, /^# TYPE job_duration_seconds histogram$/m);
    assert.equal(value(text, 'job_duration_seconds_bucket{le="0.1"}'), 1);
    assert.equal(value(text, 'job_duration_seconds_bucket{le="1"}'), 3); // cumulative
    assert.equal(value(text, 'job_duration_seconds_bucket{le="+Inf"}'), 4);
    assert.equal(value(text, "job_duration_seconds_count"), 4);
    assert.equal(value(text, "job_duration_seconds_sum"), 0.05 + 0.5 + 0.7 + 5);
    assert(text.endsWith("\n"));
    await provider.shutdown();
  }],

  ["prometheusText escapes label values and help, and writes non-finite values", async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter("app");
    meter.createObservableGauge("odd", { description: 'a \\ "b"\nc' }).addCallback((r) => {
      r.observe(Infinity, { path: 'C:\\x "y"\nz' });
      r.observe(NaN, { path: "nan" });
    });
    const text = await reader.text();
    assert.match(text, /^# HELP odd a \\\\ "b"\\nc$/m); // help: backslash and newline only
    assert.equal(text.split("\n").find((l) => l.startsWith('odd{path="C')), 'odd{path="C:\\\\x \\"y\\"\\nz"} +Inf');
    assert.match(text, /^odd\{path="nan"\} NaN$/m);
    await provider.shutdown();
  }],

  ["prometheusText writes one family per name across meters, and skips exponential histograms", async () => {
    const reader = new ManualReader({
      aggregationSelector: (type) =>
        type === InstrumentType.HISTOGRAM
          ? { type: AggregationType.EXPONENTIAL_HISTOGRAM }
          : { type: AggregationType.DEFAULT },
    });
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter("a").createCounter("hits").add(1, { from: "a" });
    provider.getMeter("b").createCounter("hits").add(2, { from: "b" });
    provider.getMeter("a").createHistogram("sizes").record(3);
    const text = await reader.text();
    assert.equal(text.match(/^# TYPE hits_total counter$/gm)?.length, 1);
    assert.equal(value(text, 'hits_total{from="a"}'), 1);
    assert.equal(value(text, 'hits_total{from="b"}'), 2);
    assert(!text.includes("sizes"), text);
    await provider.shutdown();
  }],

  ["prometheusText of nothing is an empty line", async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    assert.equal(await reader.text(), "\n");
    await provider.shutdown();
  }],

  ["PrometheusTextExporter keeps the last export of a pool's metrics", async () => {
    const exporter = new PrometheusTextExporter();
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const pool = createPool({ create: () => ({}), max: 4 });
    using _metrics = instrumentPool(pool, { meter: provider.getMeter("app"), name: "db", system: "postgresql" });
    assert.equal(exporter.text, "");
    const held = await pool.acquire();
    await pool.use(() => {});
    await provider.forceFlush();
    const labels = 'db_client_connection_pool_name="db",db_system_name="postgresql"';
    const text = exporter.text;
    assert.match(text, /^# TYPE db_client_connection_count gauge$/m);
    assert.equal(value(text, `db_client_connection_count{${labels},db_client_connection_state="used"}`), 1);
    assert.equal(value(text, `db_client_connection_count{${labels},db_client_connection_state="idle"}`), 1);
    assert.equal(value(text, `db_client_connection_max{${labels}}`), 4);
    assert.match(text, /^# TYPE db_client_connection_timeouts_total counter$/m);
    assert.equal(value(text, `db_client_connection_wait_time_seconds_count{${labels}}`), pool.stats.acquires);
    assert.equal(value(text, `db_client_connection_use_time_seconds_count{${labels}}`), 1);
    await held.release();
    await pool.use(() => {});
    await provider.forceFlush();
    assert.equal(value(exporter.text, `db_client_connection_use_time_seconds_count{${labels}}`), 3);
    await pool.close();
    await provider.shutdown();
    assert.equal(exporter.text.length > 0, true); // still readable after shutdown
  }],
];
