import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { TimeoutError } from "../../base/errors.ts";
import { PoolEvents } from "./pool-events.ts";
import { Inventory } from "./pool-inventory.ts";
import { Maintenance } from "./pool-maintenance.ts";
import { resolvePoolOptions } from "./pool-options.ts";
import { GONE, PooledResource } from "./pool-resource.ts";

/** Maintenance alone, with a host that records what it is told. */
function setup(options: Record<string, unknown>) {
  const settings = resolvePoolOptions<number>({ create: () => 0, max: 4, ...options });
  const books = new Inventory<number>();
  const seen: string[] = [];
  const events = new PoolEvents<number>((type, init) => {
    if (type === "error") seen.push(`error ${init.phase}${init.error instanceof TimeoutError ? " (timeout)" : ""}`);
    else seen.push(`${type}${"error" in init ? " (with error)" : ""}`);
  });
  for (const type of ["destroy", "error"]) events.listen(type);
  const offered: number[] = [];
  let pumps = 0;
  const host = { offer: (p: PooledResource<number>) => void offered.push(p.resource), pump: () => void pumps++ };
  const maintenance = new Maintenance<number>(settings, books, events, host);
  const pooled = (id: number) => new PooledResource<number>({ expired() {} }, id);
  return { books, seen, offered, maintenance, pooled, pumps: () => pumps };
}

describe("Maintenance", () => {
  test("a synchronous destroy settles at once with no timer; the books and events say so", () => {
    const m = setup({ destroy: () => {} });
    const p = m.pooled(1);
    m.maintenance.destroy(p, false, undefined);
    expect(p.state).toBe(GONE);
    expect([m.books.maintaining, m.books.destroying, m.books.destroyed]).toEqual([0, 0, 1]);
    expect(m.seen).toEqual(["destroy"]);
    expect(m.pumps()).toBe(1);
    expect(live.timers).toBe(0);
  });

  test("an async destroy counts as maintaining under its grace timer until it settles", async () => {
    let finish!: () => void;
    const m = setup({ destroy: () => new Promise<void>((resolve) => (finish = resolve)) });
    const done = m.maintenance.destroy(m.pooled(1), true, undefined);
    expect([m.books.maintaining, m.books.destroying, live.timers]).toEqual([1, 1, 1]);
    finish();
    await done;
    expect([m.books.maintaining, m.books.destroyed, live.timers]).toEqual([0, 1, 0]);
    expect(m.seen).toEqual(["destroy (with error)"]);
  });

  test("validate: true offers the resource, false destroys it, a throw is an error event", () => {
    const answers = new Map<number, () => unknown>([[1, () => true], [2, () => false], [3, () => {
      throw new Error("ping");
    }]]);
    const m = setup({ validate: (r: number) => answers.get(r)!(), destroy: () => {} });
    for (const id of [1, 2, 3]) m.maintenance.validate(m.pooled(id));
    expect(m.offered).toEqual([1]);
    expect(m.seen).toEqual(["destroy", "error validate", "destroy (with error)"]);
    expect([m.books.validating, m.books.maintaining, m.books.destroyed]).toEqual([0, 0, 2]);
  });

  test("reset: a synchronous one returns nothing to wait for; a failing one destroys with its error", async () => {
    const m = setup({ reset: (r: number) => (r === 2 ? Promise.reject(new Error("dirty")) : undefined) });
    expect(m.maintenance.reset(m.pooled(1))).toBeUndefined();
    expect(m.offered).toEqual([1]);
    await m.maintenance.reset(m.pooled(2));
    expect(m.seen).toEqual(["error reset", "destroy (with error)"]);
  });

  test("a reset that hangs past cleanupTimeout fails with TimeoutError and frees its timer", async () => {
    const m = setup({ reset: () => new Promise(() => {}), cleanupTimeout: 5 });
    await m.maintenance.reset(m.pooled(1));
    expect(m.seen).toEqual(["error reset (timeout)", "destroy (with error)"]);
    expect(m.books.destroyed).toBe(1);
    expect(live.timers).toBe(0);
  });

  test("isAlive: false is dead without an error; a throw is an error event and the error", () => {
    const boom = new Error("cannot tell");
    const m = setup({
      isAlive: (r: number) => {
        if (r === 3) throw boom;
        return r === 1;
      },
    });
    expect(m.maintenance.askAlive(m.pooled(1))).toBeUndefined();
    expect(m.maintenance.askAlive(m.pooled(2))).toEqual({});
    expect(m.maintenance.askAlive(m.pooled(3))).toEqual({ error: boom });
    expect(m.maintenance.keepIfAlive(m.pooled(2))).toBe(false);
    expect(m.seen).toEqual(["error isAlive", "destroy"]);
  });
});
