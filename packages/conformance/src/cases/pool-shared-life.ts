import { deepEqual, deferred, delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { consistent, type Res, tracker, waitFor } from "./pool-support.ts";

// Shared leases and a resource's life: destroy(error), validate, reset,
// maxUses, maxLifetime, idleTimeout, leakTimeout, close, terminate, events,
// setup and use().
export function poolSharedLifeCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool, PoolClosedError } = c;
  type Event = InstanceType<typeof c.PoolEvent<Res>>;

  s.case(
    "PS-08",
    "a shared lease's destroy(error) retires the resource: no new sharers; destroyed with the error once the last leaves",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 2, maxShared: 4 });
      const destroyed: Event[] = [];
      pool.addEventListener("destroy", (e) => destroyed.push(e));
      const leases: Awaited<ReturnType<typeof pool.acquire>>[] = [];
      for (let i = 0; i < 4; i++) leases.push(await pool.acquire({ shared: true }));
      const onOne = leases.filter((l) => l.resource.id === 1);
      equal(onOne.length, 2, "two sharers on each resource");
      const broken = new Error("protocol out of sync");
      await onOne[0]!.destroy(broken);
      ok(!onOne[0]!.active && onOne[1]!.active, "the other sharer keeps its lease");
      deepEqual(t.destroyed, [], "not destroyed under its other sharer");
      const more = [await pool.acquire({ shared: true }), await pool.acquire({ shared: true })];
      ok(more.every((l) => l.resource.id === 2), "new sharers never get the retired resource");
      const waiting = pool.acquire({ shared: true });
      await s.tick();
      equal(pool.stats.pending, 1, "resource 2 is full and resource 1 retired");
      await onOne[1]!.release();
      deepEqual(t.destroyed, [1], "destroyed once its last sharer left");
      equal(destroyed.length, 1);
      equal(destroyed[0]!.error, broken, "with the error destroy() was given");
      const lease = await waiting;
      equal(lease.resource.id, 3, "the waiter gets a new resource");
      for (const l of [...leases.filter((l) => l.active), ...more, lease]) await l.release();
      consistent(pool);
      await pool.close();
    },
  );

  s.case("PS-09", "validate runs before a resource's first sharer, reset after its last", async () => {
    let checks = 0;
    const resets: number[] = [];
    const pool = createPool({
      create: tracker().create,
      validate: () => (checks++, true),
      validateAfterIdle: 0,
      reset: (r: Res) => void resets.push(r.id),
      max: 1,
      maxShared: 3,
    });
    await (await pool.acquire()).release();
    equal(resets.length, 1);
    const a = await pool.acquire({ shared: true });
    equal(checks, 1, "validated when it came off the idle stack");
    const b = await pool.acquire({ shared: true });
    const cc = await pool.acquire({ shared: true });
    equal(checks, 1, "not again for the second and third sharers");
    await a.release();
    await cc.release();
    equal(resets.length, 1, "no reset while a sharer remains");
    await b.release();
    equal(resets.length, 2, "reset once, after the last sharer");
    await pool.close();
  });

  s.case("PS-10", "maxUses counts every shared lease; the resource is retired, not piled on", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, maxShared: 5, maxUses: 3 });
    const leases: Awaited<ReturnType<typeof pool.acquire>>[] = [];
    for (let i = 0; i < 3; i++) leases.push(await pool.acquire({ shared: true }));
    const fourth = pool.acquire({ shared: true });
    await s.tick();
    equal(pool.stats.pending, 1, "three uses: no fourth sharer");
    await leases[0]!.release();
    await leases[1]!.release();
    deepEqual(t.destroyed, []);
    await leases[2]!.release();
    deepEqual(t.destroyed, [1], "destroyed after its last sharer");
    const lease = await fourth;
    equal(lease.resource.id, 2);
    await lease.release();
    await pool.close();
  });

  s.case("PS-11", "maxLifetime: a shared resource past it takes no new sharers and goes with its last", async () => {
    const t = tracker();
    const pool = createPool({
      create: t.create,
      destroy: t.destroy,
      max: 1,
      maxShared: 3,
      maxLifetime: 20,
      maxLifetimeJitter: 0,
    });
    const first = await pool.acquire({ shared: true });
    await delay(40);
    const next = pool.acquire({ shared: true });
    await s.tick();
    equal(pool.stats.pending, 1, "the expired resource takes no new sharer");
    await first.release();
    deepEqual(t.destroyed, [1]);
    const lease = await next;
    equal(lease.resource.id, 2);
    await lease.release();
    await pool.close();
  });

  s.case(
    "PS-12",
    "idleTimeout evicts a resource once its last sharer has left; leakTimeout reports each share",
    async () => {
      const t = tracker();
      const pool = createPool({
        create: t.create,
        destroy: t.destroy,
        max: 1,
        maxShared: 2,
        idleTimeout: 20,
        leakTimeout: 15,
      });
      const leaks: Event[] = [];
      pool.addEventListener("leak", (e) => leaks.push(e));
      const a = await pool.acquire({ shared: true });
      const b = await pool.acquire({ shared: true });
      await waitFor(() => leaks.length === 2, "a leak event for each shared lease");
      ok(leaks.every((e) => e.resource!.id === 1 && typeof e.stack === "string" && e.heldFor! >= 15));
      await a.release();
      await delay(50);
      equal(pool.stats.size, 1, "not evicted while a sharer holds it");
      await b.release();
      await waitFor(() => pool.stats.size === 0, "evicted after idleTimeout");
      deepEqual(t.destroyed, [1]);
      equal(leaks.length, 2);
      await pool.close();
    },
  );

  s.case(
    "PS-13",
    "close({ timeout }) waits for sharers, then aborts each shared lease's signal, then revokes the rest",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, maxShared: 2, cleanupTimeout: 30 });
      const a = await pool.acquire({ shared: true });
      const b = await pool.acquire({ shared: true });
      const signals = [a.signal, b.signal];
      const closing = pool.close({ timeout: 10 });
      await rejects(pool.acquire({ shared: true }), PoolClosedError);
      equal(signals[0]!.aborted, false, "borrowers get the close timeout first");
      await waitFor(() => signals.every((x) => x.aborted), "both lease signals abort after the timeout");
      ok(signals[0]!.reason instanceof PoolClosedError);
      await a.release();
      deepEqual(t.destroyed, [], "not destroyed under the other sharer");
      await closing;
      ok(!b.active, "the sharer that never released was revoked");
      deepEqual(t.destroyed, [1], "destroyed once");
      equal(pool.stats.shared, 0);
      equal(pool.stats.size, 0);
    },
  );

  s.case("PS-14", "terminate() revokes every shared lease at once and destroys the resource once", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, maxShared: 2 });
    const leases = [await pool.acquire({ shared: true }), await pool.acquire({ shared: true })];
    const waiting = pool.acquire({ shared: true, timeout: 60_000 });
    const other = pool.acquire();
    await s.tick();
    equal(pool.stats.pending, 2, "the resource is at maxShared: both wait");
    await pool.terminate();
    await rejects(waiting, PoolClosedError);
    await rejects(other, PoolClosedError);
    ok(leases.every((l) => !l.active), "both shared leases revoked");
    await leases[0]!.release(); // a no-op now
    deepEqual(t.destroyed, [1]);
    equal(pool.stats.size, 0);
    equal(pool.stats.shared, 0);
  });

  s.case(
    "PS-15",
    "acquire and release events fire per shared lease, with stats that add up inside listeners",
    async () => {
      const pool = createPool({ create: tracker().create, max: 1, maxShared: 2 });
      const seen: string[] = [];
      const look = (type: string) => () => {
        consistent(pool);
        const { shared, borrowed, maintaining } = pool.stats;
        seen.push(`${type} shared=${shared} borrowed=${borrowed} maintaining=${maintaining}`);
      };
      pool.addEventListener("acquire", look("acquire"));
      pool.addEventListener("release", look("release"));
      const a = await pool.acquire({ shared: true });
      const b = await pool.acquire({ shared: true });
      await a.release();
      await b.release();
      deepEqual(seen, [
        "acquire shared=1 borrowed=1 maintaining=0",
        "acquire shared=2 borrowed=1 maintaining=0",
        "release shared=1 borrowed=1 maintaining=0",
        "release shared=0 borrowed=0 maintaining=1",
      ]);
      await pool.close();
    },
  );

  s.case(
    "PS-16",
    "setup runs for exclusive leases only; each shared lease's own signal aborts with its borrower alone",
    async () => {
      const prepared: AbortSignal[] = [];
      const pool = createPool({
        create: tracker().create,
        setup: (_r: Res, signal: AbortSignal) => void prepared.push(signal),
        max: 1,
        maxShared: 2,
      });
      const ca = new AbortController();
      const cb = new AbortController();
      const a = await pool.acquire({ shared: true, signal: ca.signal });
      const b = await pool.acquire({ shared: true, signal: cb.signal });
      equal(prepared.length, 0, "a shared resource is one object for all its sharers: setup is not called");
      ok(a.signal !== b.signal, "each lease its own signal");
      ca.abort(new Error("request a went away"));
      ok(a.signal.aborted && !b.signal.aborted, "a neighbour's abort does not reach this lease");
      ok(a.active, "the lease stays active until released");
      await a.release();
      await b.release();
      const c = await pool.acquire();
      const count: number = prepared.length;
      ok(count === 1 && prepared[0] === c.signal, "an exclusive lease is set up with its own signal");
      await c.release();
      await pool.close();
    },
  );

  s.case(
    "PS-17",
    "use(fn, { shared: true }): a failing fn retires the resource; its neighbour finishes; isBroken false keeps it",
    async () => {
      const t = tracker();
      const pool = createPool({
        create: t.create,
        destroy: t.destroy,
        isBroken: (e: unknown) => (e as Error).message !== "harmless",
        max: 1,
        maxShared: 3,
      });
      const gate = deferred();
      const slow = pool.use(async (r) => (await gate.promise, r.id), { shared: true });
      await rejects(pool.use(() => Promise.reject(new Error("harmless")), { shared: true }), Error, /harmless/);
      equal(await pool.use((r) => r.id, { shared: true }), 1, "isBroken false: still shared");
      await rejects(pool.use(() => Promise.reject(new Error("broken pipe")), { shared: true }), Error, /broken/);
      const next = pool.use((r) => r.id, { shared: true });
      await s.tick();
      equal(pool.stats.pending, 1, "the broken resource takes no new sharer");
      deepEqual(t.destroyed, []);
      gate.resolve();
      equal(await slow, 1, "the neighbour's work finished on it");
      equal(await next, 2);
      deepEqual(t.destroyed, [1]);
      await pool.close();
    },
  );

  s.case("PS-18", "isAlive: a shared resource found dead takes no new sharer and goes with its last", async () => {
    const t = tracker();
    const dead = new Set<number>();
    const pool = createPool({
      create: t.create,
      destroy: t.destroy,
      isAlive: (r: Res) => !dead.has(r.id),
      max: 1,
      maxShared: 3,
    });
    const a = await pool.acquire({ shared: true });
    dead.add(1);
    const b = pool.acquire({ shared: true });
    await s.tick();
    equal(pool.stats.pending, 1, "never lent a dead resource");
    await a.release();
    deepEqual(t.destroyed, [1]);
    const lease = await b;
    equal(lease.resource.id, 2);
    await lease.release();
    await pool.close();
  });
}
