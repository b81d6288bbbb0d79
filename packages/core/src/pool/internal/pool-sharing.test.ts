import { describe, expect, test } from "vitest";
import { PoolEvents } from "./pool-events.ts";
import { Inventory } from "./pool-inventory.ts";
import { resolvePoolOptions } from "./pool-options.ts";
import { IDLE, type LeaseRecord, PooledResource, SHARED } from "./pool-resource.ts";
import { Sharing, type SharingHost } from "./pool-sharing.ts";
import { WaitQueue } from "./pool-waiters.ts";

/**
 * Sharing alone: the books are real, creation is a few numbers the tests
 * set, maintenance and the host record what they are asked to do.
 */
function setup(options: Record<string, unknown> = {}) {
  const settings = resolvePoolOptions<number>({ create: () => 0, max: 3, maxShared: 3, ...options });
  const books = new Inventory<number>();
  const creator = { creating: 0, live: () => creator.inFlight, mayCreate: () => creator.may, inFlight: 0, may: true };
  const destroyed: [number, boolean, unknown][] = [];
  const offered: number[] = [];
  const resets: number[] = [];
  let pumps = 0;
  const queue = new WaitQueue<number>({ leave() {} });
  const host: SharingHost<number> = {
    queue,
    open: true,
    enqueue: () => Promise.reject(new Error("queued")),
    dropDead: () => books.idle.length,
    pump: () => void pumps++,
    offer: (p) => void offered.push(p.resource),
    leaseSignal: (_r: LeaseRecord<number>) => new AbortController().signal,
    announceRelease() {},
  };
  const sharing = new Sharing<number>(settings, {
    books,
    events: new PoolEvents<number>(() => {}),
    creator,
    maintenance: {
      askAlive: (p) => (settings.isAlive!(p.resource) ? undefined : {}),
      reset: (p) => (resets.push(p.resource), undefined),
      destroy: (p, hasError, error) => (destroyed.push([p.resource, hasError, error]), Promise.resolve()),
    },
    upkeep: { lent() {}, noneBorrowed() {}, needsValidation: () => false },
    host,
  });
  const resource = (id: number) => new PooledResource<number>({ expired() {} }, id);
  const park = (...ids: number[]) => {
    for (const id of ids) books.idle.push(Object.assign(resource(id), { state: IDLE }));
  };
  return { settings, books, creator, sharing, destroyed, offered, resets, resource, park, pumps: () => pumps };
}

