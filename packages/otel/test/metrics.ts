// The metrics cases, with the real SDK: a manual reader collects on demand.
import assert from "node:assert/strict";
import { createPool, TimeoutError } from "@corral/core";
import { instrumentPool } from "@corral/otel";
import {
  type DataPoint,
  DataPointType,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import type { Case } from "./harness.ts";

class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics } = await this.collect();
    const out = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
    return out;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function setup() {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider, meter: provider.getMeter("test") };
}

function point(m: MetricData | undefined, attrs: Record<string, unknown> = {}): DataPoint<unknown> {
  assert(m !== undefined, "metric missing");
  const p = (m.dataPoints as DataPoint<unknown>[]).find((d) =>
    Object.entries(attrs).every(([k, v]) => d.attributes[k] === v)
  );
  assert(p !== undefined, `no point of ${m.descriptor.name} with ${JSON.stringify(attrs)}`);
  return p;
}

const DB = "db.client.connection";

export const metricCases: Case[] = [
  ["a database pool reports every semantic-convention metric, matching its stats", async () => {
    const { reader, provider, meter } = setup();
    const pool = createPool({
      create: () => delay(5).then(() => ({})),
      max: 2,
      min: 1,
      acquireTimeout: 60_000,
    });
    const handle = instrumentPool(pool, { meter, name: "main", system: "postgresql" });
    await pool.ready();
    const a = await pool.acquire(); // the min one, idle: no wait
    const b = await pool.acquire(); // created for it: waited in the queue
    const c = pool.acquire(); // queued
    const late = await pool.acquire({ timeout: 5 }).catch((e) => e);
    assert(late instanceof TimeoutError);
    let m = await reader.metrics();
    const s = pool.stats;
    const base = { [`${DB}.pool.name`]: "main", "db.system.name": "postgresql" };
    assert.equal(point(m.get(`${DB}.count`), { ...base, [`${DB}.state`]: "idle" }).value, s.idle);
    assert.equal(point(m.get(`${DB}.count`), { ...base, [`${DB}.state`]: "used" }).value, 2);
    assert.equal(s.borrowed + s.maintaining, 2);
    assert.equal(point(m.get(`${DB}.max`), base).value, 2);
    assert.equal(point(m.get(`${DB}.idle.min`), base).value, 1);
    assert.equal(point(m.get(`${DB}.pending_requests`), base).value, 1);
    assert.equal(s.pending, 1);
    assert.equal(point(m.get(`${DB}.timeouts`), base).value, 1);
    assert.equal(s.timeouts, 1);
    for (const name of ["count", "max", "idle.min"]) {
      assert.equal(m.get(`${DB}.${name}`)!.descriptor.unit, "{connection}");
    }
    assert.equal(m.get(`${DB}.pending_requests`)!.descriptor.unit, "{request}");
    assert.equal(m.get(`${DB}.timeouts`)!.descriptor.unit, "{timeout}");
    const sum = (name: string) => m.get(`${DB}.${name}`) as MetricData & { isMonotonic: boolean };
    for (const name of ["count", "max", "idle.min", "pending_requests"]) {
      assert(sum(name).dataPointType === DataPointType.SUM && !sum(name).isMonotonic, `${name} is an up-down counter`);
    }
    assert(sum("timeouts").dataPointType === DataPointType.SUM && sum("timeouts").isMonotonic, "timeouts is a counter");

    await a.release(); // to c
    const third = await c;
    await b.release();
    await third.release();
    m = await reader.metrics();
    const after = pool.stats;
    for (const name of ["create_time", "wait_time", "use_time"]) {
      assert.equal(m.get(`${DB}.${name}`)!.descriptor.unit, "s");
      assert.equal(m.get(`${DB}.${name}`)!.dataPointType, DataPointType.HISTOGRAM);
    }
    const create = point(m.get(`${DB}.create_time`), base).value as Histogram;
    assert.equal(create.count, after.created);
    assert(create.min! >= 0.004, `create_time min ${create.min} s, each create sleeps 5 ms`);
    const wait = point(m.get(`${DB}.wait_time`), base).value as Histogram;
    assert.equal(wait.count, after.acquires);
    assert.equal(wait.count, 3);
    assert(Math.abs(wait.sum! * 1000 - after.totalWaitTime) < 1e-6, `${wait.sum} s vs ${after.totalWaitTime} ms`);
    assert(Math.abs(wait.max! * 1000 - after.maxWaitTime) < 1e-6);
    assert.equal(wait.min, 0); // the idle one
    const use = point(m.get(`${DB}.use_time`), base).value as Histogram;
    assert.equal(use.count, 3);
    assert.equal(point(m.get(`${DB}.count`), { ...base, [`${DB}.state`]: "idle" }).value, after.idle);
    assert.equal(point(m.get(`${DB}.pending_requests`), base).value, 0);

    assert(handle.active);
    const idleBefore = after.idle;
    assert(idleBefore > 0);
    await pool.close();
    assert(!handle.active);
    m = await reader.metrics();
    m = await reader.metrics();
    // The SDK keeps a cumulative point's last value; nothing new is observed once the pool closed.
    const idle = m.get(`${DB}.count`)?.dataPoints.find((d) => d.attributes[`${DB}.state`] === "idle");
    assert.equal(pool.stats.idle, 0);
    assert(idle === undefined || idle.value === idleBefore, `observed ${idle?.value} after close`);
    await provider.shutdown();
  }],
  ["a generic pool reports the same shape under corral.pool names", async () => {
    const { reader, provider, meter } = setup();
    const pool = createPool({ create: () => ({}), max: 3 });
    using _handle = instrumentPool(pool, { meter });
    await pool.use(() => delay(2));
    const m = await reader.metrics();
    const base = { "corral.pool.name": "default" };
    assert.equal(
      point(m.get("corral.pool.resource.count"), { ...base, "corral.pool.resource.state": "idle" }).value,
      1,
    );
    assert.equal(point(m.get("corral.pool.resource.max"), base).value, 3);
    assert.equal(m.get("corral.pool.resource.count")!.descriptor.unit, "{resource}");
    assert.equal(point(m.get("corral.pool.resource.count"), base).attributes["db.system.name"], undefined);
    const use = point(m.get("corral.pool.use_time"), base).value as Histogram;
    assert(use.count === 1 && use.sum! >= 0.001, `use_time ${use.sum} s for a 2 ms use`);
    assert.equal((point(m.get("corral.pool.create_time"), base).value as Histogram).count, 1);
    await pool.close();
    await provider.shutdown();
  }],
  ["disposing the handle stops reporting", async () => {
    const { reader, provider, meter } = setup();
    const pool = createPool({ create: () => ({}), max: 1 });
    const handle = instrumentPool(pool, { meter, name: "p" });
    await pool.use(() => {});
    handle[Symbol.dispose]();
    assert(!handle.active);
    await pool.use(() => {});
    const m = await reader.metrics();
    assert.equal(m.get("corral.pool.resource.count")?.dataPoints.length ?? 0, 0);
    assert.equal(
      (point(m.get("corral.pool.wait_time")).value as Histogram).count,
      1,
      "the use after dispose is not recorded",
    );
    handle[Symbol.dispose](); // twice is fine
    await pool.close();
    await provider.shutdown();
  }],
  ["bad arguments are TypeErrors naming them", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    assert.throws(() => instrumentPool(pool, { name: "" }), {
      name: "TypeError",
      message: `Cannot instrument pool as 'name' must be a non-empty string: received ""`,
    });
    assert.throws(
      () => instrumentPool(pool, { system: 5 as unknown as string }),
      /'system' must be a non-empty string: received 5/,
    );
    assert.throws(() => instrumentPool({} as never), /'pool' must be a corral Pool/);
    await pool.close();
  }],
];
