import { describe, expect, test } from "vitest";
import { live } from "../../base/live.ts";
import { Closing } from "./pool-closing.ts";
import { Inventory } from "./pool-inventory.ts";
import { PooledResource } from "./pool-resource.ts";

/** Closing alone: the parts record what they are told; the test moves the books. */
function setup(cleanupTimeout = 1_000) {
  const books = new Inventory<number>();
  const log: string[] = [];
  const closing = new Closing<number>(cleanupTimeout, {
    books,
    lender: {
      stop: () => void log.push("lender.stop"),
      cancelLeases: (reason) => void log.push(`cancelLeases ${(reason as Error).message}`),
      revokeAll: () => {
        log.push("revokeAll");
        books.borrowed = 0;
      },
    },
    creator: { stop: (closed) => void log.push(`creator.stop ${closed().name}`) },
    maintenance: {
      running: undefined,
      hooksInClose: 0,
      destroy: (p) => (log.push(`destroy ${p.resource}`), Promise.resolve()),
    },
    upkeep: { stop: () => void log.push("upkeep.stop") },
  });
  return { books, log, closing };
}

describe("Closing", () => {
  test("close() stops every part and destroys the idle at once, then waits for the borrowers", async () => {
    const c = setup();
    c.books.idle.push(new PooledResource<number>({ expired() {} }, 1));
    c.books.borrowed = 1;
    let done = false;
    const closing = c.closing.close(60_000).then(() => (done = true));
    expect(c.closing.close(60_000), "one shutdown promise").toBe(c.closing.shutdown);
    expect(c.log).toEqual(["lender.stop", "creator.stop PoolClosedError", "upkeep.stop", "destroy 1"]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(false);
    c.books.borrowed = 0;
    c.books.changed();
    await closing;
    expect(live.timers).toBe(0);
  });

  test("past its timeout, close() cancels the lease signals, then revokes what is still out", async () => {
    const c = setup(5);
    c.books.borrowed = 1;
    await c.closing.close(5);
    expect(c.log.slice(3)).toEqual([
      "cancelLeases The pool is closing: its close timeout of 5 ms passed while this lease was held",
      "revokeAll",
    ]);
    expect(live.timers).toBe(0);
  });

  test("terminate() during a close cuts it short and returns the same promise", async () => {
    const c = setup(60_000);
    c.books.borrowed = 1;
    const closing = c.closing.close(60_000);
    expect(c.closing.terminate()).toBe(closing);
    await closing;
    expect(c.log).toContain("revokeAll");
    expect(c.log.find((line) => line.startsWith("cancelLeases"))).toMatch(/terminate\(\) was called/);
  });

  test("the drain waits for maintenance that never settles no longer than cleanupTimeout", async () => {
    const c = setup(5);
    c.books.maintaining = 1;
    await c.closing.close(0);
    expect(c.books.maintaining, "still in maintenance: the close gave up on it").toBe(1);
    expect(live.timers).toBe(0);
  });
});
