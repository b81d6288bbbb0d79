import { describe, expect, test } from "vitest";
import { Inventory } from "./pool-inventory.ts";
import { PooledResource } from "./pool-resource.ts";
import { Share } from "./pool-share.ts";
import { ACQUIRE_EVENT, PoolEvents, RELEASE_EVENT } from "./pool-events.ts";

const owner = { expired() {} };
const pooled = (id: number) => new PooledResource<number>(owner, id);

describe("Inventory", () => {
  test("keeps the borrowed list in lend order and unlinks from anywhere", () => {
    const books = new Inventory<number>();
    const all = [1, 2, 3, 4].map(pooled);
    for (const p of all) books.addBorrowed(p);
    books.removeBorrowed(all[0]!);
    books.removeBorrowed(all[2]!);
    const order: number[] = [];
    for (let p = books.firstBorrowed; p; p = p.nextBorrowed) order.push(p.resource);
    expect(order).toEqual([2, 4]);
    expect(books.lastBorrowed?.resource).toBe(4);
    expect(books.borrowed).toBe(2);
    expect(all[0]!.nextBorrowed, "an unlinked resource holds no neighbour").toBeUndefined();
  });

  test("counts what exists and what is alive; the snapshot adds up", () => {
    const books = new Inventory<number>();
    books.idle.push(pooled(1), pooled(2));
    books.addBorrowed(pooled(3));
    books.maintaining = 2;
    books.destroying = 1;
    expect(books.held()).toBe(5);
    expect(books.alive()).toBe(4);
    books.created = 7;
    books.destroyed = 2;
    const stats = books.snapshot(1, 3);
    expect(stats).toMatchObject({ size: 6, idle: 2, borrowed: 1, pending: 3, creating: 1, maintaining: 2 });
    expect(stats.created - stats.destroyed).toBe(stats.idle + stats.borrowed + stats.maintaining);
  });

  test("takes a resource off the idle stack wherever it is, records waits, and reports changes", () => {
    const books = new Inventory<number>();
    const [a, b, c] = [pooled(1), pooled(2), pooled(3)];
    books.idle.push(a, b, c);
    expect(books.removeIdle(b)).toBe(true);
    expect(books.removeIdle(b)).toBe(false);
    expect(books.idle).toEqual([a, c]);
    books.recordWait(5);
    books.recordWait(2);
    expect([books.waits, books.totalWaitTime, books.maxWaitTime]).toEqual([2, 7, 5]);
    let changes = 0;
    books.changed();
    books.onChange = () => changes++;
    books.changed();
    expect(changes).toBe(1);
  });
});

describe("PoolEvents", () => {
  test("dispatches only the types somebody listens to", () => {
    const seen: string[] = [];
    const events = new PoolEvents<number>((type) => seen.push(type));
    events.emit("acquire", { resource: 1 });
    expect(events.hears(ACQUIRE_EVENT)).toBe(false);
    events.listen("acquire");
    events.listen("not-a-pool-event");
    expect(events.hears(ACQUIRE_EVENT)).toBe(true);
    expect(events.hears(RELEASE_EVENT)).toBe(false);
    events.emit("acquire", { resource: 1 });
    events.emit("release", { resource: 1 });
    expect(seen).toEqual(["acquire"]);
  });
});

describe("Inventory: shared resources", () => {
  test("a shared resource counts once as borrowed; its shares are listed in lend order", () => {
    const books = new Inventory<number>();
    const [a, b, c] = [1, 2, 3].map(pooled);
    for (const p of [a!, b!, c!]) books.startSharing(p);
    expect(books.borrowed).toBe(3);
    books.stopSharing(a!);
    expect(books.sharing.map((p) => p.resource).sort()).toEqual([2, 3]);
    for (const p of books.sharing) expect(books.sharing[p.shareIndex]).toBe(p);
    expect(a!.shareIndex).toBe(-1);
    const shares = [b!, b!, c!].map((p) => new Share<number>(p, undefined));
    for (const s of shares) books.addShare(s);
    books.removeShare(shares[1]!);
    const order: number[] = [];
    for (let s = books.firstShare; s; s = s.nextBorrowed) order.push(s.resource);
    expect(order).toEqual([2, 3]);
    expect(books.shared).toBe(2);
    expect(books.snapshot(0, 0).shared).toBe(2);
  });
});