describe("Sharing", () => {
  test("a shared acquire takes the warmest idle resource, then piles on nothing while it may create", async () => {
    const s = setup();
    s.park(1, 2);
    const a = await s.sharing.acquire(undefined, undefined);
    expect(a.shared).toBe(true);
    expect(a.resource).toBe(2);
    expect(s.books.sharing.map((p) => p.resource)).toEqual([2]);
    expect(s.books.sharing[0]!.state).toBe(SHARED);
    expect(s.books.borrowed).toBe(1);
    expect(s.books.shared).toBe(1);
    expect((await s.sharing.acquire(undefined, undefined)).resource).toBe(1);
    // Nothing idle and room under max: it waits for a new resource rather than share one.
    await expect(s.sharing.acquire(undefined, undefined)).rejects.toThrow("queued");
  });

  test("place picks the least-loaded resource below maxShared, skipping retired ones and those at maxUses", () => {
    const s = setup({ maxUses: 5 });
    s.creator.may = false;
    const [r1, r2, r3] = [1, 2, 3].map(s.resource);
    for (const r of [r1!, r2!, r3!]) s.sharing.lend(r, undefined, undefined);
    s.sharing.lend(r1!, undefined, undefined);
    expect(s.sharing.place(1)?.resource, "2 and 3 hold one sharer each").toBe(2);
    r2!.retired = true;
    expect(s.sharing.place(1)?.resource).toBe(3);
    r3!.uses = 5;
    expect(s.sharing.place(1)?.resource, "resource 1, with two, is all that is left").toBe(1);
    s.sharing.lend(r1!, undefined, undefined);
    expect(s.sharing.place(1), "resource 1 is at maxShared").toBeUndefined();
  });

  test("with creates in flight a resource takes sharers only up to its fair part", () => {
    const s = setup({ max: 2, maxShared: 16 });
    s.creator.may = false;
    s.creator.inFlight = 1; // one more resource is on its way
    const r1 = s.resource(1);
    s.sharing.lend(r1, undefined, undefined);
    // 1 out + 9 waiting over 2 resources: 5 each.
    for (let n = 1; n < 5; n++) {
      expect(s.sharing.place(10 - n)?.resource).toBe(1);
      s.sharing.lend(r1, undefined, undefined);
    }
    expect(r1.sharers).toBe(5);
    expect(s.sharing.place(5), "the other five wait for the new resource").toBeUndefined();
    s.creator.inFlight = 0;
    expect(s.sharing.place(5)?.resource, "with nothing on its way, they pile on").toBe(1);
  });

  test("a resource isAlive says is dead is retired, never placed, and goes with its last sharer", async () => {
    const dead = new Set<number>();
    const s = setup({ isAlive: (r: number) => !dead.has(r) });
    s.creator.may = false;
    const r1 = s.resource(1);
    const r2 = s.resource(2);
    const a = s.sharing.lend(r1, undefined, undefined);
    s.sharing.lend(r2, undefined, undefined);
    s.sharing.lend(r2, undefined, undefined);
    dead.add(1);
    expect(s.sharing.place(1)?.resource, "the busier live one").toBe(2);
    expect(r1.retired && r1.broken).toBe(true);
    await a.release();
    expect(s.destroyed).toEqual([[1, false, undefined]]);
    expect(s.offered).toEqual([]);
  });

  test("release: a sharer that is not the last pumps the queue; the last resets the resource", async () => {
    const s = setup({ reset: () => {} });
    const r1 = s.resource(1);
    const a = s.sharing.lend(r1, undefined, undefined);
    const b = s.sharing.lend(r1, undefined, undefined);
    s.books.idle.length = 0;
    await a.release();
    expect(a.active).toBe(false);
    expect(b.active).toBe(true);
    expect(s.resets).toEqual([]);
    expect(s.books.shared).toBe(1);
    expect(s.books.borrowed).toBe(1);
    await b.release();
    expect(s.resets).toEqual([1]);
    expect(s.books.sharing).toEqual([]);
    expect(s.books.borrowed).toBe(0);
    expect(r1.shareIndex).toBe(-1);
    await b.release(); // a second end does nothing
    expect(s.resets).toEqual([1]);
  });

  test("destroy(error) retires: destroyed with the first error once the last sharer leaves, never reset", async () => {
    const s = setup({ reset: () => {} });
    const r1 = s.resource(1);
    const [a, b, c] = [0, 1, 2].map(() => s.sharing.lend(r1, undefined, undefined));
    const first = new Error("first");
    await a!.destroy(first);
    await b!.destroy(new Error("second"));
    expect(s.destroyed).toEqual([]);
    await c!.release();
    expect(s.destroyed).toEqual([[1, true, first]]);
    expect(s.resets).toEqual([]);
  });

  test("revokeAll ends every shared lease and destroys each resource once", () => {
    const s = setup();
    const r1 = s.resource(1);
    const r2 = s.resource(2);
    const leases = [r1, r1, r2].map((r) => s.sharing.lend(r, undefined, undefined));
    s.sharing.revokeAll("a test");
    expect(leases.every((l) => !l.active)).toBe(true);
    expect(s.destroyed.map(([id, hasError]) => [id, hasError])).toEqual([[1, true], [2, true]]);
    expect(s.books.shared).toBe(0);
    expect(s.books.borrowed).toBe(0);
  });
});
