// OpenTelemetry metrics as Prometheus text (the exposition format 0.0.4),
// for a service that already has an HTTP server and wants a /metrics route
// on it rather than @opentelemetry/exporter-prometheus and a second server.
// The SDK is imported for its types only: a program that exports metrics has
// it already, and one that imports @corral/otel for instrumentPool alone
// needs nothing more than @opentelemetry/api.
import type { Attributes } from "@opentelemetry/api";
import type { Histogram, MetricData, PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";

/** The `Content-Type` of Prometheus text (exposition format 0.0.4), for a `/metrics` response. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /[^a-zA-Z0-9_:]/g;
const LABEL = /[^a-zA-Z0-9_]/g;

/** An instrument's Prometheus name: dots (and anything else) to `_`, then `_seconds` for `s` and `_total` for counters. */
function nameOf(metric: MetricData, counter: boolean): string {
  let name = metric.descriptor.name.replace(NAME, "_");
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (metric.descriptor.unit === "s") name += "_seconds";
  return counter ? `${name}_total` : name;
}

const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (value: unknown) => escapeHelp(String(value)).replace(/"/g, '\\"');

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labels(attributes: Attributes, le?: string): string {
  const pairs = Object.entries(attributes).map(([k, v]) => `${k.replace(LABEL, "_")}="${escapeLabel(v)}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/**
 * One collection of OpenTelemetry metrics in the Prometheus text format
 * (exposition format 0.0.4, served as {@link PROMETHEUS_CONTENT_TYPE}).
 *
 * Names follow the OpenTelemetry → Prometheus convention: every character
 * outside `[a-zA-Z0-9_:]` becomes `_`, the unit `s` adds `_seconds`, and a
 * monotonic sum (a Counter) is a `counter` named `…_total`; a non-monotonic
 * sum (an UpDownCounter) and a gauge are `gauge`s; a histogram writes its
 * cumulative `_bucket{le=…}` lines, `_sum` and `_count`. Attributes become
 * labels (their keys with `.` as `_`). Metrics of the same name from several
 * meters share one `# HELP`/`# TYPE` header. Exponential histograms (which
 * this format cannot carry) and the resource's attributes are left out. The
 * values are written as given: export cumulative temporality (the SDK's
 * default) for Prometheus.
 *
 * @param resourceMetrics One collection, as a `MetricReader` or a push exporter receives it.
 * @returns The text, ending with a newline (just `"\n"` when there is nothing to write).
 *
 * @example A counter and a histogram, collected on demand
 * ```ts
 * import assert from "node:assert/strict";
 * import { prometheusText } from "@corral/otel";
 * import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
 * class OnDemand extends MetricReader {
 *   protected override onForceFlush() { return Promise.resolve(); }
 *   protected override onShutdown() { return Promise.resolve(); }
 * }
 * const reader = new OnDemand();
 * const provider = new MeterProvider({ readers: [reader] });
 * const meter = provider.getMeter("app");
 * meter.createCounter("jobs.done").add(3, { queue: "mail" });
 * meter.createHistogram("job.duration", { unit: "s" }).record(0.2);
 * const text = prometheusText((await reader.collect()).resourceMetrics);
 * assert.match(text, /^# TYPE jobs_done_total counter$/m);
 * assert.match(text, /^jobs_done_total\{queue="mail"\} 3$/m);
 * assert.match(text, /^job_duration_seconds_count 1$/m);
 * await provider.shutdown();
 * ```
 */
export function prometheusText(resourceMetrics: ResourceMetrics): string {
  // name → its header and lines, so that one name from several scopes is one family.
  const families = new Map<string, string[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const first = metric.dataPoints[0]?.value;
      if (typeof first === "object" && !("buckets" in first)) continue; // an exponential histogram
      const counter = "isMonotonic" in metric && metric.isMonotonic;
      const histogram = typeof first === "object";
      const name = nameOf(metric, counter);
      let lines = families.get(name);
      if (lines === undefined) {
        const type = histogram ? "histogram" : counter ? "counter" : "gauge";
        lines = [`# HELP ${name} ${escapeHelp(metric.descriptor.description)}`, `# TYPE ${name} ${type}`];
        families.set(name, lines);
      }
      for (const point of metric.dataPoints as { attributes: Attributes; value: number | Histogram }[]) {
        const { attributes, value } = point;
        if (typeof value === "number") {
          lines.push(`${name}${labels(attributes)} ${number(value)}`);
          continue;
        }
        let cumulative = 0;
        value.buckets.boundaries.forEach((le, i) => {
          cumulative += value.buckets.counts[i] ?? 0;
          lines.push(`${name}_bucket${labels(attributes, number(le))} ${cumulative}`);
        });
        lines.push(`${name}_bucket${labels(attributes, "+Inf")} ${value.count}`);
        lines.push(`${name}_sum${labels(attributes)} ${number(value.sum ?? 0)}`);
        lines.push(`${name}_count${labels(attributes)} ${value.count}`);
      }
    }
  }
  return [...families.values()].flat().map((line) => `${line}\n`).join("") || "\n";
}

/**
 * A push exporter that keeps its last export as Prometheus text, for a
 * `/metrics` route that answers at once: put it behind the SDK's
 * `PeriodicExportingMetricReader`, and serve {@link PrometheusTextExporter.text}
 * (values at most one export interval old) as {@link PROMETHEUS_CONTENT_TYPE}.
 * It asks for the SDK's default, cumulative, temporality (it declares no
 * preference), which is what Prometheus expects.
 *
 * @example A /metrics body for a pool, refreshed every second
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * import { instrumentPool, PrometheusTextExporter } from "@corral/otel";
 * import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
 * const exporter = new PrometheusTextExporter();
 * const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1_000 });
 * const provider = new MeterProvider({ readers: [reader] });
 * const pool = createPool({ create: () => ({}), max: 4 });
 * using _metrics = instrumentPool(pool, { meter: provider.getMeter("app"), name: "db", system: "postgresql" });
 * await pool.use(() => {});
 * await provider.forceFlush(); // in a service, the reader's timer does this
 * assert.match(exporter.text, /^db_client_connection_max\{.*db_client_connection_pool_name="db".*\} 4$/m);
 * await pool.close();
 * await provider.shutdown();
 * ```
 */
export class PrometheusTextExporter implements PushMetricExporter {
  /** The last export as Prometheus text: `""` before the first. */
  text = "";

  /** Keeps `metrics` as {@link PrometheusTextExporter.text}; called by the reader. */
  export(metrics: ResourceMetrics, done: Parameters<PushMetricExporter["export"]>[1]): void {
    this.text = prometheusText(metrics);
    done({ code: 0 }); // ExportResultCode.SUCCESS
  }

  /** Nothing is buffered: resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release: resolves at once (the last text stays readable). */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
