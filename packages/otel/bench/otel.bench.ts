// What metrics cost (issue #17): one caller acquires and releases in a loop
// on a pool of 10 ready resources, without instrumentation, with
// instrumentPool (the SDK's MeterProvider with a reader that never
// collects during the run), with a no-op observePool observer (what the core
// spends on the durations), and with a diagnostics_channel subscriber on
// corral:pool:acquire. Target: with metrics, within 2× of without; the SDK's
// histogram record (two per cycle) is most of the difference.
// Run: node scripts/bench.mjs otel.
import { createPool, installRuntime, observePool, TRACING_CHANNELS } from "@corral/core";
import { instrumentPool } from "@corral/otel";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { tracingChannel } from "node:diagnostics_channel";
import { compare, runtimeName, verdict } from "../../core/bench/lib.ts";

class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

installRuntime({ tracingChannel: (name) => tracingChannel(name) });

async function ready() {
  const pool = createPool({ create: () => ({}), max: 10 });
  const leases = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
  for (const lease of leases) await lease.release();
  return pool;
}
const plain = await ready();
const measured = await ready();
const traced = await ready();
const observed = await ready();
// The core's share of the cost: the events' durations handed to an observer that does nothing with them.
observePool(observed, () => {});
const provider = new MeterProvider({ readers: [new IdleReader()] });
using _metrics = instrumentPool(measured, { meter: provider.getMeter("bench"), name: "bench" });
const cycle = (pool: typeof plain) => async (n: number) => {
  for (let i = 0; i < n; i++) await (await pool.acquire()).release();
};
const channel = tracingChannel(TRACING_CHANNELS.acquire);
const noop = () => {};
const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
let subscribed = false;

console.log(`acquire+release, uncontended, on ${runtimeName()}`);
const rows = await compare("acquire+release", [
  { name: "no instrumentation", run: cycle(plain) },
  { name: "observePool, a no-op observer (the core's share)", run: cycle(observed) },
  { name: "instrumentPool (metrics on)", run: cycle(measured) },
  {
    name: "acquire channel subscribed",
    run: async (n) => {
      if (!subscribed) channel.subscribe(handlers), subscribed = true;
      await cycle(traced)(n);
      channel.unsubscribe(handlers), subscribed = false;
    },
  },
], { unit: "cycle" });
const ratio = rows.find((r) => r.name.startsWith("instrumentPool"))!.ratio;
verdict("metrics on: acquire+release within 2× of without", ratio <= 2, `${ratio.toFixed(2)}×`);
await Promise.all([plain.close(), measured.close(), traced.close(), observed.close()]);
await provider.shutdown();
