// What metrics read from a pool (issue #17): the events' durations, the
// observers that hear them without an Event object, and stats' min/max.
import { describe, expect, test } from "vitest";
import { TimeoutError } from "../base/errors.ts";
import { createPool, observePool } from "./pool.ts";
import type { PoolEvent, PoolEventInit, PoolEventType } from "./pool-event.ts";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("pool events carry durations", () => {
  test("acquire: the wait (0 from the idle stack); release: the lease's length; create: the create's", async () => {
    const pool = createPool({ create: () => delay(5).then(() => ({})), max: 1 });
    const seen: [string, number | undefined][] = [];
    for (const type of ["acquire", "release", "create"] as const) {
      pool.addEventListener(type, (e: PoolEvent) => seen.push([type, e.duration]));
    }
    const first = await pool.acquire(); // waits for the create
    await delay(5);
    await first.release();
    await (await pool.acquire()).release(); // idle: no wait
    const get = (type: string, i = 0) => seen.filter(([t]) => t === type)[i]![1]!;
    expect(get("create")).toBeGreaterThanOrEqual(4);
    expect(get("acquire")).toBeGreaterThanOrEqual(4);
    expect(get("acquire")).toBe(pool.stats.totalWaitTime);
    expect(get("release")).toBeGreaterThanOrEqual(4);
    expect(get("acquire", 1)).toBe(0);
    expect(get("release", 1)).toBeLessThan(get("release"));
    await pool.close();
  });

  test("a release listener added while a lease is out gets no duration for it", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    const lease = await pool.acquire();
    const durations: (number | undefined)[] = [];
    pool.addEventListener("release", (e: PoolEvent) => durations.push(e.duration));
    await lease.release();
    await (await pool.acquire()).release();
    expect(durations[0]).toBe(undefined);
    expect(typeof durations[1]).toBe("number");
    await pool.close();
  });
  test("shared leases: acquire carries the wait, release the lease's own length (not its neighbour's)", async () => {
    const pool = createPool({ create: () => delay(5).then(() => ({})), max: 1, maxShared: 2 });
    const seen: [string, number | undefined][] = [];
    for (const type of ["acquire", "release"] as const) {
      pool.addEventListener(type, (e: PoolEvent) => seen.push([type, e.duration]));
    }
    const long = await pool.acquire({ shared: true }); // waits for the create
    await delay(5);
    const short = await pool.acquire({ shared: true }); // a place on the same resource: no wait
    await short.release(); // not the last sharer
    await delay(5);
    await long.release(); // the last sharer
    const get = (type: string, i: number) => seen.filter(([t]) => t === type)[i]![1]!;
    expect(get("acquire", 0)).toBeGreaterThanOrEqual(4);
    expect(get("acquire", 1)).toBe(0);
    expect(get("release", 0)).toBeLessThan(4);
    expect(get("release", 1)).toBeGreaterThanOrEqual(9);
    await pool.close();
  });
});

describe("observePool", () => {
  test("hears every event type without an Event, until removed", async () => {
    const pool = createPool({ create: () => ({}), destroy: () => {}, max: 1 });
    const seen: [PoolEventType, PoolEventInit<object>][] = [];
    const stop = observePool(pool, (type, init) => seen.push([type, init]));
    const lease = await pool.acquire();
    const resource = lease.resource;
    const timedOut = await pool.acquire({ timeout: 1 }).catch((e) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    await lease.destroy();
    expect(seen.map(([type]) => type)).toEqual(["create", "acquire", "release", "destroy"]);
    for (const [, init] of seen) expect(init.resource).toBe(resource);
    expect(typeof seen[1]![1].duration).toBe("number");
    stop();
    await pool.use(() => {});
    expect(seen.length).toBe(4);
    await pool.close();
  });

  test("an observer does not make the pool build events for types nobody listens to", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    let dispatched = 0;
    const original = pool.dispatchEvent.bind(pool);
    pool.dispatchEvent = (event: Event) => {
      dispatched++;
      return original(event);
    };
    const stop = observePool(pool, () => {});
    await pool.use(() => {});
    expect(dispatched).toBe(0);
    stop();
    await pool.close();
  });

  test("a bad observer or pool is a TypeError naming it", () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    expect(() => observePool(pool, 5 as never)).toThrow(
      "Cannot observe pool as 'observer' must be a function: received 5",
    );
    expect(() => observePool({} as never, () => {})).toThrow("Cannot observe pool as 'pool' must be a Pool");
    return pool.close();
  });
});

test("stats name the pool's min and max", async () => {
  const pool = createPool({ create: () => ({}), min: 1, max: 3 });
  expect(pool.stats).toMatchObject({ min: 1, max: 3 });
  await pool.close();
});
