import { deepEqual, delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { consistent, type Res, settlesWithin, tracker, waitFor } from "./pool-support.ts";

// What a driver needs from the pool when it lends a connection: a cheap
// liveness check (`isAlive`), a per-lend `setup` with the lease's signal, a
// lease signal tied to the borrower's scope, hooks that cost nothing when
// they return synchronously, and a `use()` whose value outlives a failed reset.
export function poolLendingCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool } = c;
  type Event = InstanceType<typeof c.PoolEvent<Res>>;
  type Conn = Res & { dead: boolean };

  /** A tracker whose resources carry a `dead` flag the cases flip. */
  function conns() {
    const t = tracker();
    const all: Conn[] = [];
    const create = async (signal: AbortSignal) => {
      const r = Object.assign(await t.create(signal), { dead: false });
      all.push(r);
      return r;
    };
    return { t, all, create, destroy: (r: Conn) => t.destroy(r), isAlive: (r: Conn) => !r.dead };
  }

  s.case(
    "PL-65",
    "isAlive: an idle resource found dead is destroyed, never lent, and the acquire gets another",
    async () => {
      const k = conns();
      const pool = createPool<Conn>({ create: k.create, destroy: k.destroy, isAlive: k.isAlive, max: 3 });
      const destroyed: Event[] = [];
      pool.addEventListener("destroy", (e) => destroyed.push(e));
      const leases = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
      for (const l of leases) await l.release();
      k.all[2]!.dead = true; // the top of the idle stack
      k.all[1]!.dead = true;
      const lease = await pool.acquire();
      equal(lease.resource.id, 1, "the first live idle resource");
      deepEqual(k.t.destroyed, [3, 2]);
      equal(destroyed.length, 2, "each dead one is a destroy event");
      consistent(pool);
      lease.resource.dead = true;
      const next = pool.acquire(); // queued: its create is in flight when the dead resource comes back
      await lease.release();
      equal((await next).resource.id, 4, "the dead resource given back was not handed to the waiter");
      equal(pool.stats.destroyed, 3);
      equal(pool.stats.acquires, 5, "dead resources are not counted as lent");
      consistent(pool);
      await (await next).release();
      await pool.close();
    },
  );

  s.case("PL-66", "isAlive: a resource given back dead is destroyed without a reset", async () => {
    const k = conns();
    const resets: number[] = [];
    const pool = createPool<Conn>({
      create: k.create,
      destroy: k.destroy,
      isAlive: k.isAlive,
      reset: (r) => void resets.push(r.id),
      max: 1,
    });
    const lease = await pool.acquire();
    lease.resource.dead = true;
    await lease.release();
    deepEqual(resets, [], "a dead resource is not reset");
    deepEqual(k.t.destroyed, [1]);
    equal(pool.stats.idle, 0);
    await (await pool.acquire()).release();
    deepEqual(resets, [2]);
    await pool.close();
  });

  s.case(
    "PL-67",
    "isAlive: a new resource found dead is a failed create (backoff, error event); a throwing check is an error event",
    async () => {
      const k = conns();
      let creates = 0;
      const pool = createPool<Conn>({
        create: async (signal) => (creates++, Object.assign(await k.create(signal), { dead: true })),
        destroy: k.destroy,
        isAlive: k.isAlive,
        max: 1,
        retryDelay: 20,
        maxRetryDelay: 20,
      });
      const errors: Event[] = [];
      pool.addEventListener("error", (e) => errors.push(e));
      const error = await rejects(pool.acquire({ timeout: 100 }));
      ok(error instanceof Error && /isAlive/.test(error.message), `the acquire hears why: ${error}`);
      ok(creates >= 1 && creates <= 7, `${creates} creates: the backoff holds, no spin`);
      equal(errors[0]?.phase, "create");
      equal(pool.stats.acquires, 0, "nothing dead was lent");
      await waitFor(() => pool.stats.creating === 0 && pool.stats.maintaining === 0, "settled");
      equal(k.t.live.size, 0, "every dead resource destroyed");
      consistent(pool);
      await pool.close();

      const broken = new Error("cannot tell");
      const throwing = createPool<Res>({
        create: tracker().create,
        isAlive: (r) => {
          if (r.id === 1) return true;
          throw broken;
        },
        max: 2,
      });
      const seen: Event[] = [];
      throwing.addEventListener("error", (e) => seen.push(e));
      const destroyed: Event[] = [];
      throwing.addEventListener("destroy", (e) => destroyed.push(e));
      const a = await throwing.acquire();
      equal(await rejects(throwing.acquire()), broken, "a throwing check on a new resource fails its acquire");
      equal(seen.length, 1);
      equal(seen[0]!.phase, "isAlive");
      equal(seen[0]!.error, broken);
      equal(destroyed[0]?.error, broken, "the destroy event says why");
      await a.release();
      await throwing.close();
    },
  );

  s.case(
    "PL-68",
    "a hook that returns synchronously arms no timer; one that returns a promise is bounded",
    async () => {
      const timers: number[] = [];
      let asyncDone = false;
      const pool = createPool<Res>({
        create: tracker().create,
        reset: () => void timers.push(c.diagnostics().timers),
        validate: () => (timers.push(c.diagnostics().timers), true),
        destroy: (r) => {
          timers.push(c.diagnostics().timers);
          if (r.id === 2) return c.sleep(1).then(() => void (asyncDone = true));
        },
        validateAfterIdle: 0,
        idleTimeout: Infinity,
        acquireTimeout: Infinity,
        max: 2,
      });
      await (await pool.acquire()).release(); // reset
      const lease = await pool.acquire(); // validate
      equal(c.diagnostics().timers, 0, "a synchronous hook left nothing behind");
      await lease.destroy(); // destroy, synchronously
      deepEqual(timers, [0, 0, 0], "no grace timer while a synchronous hook ran");
      const other = await pool.acquire();
      const destroying = other.destroy();
      equal(c.diagnostics().timers >= 1, true, "a hook that returned a promise is guarded by its grace timer");
      await destroying;
      ok(asyncDone, "the async destroy ran to its end");
      await pool.close();
    },
  );

  s.case(
    "PL-69",
    "acquire({ signal }) ties the lease's signal to the caller's signal until the lease ends",
    async () => {
      const pool = createPool<Res>({ create: tracker().create, max: 1 });
      const controller = new AbortController();
      const lease = await pool.acquire({ signal: controller.signal });
      const signal = lease.signal;
      equal(signal.aborted, false);
      const stop = new Error("request gone");
      controller.abort(stop);
      equal(signal.aborted, true, "the borrower's scope ended: the lease signal aborts");
      equal(signal.reason, stop);
      ok(lease.active, "the lease itself goes on until it is given back");
      await lease.release();

      const later = new AbortController();
      const held = await pool.acquire();
      const queued = pool.acquire({ signal: later.signal }); // served later, by a release
      await held.release();
      const served = await queued;
      const servedSignal = served.signal;
      equal(c.diagnostics().listeners, 1, "one listener on the caller's signal while the lease is held");
      await served.release();
      equal(c.diagnostics().listeners, 0, "removed when the lease ends");
      later.abort(new Error("too late"));
      equal(servedSignal.aborted, false, "a lease that ended is no longer tied to the caller");

      const scope = new c.CancelScope();
      await scope.run(async () => {
        const ambient = await pool.acquire();
        const s1 = ambient.signal;
        scope.cancel("shutting down");
        equal(s1.aborted, true, "tied to the ambient scope");
        await ambient.release();
      });
      await pool.close();
    },
  );

  s.case("PL-70", "setup runs on every lend with the lease's signal; a throwing setup fails the acquire", async () => {
    const t = tracker();
    const seen: [number, AbortSignal][] = [];
    const bad = new Error("cannot prepare");
    const pool = createPool<Res>({
      create: t.create,
      destroy: t.destroy,
      setup: (r, signal) => {
        if (r.id === 2) throw bad;
        seen.push([r.id, signal]);
      },
      max: 2,
    });
    const errors: Event[] = [];
    pool.addEventListener("error", (e) => errors.push(e));
    const lease = await pool.acquire();
    equal(seen.length, 1, "before acquire() resolved");
    equal(seen[0]![1], lease.signal, "the lease's own signal");
    const value = await pool.use((r, signal) => (equal(seen.at(-1)![1], signal), r.id)).catch((e) => e);
    equal(value, bad, "the acquire rejects with the setup's error");
    equal(errors[0]?.phase, "setup");
    deepEqual(t.destroyed, [2], "the resource it failed on is destroyed");
    await lease.release();
    equal(await pool.use((r, signal) => (equal(seen.at(-1)![1], signal), r.id)), 1, "use() gets the same signal");
    equal(seen.length, 2);
    consistent(pool);
    await pool.close();
  });

  s.case("PL-71", "use() returns its value when the reset after it fails; release() twice resets once", async () => {
    const t = tracker();
    const resets: number[] = [];
    const pool = createPool<Res>({
      create: t.create,
      destroy: t.destroy,
      reset: async (r) => {
        resets.push(r.id);
        await delay(1);
        if (resets.length === 1) throw new Error("session dirty");
      },
      max: 1,
    });
    const errors: Event[] = [];
    pool.addEventListener("error", (e) => errors.push(e));
    equal(await pool.use((r) => `done with ${r.id}`), "done with 1", "the work that finished is not thrown away");
    equal(errors[0]?.phase, "reset");
    deepEqual(t.destroyed, [1], "the connection whose reset failed is gone");
    const lease = await pool.acquire();
    ok(await settlesWithin(Promise.all([lease.release(), lease.release()]), 2_000), "both settle");
    deepEqual(resets, [1, 2], "the second release found the lease ended");
    await pool.close();
  });

  s.case(
    "PL-72",
    "a create that rejects with undefined: ready() keeps rejecting with it, and timeouts carry it as their cause",
    async () => {
      const pool = createPool<Res>({
        create: () => Promise.reject(undefined),
        min: 1,
        max: 1,
        retryDelay: 60_000,
        maxRetryDelay: 60_000,
      });
      const errors: Event[] = [];
      pool.addEventListener("error", (e) => errors.push(e));
      let first: unknown = "pending";
      await pool.ready().catch((e) => (first = e));
      equal(first, undefined, "ready() rejects with the create's undefined");
      const again = pool.ready();
      ok(await settlesWithin(again, 2_000), "a second ready() rejects at once, still below min");
      await rejects(again);
      const timeout = await rejects(pool.acquire({ timeout: 5 }), c.TimeoutError, /creating one failed/);
      ok(Object.hasOwn(timeout as object, "cause"), "the cause is there");
      equal((timeout as Error).cause, undefined);
      equal(errors.length >= 1 && errors[0]!.error === undefined && "error" in errors[0]!, true);
      await pool.close();
    },
  );

  s.case("PL-73", "a destroy event carries error exactly when there was one, undefined included", async () => {
    const pool = createPool<Res>({ create: tracker().create, max: 1, maxUses: 1 });
    const destroyed: Event[] = [];
    pool.addEventListener("destroy", (e) => destroyed.push(e));
    await rejects(pool.use(() => Promise.reject(undefined)));
    await (await pool.acquire()).destroy();
    await (await pool.acquire()).destroy(undefined);
    await (await pool.acquire()).release(); // retired by maxUses
    equal(destroyed.length, 4);
    deepEqual(destroyed.map((e) => "error" in e), [true, false, true, false]);
    ok(destroyed.every((e) => e.error === undefined));
    await pool.close();
  });
}
