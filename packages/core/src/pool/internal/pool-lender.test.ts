import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { PoolClosedError } from "../../base/errors.ts";
import { PoolEvents } from "./pool-events.ts";
import { Inventory } from "./pool-inventory.ts";
import { Lender, type LenderParts } from "./pool-lender.ts";
import { resolvePoolOptions } from "./pool-options.ts";
import { IDLE, PooledResource } from "./pool-resource.ts";
import { Sharing } from "./pool-sharing.ts";

/**
 * Lending alone: creation never creates (the tests stock the idle stack or
 * offer resources by hand), maintenance destroys by recording, upkeep parks.
 */
function setup(options: Record<string, unknown> = {}) {
  const settings = resolvePoolOptions<number>({ create: () => 0, max: 2, ...options });
  const books = new Inventory<number>();
  const events = new PoolEvents<number>(() => {});
  const lender = new Lender<number>(settings, books, events);
  const destroyed: [number, boolean][] = [];
  const resets: number[] = [];
  const parts = {
    creator: {
      creating: 0,
      cancelled: 0,
      failures: 0,
      lastError: undefined,
      live: () => 0,
      mayCreate: () => false,
      start() {},
      nextTrigger: () => undefined,
      fill() {},
      trim() {},
    },
    maintenance: {
      askAlive: (p) => (settings.isAlive!(p.resource) ? undefined : {}),
      keepIfAlive: (p) => settings.isAlive!(p.resource) || (destroyed.push([p.resource, false]), false),
      validate() {},
      reset: (p) => (resets.push(p.resource), lender.offer(p), undefined),
      destroy: (p, hasError) => (destroyed.push([p.resource, hasError]), Promise.resolve()),
    },
    upkeep: {
      park: (p) => ((p.state = IDLE), void books.idle.push(p)),
      needsValidation: () => false,
      lent() {},
      noneBorrowed() {},
    },
  } satisfies Omit<LenderParts<number>, "sharing">;
  const sharing = new Sharing<number>(settings, { ...parts, books, events, host: lender });
  lender.attach({ ...parts, sharing });
  const stock = (...ids: number[]) => {
    for (const id of ids) {
      books.idle.push(Object.assign(new PooledResource<number>({ expired() {} }, id), { state: IDLE }));
    }
  };
  return { books, lender, destroyed, resets, stock };
}

describe("Lender", () => {
  test("lends the most recently used idle resource at once, with no timer, and takes it back", async () => {
    const l = setup();
    l.stock(1, 2);
    const lease = await l.lender.acquire(undefined, undefined);
    expect(lease.resource).toBe(2);
    expect(live.timers).toBe(0);
    expect([l.books.borrowed, l.books.acquires, l.books.idle.length]).toEqual([1, 1, 1]);
    await lease.release();
    expect(lease.active).toBe(false);
    expect(l.books.idle.map((p) => p.resource)).toEqual([1, 2]);
  });

  test("queued acquires are served first come, first served by what is offered", async () => {
    const l = setup({ acquireTimeout: 60_000 });
    const order: number[] = [];
    const waits = [1, 2].map((i) => l.lender.acquire(undefined, undefined).then((lease) => (order.push(i), lease)));
    expect(l.lender.queue.size).toBe(2);
    expect(live.timers, "one timer for the whole queue").toBe(1);
    l.stock(7, 8);
    l.lender.pump();
    const leases = await Promise.all(waits);
    expect(order).toEqual([1, 2]);
    expect(leases.map((lease) => lease.resource)).toEqual([8, 7]);
    expect(l.books.waits).toBe(2);
    expect(live.timers).toBe(0);
    for (const lease of leases) await lease.release();
  });

  test("a failing setup fails the acquire and destroys the resource with the error", async () => {
    const boom = new Error("cannot prepare");
    const l = setup({
      setup: () => {
        throw boom;
      },
    });
    l.stock(1);
    await expect(l.lender.acquire(undefined, undefined)).rejects.toBe(boom);
    expect(l.destroyed).toEqual([[1, true]]);
    expect([l.books.borrowed, l.books.acquires]).toEqual([0, 0]);
  });

  test("the lease signal hangs under the acquire's signal and aborts when leases are cancelled", async () => {
    const l = setup();
    l.stock(1, 2);
    const request = new AbortController();
    const tied = await l.lender.acquire(request.signal, undefined);
    const other = await l.lender.acquire(undefined, undefined);
    const signal = tied.signal;
    expect(live.listeners).toBe(1);
    request.abort("gone");
    expect(signal.aborted && signal.reason === "gone").toBe(true);
    l.lender.cancelLeases(new PoolClosedError("closing"));
    expect(other.signal.reason).toBeInstanceOf(PoolClosedError);
    await tied.release();
    expect(live.listeners).toBe(0);
    l.lender.revokeAll("test");
    expect(other.active).toBe(false);
    expect(l.destroyed).toEqual([[1, true]]);
  });

  test("a dead resource is dropped from the idle stack and, given back, destroyed without a reset", async () => {
    const dead = new Set<number>();
    const l = setup({ isAlive: (r: number) => !dead.has(r), reset: () => {} });
    l.stock(1, 2, 3);
    dead.add(3).add(2);
    const lease = await l.lender.acquire(undefined, undefined);
    expect(lease.resource).toBe(1);
    expect(l.destroyed).toEqual([[3, false], [2, false]]);
    dead.add(1);
    await lease.release();
    expect(l.resets).toEqual([]);
    expect(l.destroyed.at(-1)).toEqual([1, false]);
  });

  test("stop() rejects the queue with PoolClosedError and refuses new acquires", async () => {
    const l = setup();
    const queued = l.lender.acquire(undefined, undefined);
    l.lender.stop(() => new PoolClosedError());
    await expect(queued).rejects.toBeInstanceOf(PoolClosedError);
    await expect(l.lender.acquire(undefined, undefined)).rejects.toBeInstanceOf(PoolClosedError);
    expect(live.timers).toBe(0);
  });
});

describe("Lender: shared waiters", () => {
  test("a queued exclusive waiter holds back the shared ones behind it, then they share what it gave back", async () => {
    const l = setup({ max: 1, maxShared: 3 });
    l.stock(1);
    const first = await l.lender.acquireWith({ shared: true });
    const order: string[] = [];
    const exclusive = l.lender.acquireWith(undefined).then((lease) => (order.push("exclusive"), lease));
    const shared = [0, 1].map((i) =>
      l.lender.acquireWith({ shared: true }).then((lease) => (order.push(`s${i}`), lease))
    );
    await Promise.resolve();
    expect(l.lender.queue.size, "resource 1 has room, but nobody overtakes the exclusive waiter").toBe(3);
    expect(l.lender.queue.sharedCount).toBe(2);
    await first.release();
    const lease = await exclusive;
    expect(lease.shared).toBe(false);
    expect(l.lender.queue.sharedCount).toBe(2);
    await lease.release();
    const both = await Promise.all(shared);
    expect(order).toEqual(["exclusive", "s0", "s1"]);
    expect(both.map((b) => b.resource)).toEqual([1, 1]);
    expect(l.books.shared).toBe(2);
  });
});
