import { deferred, delay, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { poolCloseCases } from "./pool-close.ts";
import { poolHookCases } from "./pool-hooks.ts";
import { poolLendingCases } from "./pool-lending.ts";
import { poolSharedCases } from "./pool-shared.ts";
import { poolUpkeepCases } from "./pool-upkeep.ts";
import { consistent, type Res, tracker } from "./pool-support.ts";

export function poolCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool, PoolClosedError, PoolTimeoutError, TimeoutError } = c;

  s.case("PL-01", "createPool requires max, a positive integer, and names it and the value", () => {
    const create = () => ({});
    throws(() => createPool({ create } as never), TypeError, /'max'.*undefined/);
    throws(() => createPool({ create, max: 0 }), RangeError, /'max'.*received 0/);
    throws(() => createPool({ create, max: 1.5 }), RangeError, /'max'.*1\.5/);
    throws(() => createPool({ create, max: "3" as never }), TypeError, /'max'.*"3"/);
    throws(() => createPool(undefined as never), TypeError, /'options'/);
  });

  s.case("PL-02", "createPool rejects min > max naming min, bad durations, non-functions and unknown options", () => {
    const create = () => ({});
    throws(() => createPool({ create, max: 2, min: 3 }), RangeError, /'min'.*3/);
    throws(() => createPool({ create, max: 2, min: -1 }), RangeError, /'min'.*-1/);
    throws(() => createPool({ create, max: 2, acquireTimeout: -5 }), RangeError, /'acquireTimeout'.*-5/);
    throws(() => createPool({ create, max: 2, idleTimeout: NaN }), RangeError, /'idleTimeout'.*NaN/);
    throws(() => createPool({ create, max: 2, leakTimeout: "1s" as never }), TypeError, /'leakTimeout'.*"1s"/);
    throws(() => createPool({ create, max: 2, maxLifetime: 0 }), RangeError, /'maxLifetime'.*0/);
    throws(() => createPool({ create, max: 2, maxUses: 0 }), RangeError, /'maxUses'.*0/);
    throws(() => createPool({ create, max: 2, maxLifetimeJitter: 2 }), RangeError, /'maxLifetimeJitter'.*2/);
    throws(() => createPool({ create: 5 as never, max: 2 }), TypeError, /'create'.*5/);
    throws(() => createPool({ create, destroy: "x" as never, max: 2 }), TypeError, /'destroy'.*"x"/);
    throws(
      () => createPool({ create, max: 2, acquireTimeoutMillis: 5 } as never),
      TypeError,
      /'acquireTimeoutMillis' is not a pool option \(did you mean 'acquireTimeout'\?\): received 5/,
    );
  });

  s.case("PL-03", "acquire lends a created resource and release puts it back idle", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 2 });
    const lease = await pool.acquire();
    equal(lease.resource.id, 1);
    ok(lease.active, "active");
    equal(pool.stats.borrowed, 1);
    consistent(pool);
    await lease.release();
    equal(pool.stats.idle, 1);
    equal(pool.stats.borrowed, 0);
    const again = await pool.acquire();
    equal(again.resource.id, 1, "reused");
    await again.release();
    equal(t.created, 1);
    await pool.close();
  });

  s.case("PL-04", "await using gives the resource back on every path, also when the block throws", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const boom = new Error("boom");
    const error = await rejects(async () => {
      await using lease = await pool.acquire();
      equal(lease.resource.id, 1);
      throw boom;
    });
    equal(error, boom);
    equal(pool.stats.idle, 1);
    equal(pool.stats.borrowed, 0);
    await pool.close();
  });

  s.case("PL-05", "idle resources are reused LIFO: the most recently released first", async () => {
    const pool = createPool({ create: tracker().create, max: 3 });
    const leases = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
    for (const l of leases) await l.release(); // released 1, 2, 3
    const again = await pool.acquire();
    equal(again.resource.id, 3);
    await again.release();
    await pool.close();
  });

  s.case("PL-06", "waiters are served first come, first served", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const held = await pool.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) =>
      pool.acquire().then((l) => {
        order.push(i);
        return l.release();
      })
    );
    equal(pool.stats.pending, 3);
    await held.release();
    await Promise.all(waits);
    equal(order.join(), "1,2,3");
    await pool.close();
  });

  s.case("PL-07", "max is never exceeded, counting creates in flight", async () => {
    let inFlight = 0;
    let alive = 0;
    let peak = 0;
    const pool = createPool<Res>({
      create: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight + alive);
        await delay(2);
        inFlight--;
        alive++;
        return { id: alive };
      },
      destroy: () => void alive--,
      max: 3,
    });
    await Promise.all(Array.from({ length: 12 }, () => pool.use(() => delay(1))));
    ok(peak <= 3, `peak ${peak} <= 3`);
    ok(pool.stats.created <= 3, "created within max");
    consistent(pool);
    await pool.close();
    equal(alive, 0);
  });

  s.case("PL-08", "an acquire timeout rejects with TimeoutError, is counted, and leaves no trace", async () => {
    const pool = createPool({ create: tracker().create, max: 1, acquireTimeout: 10 });
    const held = await pool.acquire();
    const error = await rejects(pool.acquire(), TimeoutError, /10 ms/);
    ok(error instanceof PoolTimeoutError, "a PoolTimeoutError: told apart from other timeouts by its type");
    equal((error as Error).name, "TimeoutError");
    await rejects(pool.use(() => {}), PoolTimeoutError, /10 ms/);
    const st = pool.stats;
    equal(st.timeouts, 2);
    equal(st.pending, 0);
    equal(st.size, 1);
    await held.release();
    const next = await pool.acquire();
    equal(next.resource.id, 1, "the slot was not lost");
    await next.release();
    await pool.close();
  });

  s.case(
    "PL-09",
    "an aborted acquire rejects with the signal's reason; an already-aborted one creates nothing",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, max: 1 });
      const why = new Error("already");
      equal(await rejects(pool.acquire({ signal: AbortSignal.abort(why) })), why);
      equal(t.created, 0, "no create for an aborted acquire");
      const held = await pool.acquire();
      const controller = new AbortController();
      const pending = pool.acquire({ signal: controller.signal });
      const stop = new Error("stop");
      controller.abort(stop);
      equal(await rejects(pending), stop);
      equal(pool.stats.pending, 0);
      equal(c.diagnostics().listeners, 0, "the abort listener is gone");
      await held.release();
      await pool.close();
    },
  );

  s.case("PL-10", "an acquire timeout cancels the in-flight create through its signal", async () => {
    let seen: AbortSignal | undefined;
    const pool = createPool<Res>({
      create: (signal) => {
        seen = signal;
        return c.sleep(Infinity, { signal }).then(() => ({ id: 1 }));
      },
      max: 1,
    });
    const error = await rejects(pool.acquire({ timeout: 10 }), TimeoutError);
    ok(seen?.aborted, "create's signal aborted");
    equal(seen?.reason, error, "with the acquire's TimeoutError");
    await s.tick();
    equal(pool.stats.creating, 0);
    equal(pool.stats.size, 0);
    await pool.close();
  });

  s.case("PL-11", "a resource that arrives after its waiter left goes to the next waiter", async () => {
    const gate = deferred<Res>();
    const pool = createPool<Res>({ create: () => gate.promise, max: 1 });
    const first = pool.acquire({ timeout: 5 });
    const second = pool.acquire({ timeout: 60_000 });
    await rejects(first, TimeoutError);
    gate.resolve({ id: 7 });
    const lease = await second;
    equal(lease.resource.id, 7);
    await lease.release();
    await pool.close();
  });

  s.case(
    "PL-12",
    "a create that ignores its cancelled signal still lands: its resource goes idle, not lost",
    async () => {
      const gate = deferred<Res>();
      const pool = createPool<Res>({ create: () => gate.promise, max: 1 });
      await rejects(pool.acquire({ timeout: 5 }), TimeoutError);
      equal(pool.stats.creating, 1, "still holds its slot");
      gate.resolve({ id: 3 });
      await s.tick();
      equal(pool.stats.idle, 1);
      equal(pool.stats.created, 1);
      await pool.close();
      equal(pool.stats.destroyed, 1);
    },
  );

  s.case(
    "PL-13",
    "a create failure reaches the acquire that triggered it, as itself, and as an error event",
    async () => {
      const boom = new Error("connection refused");
      const pool = createPool({ create: () => Promise.reject(boom), max: 2 });
      const events: InstanceType<typeof c.PoolEvent>[] = [];
      pool.addEventListener("error", (e) => events.push(e));
      equal(await rejects(pool.acquire()), boom);
      equal(events.length, 1);
      equal(events[0]!.phase, "create");
      equal(events[0]!.error, boom);
      await pool.close();
    },
  );

  s.case(
    "PL-14",
    "after a failed create the pool backs off instead of spinning, and timeouts carry the cause",
    async () => {
      const boom = new Error("down");
      const calls: number[] = [];
      const pool = createPool({
        create: () => {
          calls.push(c.now());
          return Promise.reject(boom);
        },
        max: 1,
        retryDelay: 20,
        maxRetryDelay: 40,
      });
      const results = await Promise.all(
        Array.from({ length: 6 }, () => pool.acquire({ timeout: 150 }).then(() => "ok", (e) => e)),
      );
      ok(calls.length >= 2 && calls.length <= 7, `${calls.length} creates, not a spin`);
      for (let i = 1; i < calls.length; i++) ok(calls[i]! - calls[i - 1]! >= 15, "spaced by the backoff");
      for (const r of results) {
        ok(r === boom || (r instanceof TimeoutError && r.cause === boom), `create error or timeout with cause: ${r}`);
      }
      ok(results.includes(boom), "a failure reached a waiter");
      await pool.close();
    },
  );

  s.case("PL-15", "after transient create failures the retry serves the later waiters", async () => {
    let n = 0;
    const pool = createPool<Res>({
      create: () => (++n <= 2 ? Promise.reject(new Error(`fail ${n}`)) : Promise.resolve({ id: n })),
      max: 1,
      retryDelay: 1,
    });
    const [a, b, cc] = await Promise.all(
      [pool.acquire(), pool.acquire(), pool.acquire()].map((p) =>
        p.then((l) => {
          const id = l.resource.id;
          l.release();
          return id;
        }, (e) => e.message)
      ),
    );
    equal(`${a},${b},${cc}`, "fail 1,fail 2,3");
    await pool.close();
  });

  s.case("PL-16", "a released resource reaches the next waiter in a microtask, before any timer", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const held = await pool.acquire();
    const next = pool.acquire().then((l) => (l.release(), "waiter"));
    await s.tick();
    held.release();
    const first = await Promise.race([next, delay(0).then(() => "timer")]);
    equal(first, "waiter");
    await pool.close();
  });

  s.case("PL-17", "an idle resource is lent with no timer armed, even with acquireTimeout set", async () => {
    const pool = createPool({ create: tracker().create, max: 2, acquireTimeout: 60_000, idleTimeout: Infinity });
    (await pool.acquire()).release();
    await s.tick();
    equal(c.diagnostics().timers, 0, "nothing armed while idle");
    const lease = await pool.acquire();
    equal(c.diagnostics().timers, 0, "nothing armed for an idle hand-out");
    const other = await pool.acquire(); // had to wait for a create
    equal(c.diagnostics().timers, 0, "the waiter that was served left no timer");
    await other.release();
    await lease.release();
    await pool.close();
  });

  s.case("PL-18", "a per-call timeout replaces the pool's acquireTimeout", async () => {
    const pool = createPool({ create: tracker().create, max: 1, acquireTimeout: 5 });
    const held = await pool.acquire();
    const patient = pool.acquire({ timeout: 60_000 });
    await delay(30);
    equal(pool.stats.pending, 1, "still waiting past the pool default");
    await held.release();
    await (await patient).release();
    const impatient = await pool.acquire();
    await rejects(pool.acquire({ timeout: 0 }), TimeoutError);
    await impatient.release();
    await pool.close();
  });

  s.case("PL-19", "an acquire without a signal inherits the ambient one", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const held = await pool.acquire();
    const scope = new c.CancelScope();
    const pending = scope.run(async () => {
      const p = pool.acquire();
      scope.cancel("enough");
      await p;
      return "acquired";
    });
    equal(await pending, undefined, "the scope's cancellation rejected the acquire");
    equal(pool.stats.pending, 0);
    await held.release();
    await pool.close();
  });

  s.case("PL-20", "create gets a signal, which is currentSignal() inside it", async () => {
    let inside: [AbortSignal, AbortSignal | undefined] | undefined;
    const pool = createPool<Res>({
      create: (signal) => {
        inside = [signal, c.currentSignal()];
        return { id: 1 };
      },
      max: 1,
    });
    (await pool.acquire()).release();
    ok(inside !== undefined && inside[0] instanceof AbortSignal, "a real AbortSignal");
    equal(inside![1], inside![0]);
    await pool.close();
  });

  s.case("PL-21", "acquire validates its options, and a closed pool rejects with PoolClosedError", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    await rejects(pool.acquire({ timeout: NaN }), RangeError, /'timeout'/);
    await rejects(pool.acquire({ signal: 5 as never }), TypeError, /'signal'/);
    await rejects(pool.acquire(7 as never), TypeError, /'options'/);
    await pool.close();
    await rejects(pool.acquire(), PoolClosedError);
  });

  s.case(
    "PL-64",
    "negative timeouts and absurd sizes are rejected like any bad input, naming the option, the value and the fix",
    async () => {
      const create = () => ({});
      throws(
        () => createPool({ create, max: 1e12 }),
        RangeError,
        /'max' must be an integer between 1 and .*1000000000000/,
      );
      throws(() => createPool({ create, max: 2, maxUses: 2 ** 60 }), RangeError, /'maxUses'.*Infinity.*received/);
      throws(() => createPool({ create, max: 2, retryDelay: 0 }), RangeError, /'retryDelay' must be > 0.*received 0/);
      throws(() => createPool({ create, max: 2, retryDelay: Infinity }), RangeError, /'retryDelay'.*Infinity/);
      throws(() => createPool({ create, max: 2, cleanupTimeout: Infinity }), RangeError, /'cleanupTimeout'.*Infinity/);
      throws(
        () => createPool({ create, max: 2, maxLifetimeJitter: "0.1" as never }),
        TypeError,
        /'maxLifetimeJitter' must be a number between 0 and 1: received "0.1"/,
      );
      const pool = createPool({ create: tracker().create, max: 1 });
      await rejects(pool.acquire({ timeout: -5 }), RangeError, /'timeout' must be >= 0 .*received -5/);
      await rejects(pool.use(() => 1, { timeout: -1 }), RangeError, /'timeout' must be >= 0 .*received -1/);
      await rejects(pool.close({ timeout: -1 }), RangeError, /'timeout' must be >= 0 .*received -1/);
      equal(pool.closed, false);
      await rejects(pool.acquire({ timeout: 0 }), TimeoutError, /within 0 ms/);
      await (await pool.acquire()).release();
      equal(await pool.use((r) => r.id, { timeout: 0 }), 1, "0 takes an idle resource, or fails at once");
      await pool.close({ timeout: 0 });
    },
  );

  poolUpkeepCases(s);
  poolCloseCases(s);
  poolHookCases(s);
  poolLendingCases(s);
  poolSharedCases(s);
}
