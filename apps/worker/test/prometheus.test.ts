// The /metrics text: a pool instrumented through @corral/otel, exported by
// @corral/otel's PrometheusTextExporter through the real SDK, read back line by line.
import { createPool } from "@corral/core";
import { instrumentPool } from "@corral/otel";
import { expect, test } from "vitest";
import { prometheusMetrics } from "../src/prometheus.ts";

const value = (text: string, line: string) => {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  if (found === undefined) throw new Error(`no line ${line} in:\n${text}`);
  return Number(found.slice(line.length + 1));
};

test("a pool's metrics in the Prometheus text format", async () => {
  const { provider, exporter } = prometheusMetrics(60_000);
  const pool = createPool({ create: () => ({}), max: 4 });
  using _metrics = instrumentPool(pool, { meter: provider.getMeter("worker"), name: "db", system: "postgresql" });
  const held = await pool.acquire();
  await pool.use(() => {});
  await pool.acquire({ timeout: 0 }).then((l) => l.release()); // an idle one: no timeout
  await provider.forceFlush();
  const text = exporter.text;
  const labels = 'db_client_connection_pool_name="db",db_system_name="postgresql"';
  expect(text).toContain("# TYPE db_client_connection_count gauge");
  expect(value(text, `db_client_connection_count{${labels},db_client_connection_state="used"}`)).toBe(1);
  expect(value(text, `db_client_connection_count{${labels},db_client_connection_state="idle"}`)).toBe(1);
  expect(value(text, `db_client_connection_max{${labels}}`)).toBe(4);
  expect(text).toContain("# TYPE db_client_connection_timeouts_total counter");
  expect(value(text, `db_client_connection_timeouts_total{${labels}}`)).toBe(0);
  expect(text).toContain("# TYPE db_client_connection_wait_time_seconds histogram");
  expect(value(text, `db_client_connection_wait_time_seconds_count{${labels}}`)).toBe(pool.stats.acquires);
  expect(value(text, `db_client_connection_wait_time_seconds_bucket{${labels},le="+Inf"}`)).toBe(3);
  expect(value(text, `db_client_connection_use_time_seconds_count{${labels}}`)).toBe(2);
  expect(value(text, `db_client_connection_create_time_seconds_count{${labels}}`)).toBe(pool.stats.created);
  await held.release();
  await pool.close();
  await provider.shutdown();
});
