// The pools' metrics for GET /metrics, in the Prometheus text format:
// @corral/otel's PrometheusTextExporter (which keeps the text of the last
// export) behind a PeriodicExportingMetricReader, so the status route
// answers synchronously with values at most one interval old — no
// @opentelemetry/exporter-prometheus and no second HTTP server.
import { PrometheusTextExporter } from "@corral/otel";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

/** A meter provider exporting to `exporter.text` every `intervalMs`; shut it down to stop. */
export function prometheusMetrics(intervalMs: number): { provider: MeterProvider; exporter: PrometheusTextExporter } {
  const exporter = new PrometheusTextExporter();
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: intervalMs,
  });
  return { provider: new MeterProvider({ readers: [reader] }), exporter };
}
