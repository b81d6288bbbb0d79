import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { PoolEvents } from "./pool-events.ts";
import { Inventory } from "./pool-inventory.ts";
import { resolvePoolOptions } from "./pool-options.ts";
import { BORROWED, IDLE, PooledResource } from "./pool-resource.ts";
import { Upkeep } from "./pool-upkeep.ts";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Upkeep alone: destroys are recorded (and taken off the books), leaks collected. */
function setup(options: Record<string, unknown>) {
  const settings = resolvePoolOptions<number>({ create: () => 0, max: 10, ...options });
  const books = new Inventory<number>();
  const destroyed: number[] = [];
  const leaks: number[] = [];
  const events = new PoolEvents<number>((_type, init) => leaks.push(init.resource!));
  events.listen("leak");
  const maintenance = {
    destroy(p: PooledResource<number>) {
      destroyed.push(p.resource);
      return Promise.resolve();
    },
  };
  const upkeep = new Upkeep<number>(settings, books, events, maintenance);
  const pooled = (id: number) => new PooledResource<number>(upkeep, id);
  return { books, upkeep, destroyed, leaks, pooled };
}

describe("Upkeep", () => {
  test("park() stacks a resource and arms the evictor only above min; eviction takes the oldest", async () => {
    const u = setup({ idleTimeout: 8, min: 1 });
    u.upkeep.park(u.pooled(1));
    expect(live.timers, "at min: nothing to evict").toBe(0);
    u.upkeep.park(u.pooled(2));
    u.upkeep.park(u.pooled(3));
    expect(u.books.idle.map((p) => p.state)).toEqual([IDLE, IDLE, IDLE]);
    expect(live.timers).toBe(1);
    while (u.destroyed.length < 2) await delay(5);
    expect(u.destroyed).toEqual([1, 2]);
    expect(u.books.idle.map((p) => p.resource), "eviction stops at min").toEqual([3]);
    u.upkeep.stop();
    expect(live.timers).toBe(0);
  });

  test("idleTimeout Infinity arms nothing; validation is due only past validateAfterIdle", async () => {
    const u = setup({ idleTimeout: Infinity, validate: () => true, validateAfterIdle: 5 });
    const p = u.pooled(1);
    u.upkeep.park(p);
    expect(live.timers).toBe(0);
    expect(u.upkeep.needsValidation(p)).toBe(false);
    await delay(10);
    expect(u.upkeep.needsValidation(p)).toBe(true);
  });

  test("a lifetime that ends destroys an idle resource now and only marks a borrowed one", async () => {
    const u = setup({ maxLifetime: 5, maxLifetimeJitter: 0, idleTimeout: Infinity });
    const idle = u.pooled(1);
    const lent = u.pooled(2);
    u.upkeep.born(idle);
    u.upkeep.born(lent);
    u.upkeep.park(idle);
    lent.state = BORROWED;
    expect(live.timers).toBe(2);
    while (!lent.retired) await delay(2);
    expect(u.destroyed).toEqual([1]);
    expect(u.books.idle).toEqual([]);
    expect(idle.retired && lent.retired).toBe(true);
    expect(live.timers).toBe(0);
  });

  test("a lease held past leakTimeout is reported once; nothing borrowed disarms the check", async () => {
    const u = setup({ leakTimeout: 5 });
    const p = u.pooled(7);
    p.state = BORROWED;
    u.books.addBorrowed(p);
    u.upkeep.lent(p, "stack");
    expect(live.timers).toBe(1);
    while (u.leaks.length === 0) await delay(2);
    await delay(15);
    expect(u.leaks).toEqual([7]);
    expect(p.leakReported).toBe(true);
    const q = u.pooled(8);
    u.books.addBorrowed(q);
    u.upkeep.lent(q, undefined);
    u.books.removeBorrowed(p);
    u.books.removeBorrowed(q);
    u.upkeep.noneBorrowed();
    expect(live.timers).toBe(0);
  });
});
