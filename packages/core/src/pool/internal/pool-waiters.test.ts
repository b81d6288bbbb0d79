import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { Waiter, type WaiterOwner, WaitQueue } from "./pool-waiters.ts";

class Owner implements WaiterOwner<number> {
  left: [Waiter<number>, boolean][] = [];
  queue: WaitQueue<number> = new WaitQueue<number>(this);
  leave(w: Waiter<number>, _reason: unknown, timedOut: boolean): void {
    if (!w.queued) return;
    this.queue.remove(w);
    this.left.push([w, timedOut]);
  }
}

const waiter = (owner: Owner) => new Waiter<number>(owner, () => {}, () => {}, undefined);

describe("WaitQueue", () => {
  test("keeps FIFO order and unlinks from anywhere in O(1)", () => {
    const owner = new Owner();
    const ws = [1, 2, 3, 4].map(() => waiter(owner));
    for (const w of ws) owner.queue.push(w, 0, Infinity, false);
    owner.queue.remove(ws[1]!);
    owner.queue.remove(ws[3]!);
    const order: Waiter<number>[] = [];
    for (let w = owner.queue.head; w; w = w.queueNext) order.push(w);
    expect(order).toEqual([ws[0], ws[2]]);
    expect(owner.queue.size).toBe(2);
  });

  test("one timer covers every waiter on the pool-wide timeout; own timeouts get their own", () => {
    const owner = new Owner();
    const t = performance.now();
    const shared = Array.from({ length: 100 }, () => waiter(owner));
    for (const w of shared) owner.queue.push(w, t, 60_000, false);
    expect(live.timers).toBe(1);
    const own = waiter(owner);
    owner.queue.push(own, t, 30_000, true);
    expect(live.timers).toBe(2);
    for (const w of [...shared, own]) owner.queue.remove(w);
    expect(live.timers).toBe(0);
  });

  test("the queue timer times out the oldest waiters in order and re-arms for the next", async () => {
    const owner = new Owner();
    const t = performance.now();
    const early = [waiter(owner), waiter(owner)];
    const own = waiter(owner);
    const late = waiter(owner);
    owner.queue.push(early[0]!, t, 5, false);
    owner.queue.push(own, t, 60_000, true);
    owner.queue.push(early[1]!, t, 5, false);
    owner.queue.push(late, t + 60_000, 5, false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(owner.left).toEqual([[early[0], true], [early[1], true]]);
    expect(owner.queue.size).toBe(2);
    expect(live.timers).toBe(2);
    owner.queue.remove(own);
    owner.queue.remove(late);
    expect(live.timers).toBe(0);
  });
});

describe("WaitQueue: shared waiters", () => {
  test("counts the queued waiters that want a shared lease", () => {
    const owner = new Owner();
    const ws = [true, false, true].map((shared) => Object.assign(waiter(owner), { shared }));
    for (const w of ws) owner.queue.push(w, 0, Infinity, false);
    expect(owner.queue.sharedCount).toBe(2);
    owner.queue.remove(ws[0]!);
    owner.queue.remove(ws[1]!);
    expect(owner.queue.sharedCount).toBe(1);
    owner.queue.remove(ws[2]!);
    expect(owner.queue.sharedCount).toBe(0);
  });
});
