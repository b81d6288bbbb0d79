/**
 * `checkDriver(harness, factories)`: the behavioural suite every corral
 * driver runs against its real server (like unstorage's `testDriver`). A
 * driver's test file hands it a pool factory and four small operations; the
 * suite registers its cases (ids `DR-01`…) through `harness.test`.
 *
 * It imports no test runner and nothing runtime-specific, and the pool is
 * described structurally (the subset of corral's `Pool` it drives), so any
 * pool with that shape can be checked.
 *
 * @example A driver's whole test entry (vitest)
 * ```ts ignore
 * import { test } from "vitest";
 * import * as corral from "@corral/node";
 * import { checkDriver } from "@corral/conformance";
 * import { factories } from "./factories.ts";
 * checkDriver({ test, corral }, factories);
 * ```
 *
 * @module
 */

import type { Harness } from "./harness.ts";
import { createSuite } from "./suite.ts";
import { deferred, delay, equal, ok, rejects } from "./assert.ts";

/** The lease shape the suite drives (corral's `Lease<T>`). */
export interface DriverLease<T> {
  /** The borrowed resource (a connection). */
  readonly resource: T;
  /** Aborts with the acquire's `signal` (or the ambient one) and when the pool gives up on the lease. */
  readonly signal: AbortSignal;
  /** Gives the resource back to the pool. */
  release(): Promise<void> | void;
  /** Destroys the resource instead of giving it back. */
  destroy(error?: unknown): Promise<void> | void;
}

/** The pool shape the suite drives (a subset of corral's `Pool<T>`). */
export interface DriverPool<T> {
  /** Borrows a resource; `signal` and `timeout` bound the wait. */
  acquire(options?: { signal?: AbortSignal; timeout?: number }): Promise<DriverLease<T>>;
  /** Borrows a resource for the length of `fn`, and gives it back whatever `fn` does. */
  use<R>(fn: (resource: T, signal: AbortSignal) => R | Promise<R>, options?: { signal?: AbortSignal }): Promise<R>;
  /** Stops lending, waits for the leases, destroys every resource. */
  close(options?: { timeout?: number }): Promise<void>;
  /** The counts the suite checks after each case (nothing borrowed, nothing pending). */
  readonly stats: {
    readonly size: number;
    readonly idle: number;
    readonly borrowed: number;
    readonly pending: number;
    readonly created: number;
    readonly destroyed: number;
  };
}

/** What a driver hands {@linkcode checkDriver}. */
export interface DriverFactories<T> {
  /** Names the driver in test titles ("postgres"). */
  name: string;
  /** A fresh pool of real connections holding at most `max`. The suite closes it. */
  makePool(options: { max: number }): DriverPool<T> | Promise<DriverPool<T>>;
  /**
   * An operation that runs for at least 30 s on the server unless `signal`
   * aborts; then it must reject (with the signal's reason) promptly.
   */
  slow(resource: T, signal: AbortSignal): Promise<unknown>;
  /** A quick round trip on the connection; resolves to a value. */
  quick(resource: T, signal: AbortSignal): Promise<unknown>;
  /** Kills this resource's connection from the server side (through another connection). */
  breakConnection(resource: T): Promise<void>;
}

/**
 * Registers the driver cases with `harness.test`. After each case the suite
 * checks that corral holds no timer, link or listener.
 *
 * @param harness the runner's `test` (give it a generous timeout: these
 * cases talk to a real server), the adapter module, and a way to yield
 * @param factories the driver's pool factory and operations
 * @returns the number of cases registered
 */
