import { deferred, delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { type Res, settlesWithin, tracker, waitFor } from "./pool-support.ts";

// ready(), close(), terminate() and disposal.
export function poolCloseCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool, PoolClosedError } = c;

  s.case("PL-41", "ready() resolves once min resources exist (at once when min is 0)", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, min: 3, max: 5 });
    await pool.ready();
    equal(pool.stats.idle, 3);
    equal(t.live.size, 3);
    const none = createPool({ create: tracker().create, max: 1 });
    await none.ready();
    equal(none.stats.size, 0, "min 0 creates nothing");
    await Promise.all([pool.close(), none.close()]);
    equal(t.live.size, 0);
  });

  s.case("PL-42", "ready() rejects with the create error", async () => {
    const boom = new Error("bad password");
    const pool = createPool({
      create: () => Promise.reject(boom),
      min: 1,
      max: 1,
      retryDelay: 60_000,
      maxRetryDelay: 60_000,
    });
    equal(await rejects(pool.ready()), boom);
    equal(await rejects(pool.ready()), boom, "again, while still below min");
    await pool.close();
  });

  s.case("PL-43", "close() rejects pending acquires and ready() at once with PoolClosedError", async () => {
    const gate = deferred<Res>();
    const pool = createPool<Res>({ create: () => gate.promise, min: 1, max: 1 });
    const readying = pool.ready();
    const pending = pool.acquire();
    equal(pool.closed, false);
    const closing = pool.close();
    equal(pool.closed, true);
    await rejects(pending, PoolClosedError);
    await rejects(readying, PoolClosedError);
    await rejects(pool.acquire(), PoolClosedError);
    gate.resolve({ id: 1 });
    await closing;
  });

  s.case(
    "PL-44",
    "close() waits for leases to come back, destroys everything, and a second close() is the same promise",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 2 });
      const a = await pool.acquire();
      const b = await pool.acquire();
      await b.release();
      const closing = pool.close();
      equal(pool.close(), closing, "the same promise");
      await delay(10);
      equal(t.destroyed.join(), "2", "idle destroyed at once; the lease is waited for");
      ok(a.active, "the borrower keeps its lease");
      let done = false;
      closing.then(() => (done = true));
      await s.tick();
      equal(done, false);
      await a.release();
      await closing;
      equal(t.destroyed.join(), "2,1");
      equal(pool.stats.size, 0);
    },
  );

  s.case(
    "PL-45",
    "when close()'s timeout passes, the borrowers' lease signals abort with PoolClosedError",
    async () => {
      const t = tracker();
      const pool = createPool({ create: t.create, destroy: t.destroy, max: 1 });
      let reason: unknown;
      const borrower = pool.use(async (_r, signal) => {
        try {
          await c.sleep(Infinity, { signal });
        } catch (e) {
          reason = e;
          throw e;
        }
      });
      await s.tick();
      await pool.close({ timeout: 10 });
      ok(reason instanceof PoolClosedError, "the lease signal's reason");
      await rejects(borrower, PoolClosedError);
      equal(t.live.size, 0);
    },
  );

  s.case("PL-46", "a borrower that ignores its lease signal is revoked after the grace period", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 1, cleanupTimeout: 10 });
    const lease = await pool.acquire();
    const signal = lease.signal;
    await pool.close({ timeout: 5 });
    ok(signal.aborted, "asked to stop");
    equal(lease.active, false, "revoked");
    equal(t.destroyed.join(), "1");
    await lease.release();
    equal(t.destroyed.length, 1, "a late release does nothing");
  });

  s.case("PL-47", "terminate() destroys now, borrowed resources included", async () => {
    const t = tracker();
    const pool = createPool({ create: t.create, destroy: t.destroy, max: 2 });
    const lease = await pool.acquire();
    const other = await pool.acquire();
    const signal = lease.signal;
    const waiting = pool.acquire();
    await pool.terminate();
    ok(signal.aborted && signal.reason instanceof PoolClosedError, "lease signal aborted");
    await rejects(waiting, PoolClosedError);
    equal(lease.active, false);
    equal(other.active, false);
    equal(t.live.size, 0);
    await lease.release();
    equal(pool.stats.destroyed, 2);
  });

  s.case("PL-48", "terminate() during a close cuts it short; both give the same promise", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    const lease = await pool.acquire();
    const closing = pool.close({ timeout: 60_000 });
    await s.tick();
    equal(pool.terminate(), closing);
    await closing;
    equal(lease.active, false);
    equal(pool.stats.size, 0);
  });

  s.case("PL-49", "await using closes the pool when the block ends", async () => {
    const t = tracker();
    let outer: ReturnType<typeof createPool<Res>> | undefined;
    {
      await using pool = createPool({ create: t.create, destroy: t.destroy, max: 1 });
      outer = pool;
      await (await pool.acquire()).release();
    }
    ok(outer.closed, "closed");
    equal(t.live.size, 0);
  });

  s.case("PL-50", "close() cancels creates in flight; a create that lands after close is destroyed", async () => {
    let seen: AbortSignal | undefined;
    const gate = deferred<Res>();
    const destroyed: number[] = [];
    const pool = createPool<Res>({
      create: (signal) => ((seen = signal), gate.promise),
      destroy: (r) => void destroyed.push(r.id),
      max: 1,
      cleanupTimeout: 10,
    });
    const pending = rejects(pool.acquire(), PoolClosedError);
    await pool.close();
    ok(seen?.aborted && seen.reason instanceof PoolClosedError, "the create's signal aborted");
    await pending;
    gate.resolve({ id: 9 });
    await delay(5);
    equal(destroyed.join(), "9");
  });

  s.case("PL-51", "close() never rejects: failing destroys are error events", async () => {
    const pool = createPool({
      create: tracker().create,
      destroy: () => {
        throw new Error("cannot close");
      },
      min: 2,
      max: 2,
    });
    await pool.ready();
    let errors = 0;
    pool.addEventListener("error", () => errors++);
    await pool.close();
    equal(errors, 2);
    equal(pool.stats.destroyed, 2);
  });

  s.case("PL-52", "close() rejects bad options and leaves the pool open", async () => {
    const pool = createPool({ create: tracker().create, max: 1 });
    await rejects(pool.close({ timeout: NaN }), RangeError, /'timeout'/);
    await rejects(pool.close(3 as never), TypeError, /'options'/);
    equal(pool.closed, false);
    await (await pool.acquire()).release();
    await pool.close();
  });

  s.case(
    "PL-53",
    "close() does not wait out cleanupTimeout for a create that ignores its signal; the late resource is destroyed",
    async () => {
      let seen: AbortSignal | undefined;
      const gate = deferred<Res>();
      const destroyed: number[] = [];
      const pool = createPool<Res>({
        create: (signal) => ((seen = signal), gate.promise),
        destroy: (r) => void destroyed.push(r.id),
        max: 1,
        cleanupTimeout: 20_000,
      });
      const pending = rejects(pool.acquire(), PoolClosedError);
      ok(await settlesWithin(pool.close(), 2_000), "close() settled without waiting for the create");
      ok(seen?.aborted && seen.reason instanceof PoolClosedError, "the create's signal aborted");
      await pending;
      gate.resolve({ id: 7 });
      await waitFor(() => destroyed.length === 1, "the late resource destroyed");
      equal(destroyed.join(), "7");
      equal(pool.stats.size, 0);
    },
  );

  s.case(
    "PL-54",
    "an unreachable server: ready() rejects with the first failure and close() does not wait for a slow teardown",
    async () => {
      // The shape of a driver's connect: the first attempt is refused at
      // once; the second is still connecting, honours its signal, but takes
      // long to tear down before it rejects with the signal's reason.
      const refused = new Error("connect ECONNREFUSED 127.0.0.1:1");
      const teardown = deferred();
      let calls = 0;
      const create = (signal: AbortSignal) =>
        new Promise<Res>((_resolve, reject) => {
          if (++calls === 1) return reject(refused);
          signal.addEventListener("abort", () => void teardown.promise.then(() => reject(signal.reason)), {
            once: true,
          });
        });
      const pool = createPool<Res>({ create, min: 2, max: 2, cleanupTimeout: 20_000 });
      const errors: unknown[] = [];
      pool.addEventListener("error", (e) => errors.push(e.error));
      equal(await rejects(pool.ready()), refused);
      equal(pool.stats.creating, 1, "the second attempt is in flight");
      ok(await settlesWithin(pool.close(), 2_000), "close() settled without waiting for the teardown");
      teardown.resolve();
      await waitFor(() => pool.stats.creating === 0, "the teardown finished");
      equal(errors.length, 1, "the cancelled attempt's rejection with its signal's reason is no error");
      equal(errors[0], refused);
    },
  );
}
