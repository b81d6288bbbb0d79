// The pools' metrics for GET /metrics, in the Prometheus text format
// (version 0.0.4): an OpenTelemetry push exporter that keeps the text of the
// last export, behind a PeriodicExportingMetricReader, so the status route
// answers synchronously with values at most one interval old. Written here
// (about 60 lines) instead of depending on @opentelemetry/exporter-prometheus
// and its own HTTP server: the worker already has one.
import type { Attributes } from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";

/** The Prometheus name of an OpenTelemetry instrument: dots to underscores, the unit and `_total` as suffixes. */
export function prometheusName(metric: MetricData): string {
  let name = metric.descriptor.name.replace(/[^a-zA-Z0-9_:]/g, "_");
  if (metric.descriptor.unit === "s") name += "_seconds";
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) name += "_total";
  return name;
}

const escape = (value: unknown) => String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function labels(attributes: Attributes, extra?: [string, string]): string {
  const pairs = Object.entries(attributes).map(([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, "_")}="${escape(v)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** One export (cumulative) as Prometheus text. */
export function toPrometheusText(resourceMetrics: ResourceMetrics): string {
  const lines: string[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = prometheusName(metric);
      lines.push(`# HELP ${name} ${escape(metric.descriptor.description)}`);
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        lines.push(`# TYPE ${name} histogram`);
        for (const point of metric.dataPoints) {
          const h = point.value as Histogram;
          let cumulative = 0;
          h.buckets.boundaries.forEach((le, i) => {
            cumulative += h.buckets.counts[i]!;
            lines.push(`${name}_bucket${labels(point.attributes, ["le", String(le)])} ${cumulative}`);
          });
          lines.push(`${name}_bucket${labels(point.attributes, ["le", "+Inf"])} ${h.count}`);
          lines.push(`${name}_sum${labels(point.attributes)} ${h.sum ?? 0}`);
          lines.push(`${name}_count${labels(point.attributes)} ${h.count}`);
        }
        continue;
      }
      const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
      lines.push(`# TYPE ${name} ${counter ? "counter" : "gauge"}`);
      for (const point of metric.dataPoints) lines.push(`${name}${labels(point.attributes)} ${point.value as number}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** A push exporter that keeps the last export as Prometheus text. */
export class PrometheusText implements PushMetricExporter {
  /** The last export's text (empty before the first). */
  text = "";

  export(metrics: ResourceMetrics, done: (result: { code: number }) => void): void {
    this.text = toPrometheusText(metrics);
    done({ code: 0 });
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A meter provider exporting to `text` every `intervalMs`; shut it down to stop. */
export function prometheusMetrics(intervalMs: number): { provider: MeterProvider; exporter: PrometheusText } {
  const exporter = new PrometheusText();
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: intervalMs,
  });
  return { provider: new MeterProvider({ readers: [reader] }), exporter };
}
