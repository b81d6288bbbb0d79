import { delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { consistent, type Res, tracker, waitFor } from "./pool-support.ts";

// Validation, reset, retirement, eviction, leaks, events and use().
export function poolUpkeepCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool } = c;
  type Event = InstanceType<typeof c.PoolEvent<Res>>;

  s.case("PL-22", "validate runs on borrow after the idle threshold; a rejected resource is replaced", async () => {
    const t = tracker();
    let checks = 0;
    const pool = createPool({
      create: t.create,
      destroy: t.destroy,
      validate: () => (checks++, false),
      validateAfterIdle: 10,
      max: 2,
    });
    await (await pool.acquire()).release();
    equal(checks, 0, "a fresh resource is not validated");
    await delay(25);
    const lease = await pool.acquire();
    equal(checks, 1);
    equal(lease.resource.id, 2);
    equal(t.destroyed.join(), "1");
    await lease.release();
    await pool.close();
  });

  s.case("PL-23", "validate is skipped for a resource idle less than validateAfterIdle", async () => {
    let checks = 0;
    const pool = createPool({ create: tracker().create, validate: () => (checks++, true), max: 1 });
    for (let i = 0; i < 3; i++) await (await pool.acquire()).release();
    equal(checks, 0, "default threshold is 500 ms or less, and these were idle for less");
    await pool.close();
  });

  s.case(
    "PL-24",
    "a throwing validate is an error event; the resource is destroyed and the acquire still succeeds",
    async () => {
      const t = tracker();
      const bad = new Error("ping failed");
      const pool = createPool({
        create: t.create,
        destroy: t.destroy,
        validate: (r: Res) => {
          if (r.id === 1) throw bad;
        },
        validateAfterIdle: 0,
        max: 1,
      });
      const errors: Event[] = [];
      pool.addEventListener("error", (e) => errors.push(e));
      await (await pool.acquire()).release();
      const lease = await pool.acquire();
      equal(lease.resource.id, 2);
      equal(errors.length, 1);
      equal(errors[0]!.phase, "validate");
      equal(errors[0]!.error, bad);
      await lease.release();
      await pool.close();
    },
  );

  s.case("PL-25", "reset runs on release before reuse; a failing reset destroys the resource", async () => {
    const t = tracker();
    const resets: number[] = [];
    const pool = createPool({
      create: t.create,
      destroy: t.destroy,
      reset: async (r: Res, signal: AbortSignal) => {
        ok(signal instanceof AbortSignal, "reset gets a signal");
        await delay(1);
        resets.push(r.id);
        if (resets.length === 2) throw new Error("dirty");
      },
      max: 1,
    });
    const errors: Event[] = [];
    pool.addEventListener("error", (e) => errors.push(e));
    await (await pool.acquire()).release();
    equal(resets.join(), "1", "release resolved after the reset");
    equal(pool.stats.idle, 1);
    await (await pool.acquire()).release();
    equal(t.destroyed.join(), "1", "the failing reset destroyed it");
    equal(errors[0]?.phase, "reset");
    equal((await pool.acquire().then((l) => (l.release(), l))).active, false);
    equal(t.created, 2);
    await pool.close();
  });

  s.case("PL-26", "maxUses retires a resource after that many leases", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, maxUses: 2, max: 1 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const lease = await pool.acquire();
      ids.push(lease.resource.id);
      await lease.release();
    }
    equal(ids.join(), "1,1,2,2,3");
    equal(t.destroyed.join(), "1,2");
    await pool.close();
  });

  s.case("PL-27", "idleTimeout destroys idle resources above min, oldest first", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, min: 1, max: 3, idleTimeout: 20 });
    const leases = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
    for (const l of leases) await l.release();
    await waitFor(() => pool.stats.idle === 1, "shrunk to min");
    await delay(60);
    equal(pool.stats.size, 1, "never below min");
    equal(t.destroyed.join(), "1,2");
    consistent(pool);
    await pool.close();
  });

  s.case("PL-28", "maxLifetime destroys an idle resource and min brings a new one", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, min: 1, max: 1, maxLifetime: 20 });
    await pool.ready();
    await waitFor(() => t.destroyed.length >= 1 && pool.stats.idle === 1, "replaced");
    equal(t.destroyed[0], 1);
    ok(t.live.size === 1 && !t.live.has(1), "a new one");
    await pool.close();
  });

  s.case("PL-29", "a borrowed resource past maxLifetime keeps working and is replaced when released", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, maxLifetime: 10, maxLifetimeJitter: 0 });
    const lease = await pool.acquire();
    await delay(30);
    ok(lease.active, "the borrower does not notice");
    equal(lease.resource.id, 1);
    equal(t.destroyed.length, 0);
    await lease.release();
    equal(t.destroyed.join(), "1", "destroyed on release");
    const next = await pool.acquire();
    equal(next.resource.id, 2);
    await next.release();
    await pool.close();
  });

  s.case(
    "PL-30",
    "maxLifetimeJitter spreads lifetimes below maxLifetime, so resources do not expire at once",
    async () => {
      const born = c.now();
      const died: number[] = [];
      const pool = createPool({
        create: tracker().create,
        destroy: () => void died.push(c.now() - born),
        max: 6,
        maxLifetime: 400,
        maxLifetimeJitter: 0.75,
        idleTimeout: Infinity,
      });
      const leases = await Promise.all(Array.from({ length: 6 }, () => pool.acquire()));
      for (const l of leases) await l.release();
      await waitFor(() => died.length === 6, "all expired");
      ok(died.every((ms) => ms >= 95), `none before maxLifetime × (1 - jitter): ${died}`);
      const spread = Math.max(...died) - Math.min(...died);
      ok(spread >= 3, `lifetimes differ (spread ${spread} ms)`);
      await pool.close();
    },
  );

  s.case(
    "PL-31",
    "leakTimeout reports a lease held too long with the acquire's stack, once, and leaves it working",
    async () => {
      const pool = createPool({ create: tracker().create, max: 1, leakTimeout: 10 });
      const leaks: Event[] = [];
      pool.addEventListener("leak", (e) => leaks.push(e));
      async function borrowAndForget() {
        return await pool.acquire();
      }
      const lease = await borrowAndForget();
      await waitFor(() => leaks.length === 1, "a leak event");
      const leak = leaks[0]!;
      ok(leak.stack?.includes("borrowAndForget"), `stack names the acquire site: ${leak.stack}`);
      ok(leak.heldFor! >= 9, "heldFor");
      equal(leak.resource, lease.resource);
      await delay(30);
      equal(leaks.length, 1, "reported once");
      ok(lease.active, "the lease still works");
      await lease.release();
      await pool.close();
    },
  );

  s.case(
    "PL-32",
    "events create, acquire, release and destroy are dispatched on the pool with the resource",
    async () => {
      const pool = createPool({ create: tracker().create, max: 1 });
      ok(pool instanceof EventTarget, "an EventTarget");
      const seen: string[] = [];
      for (const type of ["create", "acquire", "release", "destroy"] as const) {
        pool.addEventListener(type, (e) => seen.push(`${e.type} ${(e as Event).resource?.id}`));
      }
      await (await pool.acquire()).release();
      await pool.close();
      equal(seen.join(), "create 1,acquire 1,release 1,destroy 1");
    },
  );

  s.case("PL-33", "a failing destroy is an error event and still counts as destroyed", async () => {
    const pool = createPool({
      create: tracker().create,
      destroy: () => Promise.reject(new Error("socket gone")),
      max: 1,
    });
    const errors: Event[] = [];
    pool.addEventListener("error", (e) => errors.push(e));
    await (await pool.acquire()).destroy();
    equal(errors[0]?.phase, "destroy");
    equal((errors[0]?.error as Error).message, "socket gone");
    equal(pool.stats.destroyed, 1);
    equal(pool.stats.size, 0);
    await pool.close();
  });

  s.case(
    "PL-34",
    "lease.destroy(error) destroys instead of returning; the next acquire gets a new resource",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 1 });
      const destroyed: Event[] = [];
      pool.addEventListener("destroy", (e) => destroyed.push(e));
      const broken = new Error("protocol error");
      const lease = await pool.acquire();
      await lease.destroy(broken);
      equal(lease.active, false);
      equal(destroyed[0]?.error, broken);
      const next = await pool.acquire();
      equal(next.resource.id, 2);
      await next.release();
      await pool.close();
    },
  );

  s.case(
    "PL-35",
    "use() releases on success and destroys on a throw, unless isBroken says the resource is fine",
    async () => {
      const t = tracker();
      const pool = createPool({
        create: t.create,
        destroy: t.destroy,
        isBroken: (e) => !(e instanceof RangeError),
        max: 1,
      });
      equal(await pool.use((r) => r.id * 10), 10);
      await rejects(pool.use(() => Promise.reject(new RangeError("constraint"))), RangeError);
      equal(t.destroyed.length, 0, "an error marked harmless keeps the resource");
      const broken = new Error("io");
      equal(await rejects(pool.use(() => Promise.reject(broken))), broken);
      equal(t.destroyed.join(), "1", "any other error destroys it");
      equal(pool.stats.borrowed, 0);
      await pool.close();
    },
  );

  s.case(
    "PL-36",
    "use() hands fn a signal that aborts with the caller's signal, and it is currentSignal() inside",
    async () => {
      const pool = createPool({ create: tracker().create, max: 1 });
      const controller = new AbortController();
      const stop = new Error("stop");
      const error = await rejects(pool.use(async (_r, signal) => {
        equal(c.currentSignal(), signal);
        setTimeout(() => controller.abort(stop), 1);
        await c.sleep(Infinity, { signal });
      }, { signal: controller.signal }));
      equal(error, stop);
      equal(pool.stats.destroyed, 1, "cancelled midway: not trusted");
      await pool.close();
    },
  );

  s.case(
    "PL-37",
    "a lease ends once: release twice and destroy after release do nothing; the resource is out of reach",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 1 });
      const lease = await pool.acquire();
      await lease.release();
      await lease.release();
      await lease.destroy();
      equal(t.destroyed.length, 0);
      let error: unknown;
      try {
        void lease.resource;
      } catch (e) {
        error = e;
      }
      ok(error instanceof ReferenceError, "resource throws ReferenceError");
      ok(lease.active === false, "inactive");
      const again = await pool.acquire();
      await lease.release();
      ok(again.active, "a stale release cannot end someone else's lease");
      await again.release();
      await pool.close();
    },
  );

  s.case(
    "PL-38",
    "a reset that hangs past cleanupTimeout is abandoned: its signal aborts and the resource is destroyed",
    async () => {
      const t = tracker();
      let resetSignal: AbortSignal | undefined;
      const pool = createPool({
        create: t.create,
        destroy: t.destroy,
        reset: (_r: Res, signal: AbortSignal) => {
          resetSignal = signal;
          return new Promise(() => {});
        },
        cleanupTimeout: 10,
        max: 1,
      });
      await (await pool.acquire()).release();
      ok(resetSignal?.aborted, "the reset's signal aborted at the grace deadline");
      ok(resetSignal?.reason instanceof c.TimeoutError, "with a TimeoutError");
      equal(t.destroyed.join(), "1");
      await pool.close();
    },
  );

  s.case("PL-39", "cleanup runs shielded: a release from a cancelled scope still resets on a live signal", async () => {
    let seen: { aborted: boolean; ambient: boolean } | undefined;
    const pool = createPool({
      create: tracker().create,
      reset: (_r: Res, signal: AbortSignal) => {
        seen = { aborted: signal.aborted, ambient: c.currentSignal() === signal };
      },
      max: 1,
    });
    const scope = new c.CancelScope();
    await scope.run(async () => {
      const lease = await pool.acquire();
      scope.cancel();
      await lease.release();
    });
    equal(seen?.aborted, false, "not aborted by the cancelled scope");
    equal(seen?.ambient, true, "currentSignal() inside is the cleanup's own");
    equal(pool.stats.idle, 1);
    await pool.close();
  });

  s.case("PL-40", "stats count waits and wait times", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const held = await pool.acquire();
    const waiting = pool.acquire();
    await delay(15);
    await held.release();
    await (await waiting).release();
    const st = pool.stats;
    equal(st.acquires, 2);
    equal(st.waits, 2, "the first waited for its create, the second for the release");
    ok(st.maxWaitTime >= 10 && st.totalWaitTime >= st.maxWaitTime, `wait times ${st.totalWaitTime} ${st.maxWaitTime}`);
    consistent(pool);
    await pool.close();
  });
}
