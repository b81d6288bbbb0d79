import { deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { poolSharedLifeCases } from "./pool-shared-life.ts";
import { consistent, tracker } from "./pool-support.ts";

// Shared leases (issue #14): one exclusive lease or up to `maxShared`
// shared ones per resource, never both; one FIFO queue, so exclusive
// acquires are never starved; placement spreads work over `max`.
export function poolSharedCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool, TimeoutError } = c;

  /** How many leases hold each resource id (the leases' own view). */
  const loads = (leases: { resource: { id: number }; active: boolean }[]) => {
    const m = new Map<number, number>();
    for (const l of leases) if (l.active) m.set(l.resource.id, (m.get(l.resource.id) ?? 0) + 1);
    return m;
  };

  s.case(
    "PS-01",
    "maxShared must be a positive integer and 'shared' a boolean, each named with the value",
    async () => {
      const create = () => ({});
      throws(() => createPool({ create, max: 1, maxShared: 0 }), RangeError, /'maxShared'.*received 0/);
      throws(() => createPool({ create, max: 1, maxShared: 1.5 }), RangeError, /'maxShared'.*1\.5/);
      throws(() => createPool({ create, max: 1, maxShared: -2 }), RangeError, /'maxShared'.*-2/);
      throws(() => createPool({ create, max: 1, maxShared: "4" as never }), TypeError, /'maxShared'.*"4"/);
      const pool = createPool({ create, max: 1 });
      await rejects(pool.acquire({ shared: "yes" as never }), TypeError, /'shared' must be a boolean: received "yes"/);
      await rejects(pool.use(() => {}, { shared: 1 as never }), TypeError, /'shared'.*1/);
      equal(pool.stats.acquires, 0);
      await pool.close();
    },
  );

  s.case(
    "PS-02",
    "up to maxShared shared leases hold one resource at once; the next waits for one to leave",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, maxShared: 3 });
      const leases = [
        await pool.acquire({ shared: true }),
        await pool.acquire({ shared: true }),
        await pool.acquire({ shared: true }),
      ];
      ok(leases.every((l) => l.shared && l.resource.id === 1), "three shared leases on resource 1");
      equal(pool.stats.shared, 3);
      equal(pool.stats.borrowed, 1, "a shared resource counts once as borrowed");
      equal(pool.stats.size, 1);
      consistent(pool);
      const fourth = pool.acquire({ shared: true });
      let got = false;
      void fourth.then(() => (got = true));
      await s.tick();
      equal(got, false, "the fourth waits: resource 1 is at maxShared and max is 1");
      equal(pool.stats.pending, 1);
      await leases[1]!.release();
      ok(!leases[1]!.active && leases[0]!.active, "a release ends that lease alone");
      const lease = await fourth;
      equal(lease.resource.id, 1);
      equal(pool.stats.shared, 3);
      for (const l of [leases[0]!, leases[2]!, lease]) await l.release();
      equal(pool.stats.shared, 0);
      equal(pool.stats.idle, 1);
      equal(t.created, 1);
      consistent(pool);
      await pool.close();
    },
  );

  s.case("PS-03", "a resource is never lent exclusively and shared at once, in either order", async () => {
    const pool = createPool({ create: tracker().create, max: 1, maxShared: 4 });
    const shared = await pool.acquire({ shared: true });
    const exclusive = pool.acquire();
    await s.tick();
    equal(pool.stats.pending, 1, "the exclusive acquire waits while a sharer holds the only resource");
    await shared.release();
    const held = await exclusive;
    ok(!held.shared);
    const next = pool.acquire({ shared: true });
    await s.tick();
    equal(pool.stats.pending, 1, "a shared acquire waits while the resource is lent exclusively");
    equal(pool.stats.shared, 0);
    await held.release();
    const lease = await next;
    ok(lease.shared && lease.resource.id === 1);
    await lease.release();
    await pool.close();
  });

  s.case(
    "PS-04",
    "an exclusive acquire behind sharers is served first come, first served; later shared acquires queue behind it",
    async () => {
      const pool = createPool({ create: tracker().create, max: 1, maxShared: 8 });
      const first = [await pool.acquire({ shared: true }), await pool.acquire({ shared: true })];
      const order: string[] = [];
      const exclusive = pool.acquire().then((l) => (order.push("exclusive"), l));
      // A stream of shared acquires: room on the resource, but they must not pile on past the exclusive waiter.
      const stream = Array.from(
        { length: 5 },
        (_, i) => pool.acquire({ shared: true }).then((l) => (order.push(`shared ${i}`), l)),
      );
      await s.tick();
      equal(pool.stats.shared, 2, "no shared acquire overtook the exclusive one");
      equal(pool.stats.pending, 6);
      await first[0]!.release();
      await s.tick();
      equal(order.length, 0, "the exclusive waiter still waits for the last sharer");
      await first[1]!.release();
      const lease = await exclusive;
      await s.tick();
      equal(order.join(), "exclusive", "the shared ones wait while it is held");
      await lease.release();
      const later = await Promise.all(stream);
      equal(order.join(), "exclusive,shared 0,shared 1,shared 2,shared 3,shared 4");
      ok(later.every((l) => l.shared && l.resource.id === 1), "then all five share the resource");
      for (const l of later) await l.release();
      await pool.close();
    },
  );

  s.case("PS-05", "100 shared tasks over max 10 spread over 10 resources within one lease of each other", async () => {
    const pool = createPool({ create: tracker().create, max: 10, maxShared: 16 });
    for (const round of ["cold", "warm"]) {
      const gate = deferred();
      const seen: { resource: { id: number }; active: boolean }[] = [];
      const tasks = Array.from(
        { length: 100 },
        () =>
          pool.use(async (r) => {
            const lease = { resource: r, active: true };
            seen.push(lease);
            await gate.promise;
            lease.active = false;
          }, { shared: true }),
      );
      for (let i = 0; i < 500 && seen.length < 100; i++) await s.tick();
      equal(seen.length, 100, `${round}: every task runs at once`);
      const counts = [...loads(seen).values()];
      equal(counts.length, 10, `${round}: on 10 resources`);
      ok(Math.max(...counts) - Math.min(...counts) <= 1, `${round}: within ±1 of each other: ${counts.join()}`);
      equal(pool.stats.shared, 100);
      equal(pool.stats.borrowed, 10);
      consistent(pool);
      gate.resolve();
      await Promise.all(tasks);
    }
    equal(pool.stats.created, 10);
    await pool.close();
  });

  s.case(
    "PS-06",
    "a shared acquire takes an idle resource first, then the least-loaded one; never one past maxShared",
    async () => {
      const pool = createPool({ create: tracker().create, min: 3, max: 3, maxShared: 3 });
      await pool.ready();
      const leases: Awaited<ReturnType<typeof pool.acquire>>[] = [];
      for (let i = 0; i < 9; i++) {
        leases.push(await pool.acquire({ shared: true }));
        const counts = [...loads(leases).values()];
        equal(counts.length, Math.min(3, i + 1), "idle resources are used before any is shared twice");
        ok(Math.max(...counts) - Math.min(...counts) <= 1, `least loaded first: ${counts.join()}`);
      }
      const gone = leases.splice(4, 1)[0]!;
      const id = gone.resource.id;
      await gone.release();
      const next = await pool.acquire({ shared: true });
      equal(next.resource.id, id, "the only resource below maxShared");
      await rejects(pool.acquire({ shared: true, timeout: 5 }), TimeoutError, /within 5 ms/);
      for (const l of [...leases, next]) await l.release();
      consistent(pool);
      await pool.close();
    },
  );

  s.case("PS-07", "an aborted or timed-out shared acquire leaves the queue without a trace", async () => {
    const pool = createPool({ create: tracker().create, max: 1, maxShared: 1 });
    const held = await pool.acquire({ shared: true });
    const controller = new AbortController();
    const aborted = pool.acquire({ shared: true, signal: controller.signal });
    const timedOut = pool.acquire({ shared: true, timeout: 5 });
    controller.abort(new Error("client left"));
    await rejects(aborted, Error, /client left/);
    await rejects(timedOut, TimeoutError);
    equal(pool.stats.pending, 0);
    await held.release();
    equal(pool.stats.idle, 1);
    await pool.close();
  });

  s.case("PS-19", "a shared acquire with timeout 0 takes a place on a shared resource rather than fail", async () => {
    const pool = createPool({ create: tracker().create, max: 2, maxShared: 2 });
    const first = await pool.acquire({ shared: true });
    const now = await pool.acquire({ shared: true, timeout: 0 });
    equal(now.resource.id, 1, "no waiting for a new resource when it may not wait");
    await rejects(pool.acquire({ shared: true, timeout: 0 }), TimeoutError, /within 0 ms/);
    equal(pool.stats.size, 1);
    await first.release();
    await now.release();
    await pool.close();
  });

  poolSharedLifeCases(s);
}