export function checkDriver<T>(harness: Harness, factories: DriverFactories<T>): number {
  const suite = createSuite({
    ...harness,
    test: (name, fn) => harness.test(`${name} (${factories.name})`, fn),
  });
  const { corral } = suite;
  const { slow, quick, breakConnection } = factories;

  async function withPool(max: number, body: (pool: DriverPool<T>) => Promise<void>): Promise<void> {
    const pool = await factories.makePool({ max });
    let failed = false;
    try {
      await body(pool);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A failing body must not hang on close (a lease it forgot); a passing
      // one must close cleanly.
      await (failed ? pool.close({ timeout: 2000 }).catch(() => {}) : pool.close());
    }
  }

  /** A quick op must finish well before a still-running slow op could (30 s). */
  function quickly(pool: DriverPool<T>): Promise<unknown> {
    return corral.failAfter(10_000, (signal) => pool.use((r, s) => quick(r, s), { signal }));
  }

  suite.case("DR-01", "use() runs a quick operation and returns the connection to the pool", async () => {
    await withPool(2, async (pool) => {
      const value = await pool.use((r, signal) => quick(r, signal));
      ok(value !== undefined, "the quick operation resolves to a value");
      equal(pool.stats.borrowed, 0, "borrowed after use");
      ok(pool.stats.idle >= 1, "the connection is idle again");
    });
  });

  suite.case("DR-02", "a cancelled in-flight call rejects with the scope's reason and releases its slot", async () => {
    await withPool(1, async (pool) => {
      const scope = new corral.CancelScope();
      const started = deferred();
      const call = pool.use((r, signal) => {
        started.resolve();
        return slow(r, signal);
      }, { signal: scope.signal });
      await started.promise;
      await delay(50);
      scope.cancel("driver test");
      const error = await rejects(call);
      equal(error, scope.signal.reason, "the call rejects with the signal's reason");
      scope[Symbol.dispose]();
      ok((await quickly(pool)) !== undefined, "the slot serves the next borrower at once");
      equal(pool.stats.borrowed, 0, "borrowed");
    });
  });

  suite.case(
    "DR-03",
    "a deadline around a slow call cancels it on the server; the next borrower is not blocked",
    async () => {
      await withPool(1, async (pool) => {
        const result = await corral.moveOnAfter(100, (signal) => pool.use((r, s) => slow(r, s), { signal }));
        equal(result, undefined, "moveOnAfter gives up");
        await quickly(pool);
        const error = await rejects(corral.failAfter(100, (signal) => pool.use((r, s) => slow(r, s), { signal })));
        ok(error instanceof corral.TimeoutError, "failAfter throws TimeoutError");
        await quickly(pool);
        equal(pool.stats.borrowed, 0, "borrowed");
      });
    },
  );

  suite.case("DR-04", "a cancelled queued acquire rejects with the reason and takes no slot", async () => {
    await withPool(1, async (pool) => {
      const lease = await pool.acquire();
      const scope = new corral.CancelScope();
      const waiting = pool.acquire({ signal: scope.signal });
      await delay(10);
      equal(pool.stats.pending, 1, "pending while the pool is busy");
      scope.cancel();
      equal(await rejects(waiting), scope.signal.reason, "the acquire rejects with the reason");
      scope[Symbol.dispose]();
      equal(pool.stats.pending, 0, "pending after the cancellation");
      await lease.release();
      await quickly(pool);
    });
  });

  suite.case(
    "DR-05",
    "a connection broken while borrowed fails its call clearly, is destroyed, not reused",
    async () => {
      await withPool(2, async (pool) => {
        let broken: T | undefined;
        const destroyed = pool.stats.destroyed;
        const error = await rejects(pool.use(async (r, signal) => {
          broken = r;
          await breakConnection(r);
          return await quick(r, signal);
        }));
        ok(error instanceof Error && error.message.length > 0, "the borrower gets an Error with a message");
        ok(pool.stats.destroyed > destroyed, "the broken connection was destroyed");
        for (let i = 0; i < 3; i++) {
          await pool.use(async (r, signal) => {
            ok(r !== broken, "the broken connection is never handed out again");
            await quick(r, signal);
          });
        }
        equal(pool.stats.borrowed, 0, "borrowed");
      });
    },
  );

  suite.case("DR-06", "a connection broken while idle is replaced; the pool keeps serving", async () => {
    await withPool(2, async (pool) => {
      const lease = await pool.acquire();
      const idle = lease.resource;
      await lease.release();
      await breakConnection(idle);
      await delay(300);
      for (let i = 0; i < 4; i++) {
        const value = await corral.failAfter(10_000, (signal) => pool.use((r, s) => quick(r, s), { signal }));
        ok(value !== undefined, "serves after the idle connection died");
      }
    });
  });

  suite.case("DR-07", "close() waits for leases, refuses new acquires, then destroys everything", async () => {
    const pool = await factories.makePool({ max: 2 });
    const lease = await pool.acquire();
    let closed = false;
    const closing = pool.close().then(() => {
      closed = true;
    });
    await delay(50);
    equal(closed, false, "close() waits while a lease is out");
    const refused = await rejects(pool.acquire());
    ok(refused instanceof corral.PoolClosedError, "acquire after close() is refused with PoolClosedError");
    await quick(lease.resource, new AbortController().signal);
    await lease.release();
    await closing;
    equal(pool.stats.size, 0, "size after close");
    equal(pool.stats.borrowed, 0, "borrowed after close");
  });

  suite.case("DR-08", "many concurrent calls, some cancelled, leave nothing behind", async () => {
    await withPool(3, async (pool) => {
      const calls: Promise<unknown>[] = [];
      const scopes: InstanceType<typeof corral.CancelScope>[] = [];
      for (let i = 0; i < 12; i++) {
        const scope = new corral.CancelScope();
        scopes.push(scope);
        const op = i % 3 === 0 ? slow : quick;
        calls.push(pool.use((r, s) => op(r, s), { signal: scope.signal }));
      }
      await delay(100);
      scopes.forEach((scope, i) => i % 3 === 0 && scope.cancel());
      const results = await Promise.allSettled(calls);
      results.forEach((result, i) => {
        if (i % 3 === 0) {
          ok(result.status === "rejected", `call ${i} was cancelled`);
          equal(result.reason, scopes[i]!.signal.reason, `call ${i} rejects with its reason`);
        } else ok(result.status === "fulfilled", `call ${i} succeeds`);
      });
      for (const scope of scopes) scope[Symbol.dispose]();
      equal(pool.stats.borrowed, 0, "borrowed");
      equal(pool.stats.pending, 0, "pending");
      ok(pool.stats.size <= 3, "the pool never exceeds max");
    });
  });

  suite.case(
    "DR-09",
    "a lease from acquire({ signal }) aborts with the caller's signal: its slow call stops, the slot serves again",
    async () => {
      await withPool(1, async (pool) => {
        const caller = new AbortController();
        const lease = await pool.acquire({ signal: caller.signal });
        const running = slow(lease.resource, lease.signal);
        await delay(50);
        const reason = new Error("the caller went away");
        caller.abort(reason);
        // A call that ignored the abort would run for 30 s: give up on it well before.
        const error = await corral.failAfter(
          10_000,
          (signal) => corral.abortable(running, { signal }).then(() => undefined, (e: unknown) => e),
        );
        equal(error, reason, "the call rejects with the caller's reason");
        await lease.release();
        ok((await quickly(pool)) !== undefined, "the slot serves the next borrower");
        equal(pool.stats.borrowed, 0, "borrowed");
      });
    },
  );

  return suite.count;
}
