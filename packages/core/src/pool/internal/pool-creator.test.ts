import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { PoolClosedError } from "../../base/errors.ts";
import { Creator } from "./pool-creator.ts";
import { PoolEvents } from "./pool-events.ts";
import { Inventory } from "./pool-inventory.ts";
import { resolvePoolOptions } from "./pool-options.ts";
import type { PooledResource } from "./pool-resource.ts";
import { Waiter, WaitQueue } from "./pool-waiters.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Creation alone: a host that parks what arrives and rejects the waiters it
 * is told to fail, fake maintenance (isAlive from `dead`, destroy recorded).
 */
function setup(options: Record<string, unknown>, dead: (r: number) => boolean = () => false) {
  const settings = resolvePoolOptions<number>({ max: 4, retryDelay: 20, maxRetryDelay: 20, ...options });
  const books = new Inventory<number>();
  const failed: [number, unknown][] = [];
  const host = {
    offerAlive: (p: PooledResource<number>) => void books.idle.push(p),
    leave: (w: Waiter<number>, reason: unknown) => {
      queue.remove(w);
      failed.push([(w as Waiter<number> & { id: number }).id, reason]);
    },
    pump: () => {},
  };
  const queue: WaitQueue<number> = new WaitQueue<number>(host);
  const errors: unknown[] = [];
  const events = new PoolEvents<number>((_type, init) => errors.push(init.error));
  events.listen("error");
  const destroyed: number[] = [];
  const maintenance = {
    askAlive: (p: PooledResource<number>) => (dead(p.resource) ? {} : undefined),
    destroy: (p: PooledResource<number>) => (destroyed.push(p.resource), Promise.resolve()),
  };
  const upkeep = { born() {}, expired() {} };
  const creator = new Creator<number>(settings, { books, queue, events, maintenance, upkeep, host });
  const wait = (id: number) => {
    const w = Object.assign(new Waiter<number>(host, () => {}, () => {}, undefined), { id });
    queue.push(w, 0, Infinity, false);
    return w;
  };
  return { books, queue, creator, failed, errors, destroyed, wait };
}

describe("Creator", () => {
  test("a create's resource is handed to the host; creating counts until it settles", async () => {
    let n = 0;
    const c = setup({ create: () => Promise.resolve(++n) });
    c.creator.start(undefined);
    expect(c.creator.creating).toBe(1);
    await tick();
    expect(c.creator.creating).toBe(0);
    expect(c.books.idle.map((p) => p.resource)).toEqual([1]);
    expect(c.books.created).toBe(1);
  });

  test("a failure reaches the waiter it was started for, then the backoff holds the next create", async () => {
    const boom = new Error("refused");
    const c = setup({ create: () => Promise.reject(boom) });
    const first = c.wait(1);
    c.wait(2);
    c.creator.start(first);
    await tick();
    expect(c.failed).toEqual([[1, boom]]);
    expect(c.errors).toEqual([boom]);
    expect(c.creator.failures).toBe(1);
    expect(c.creator.lastError).toBe(boom);
    expect(c.creator.mayCreate(), "within retryDelay").toBe(false);
    expect(live.timers, "the backoff timer, for the waiter still queued").toBe(1);
    c.creator.stop(() => new PoolClosedError());
    expect(live.timers).toBe(0);
  });

  test("a new resource isAlive calls dead is destroyed and counted as a failed create", async () => {
    const c = setup({ create: () => 9, isAlive: () => false }, () => true);
    const w = c.wait(1);
    c.creator.start(w);
    await tick();
    expect(c.destroyed).toEqual([9]);
    expect(c.failed[0]?.[0]).toBe(1);
    expect(String(c.failed[0]?.[1])).toMatch(/isAlive/);
    expect(c.creator.failures).toBe(1);
    expect(c.books.idle).toEqual([]);
    c.creator.stop(() => new PoolClosedError());
  });

  test("fill() creates toward min; ready() resolves once min exist and rejects with a fill failure", async () => {
    let n = 0;
    const c = setup({ create: () => ++n, min: 2 });
    const ready = c.creator.ready(undefined);
    c.creator.fill();
    expect(c.creator.creating).toBe(2);
    await ready;
    expect(c.books.alive()).toBe(2);
    const failing = setup({ create: () => Promise.reject(undefined), min: 1 });
    failing.creator.fill();
    await tick();
    await expect(failing.creator.ready(undefined)).rejects.toBeUndefined();
    failing.creator.stop(() => new PoolClosedError());
  });

  test("trim() cancels the create of a waiter that left when nobody else needs it; stop() cancels the rest", async () => {
    const signals: AbortSignal[] = [];
    const c = setup({ create: (signal: AbortSignal) => (signals.push(signal), new Promise(() => {})) });
    const a = c.wait(1);
    const b = c.wait(2);
    c.creator.start(a);
    c.creator.start(b);
    c.queue.remove(a);
    c.creator.trim(a, new Error("left"), 0);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    expect(c.creator.live()).toBe(1);
    c.creator.stop(() => new PoolClosedError());
    expect(signals[1]!.reason).toBeInstanceOf(PoolClosedError);
    await expect(c.creator.ready(undefined)).rejects.toBeInstanceOf(PoolClosedError);
  });
});
