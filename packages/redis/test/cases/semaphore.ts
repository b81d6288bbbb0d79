// The Redis semaphore within one process: limits, waiting, cancellation,
// timeouts, renewal, loss, close.
import { TimeoutError } from "@corral/core";
import {
  createSemaphore,
  type Permit,
  PermitLostError,
  type SemaphoreAcquireOptions,
  type SemaphoreOptions,
} from "../../src/mod.ts";
import { equal, ok, rejects, throws } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { eventually, freezableProxy, URL, withAdmin } from "../support.ts";

export function semaphoreCases(s: RedisSuite): void {
  s.case("SM-01", "at most `limit` permits are held; release frees a slot", () =>
    withAdmin(async (_admin, keys) => {
      await using sem = createSemaphore({ name: "s", prefix: keys, limit: 2, url: URL });
      const a = await sem.acquire();
      const b = await sem.acquire();
      equal(await sem.tryAcquire(), undefined, "full");
      equal(await sem.count(), 2);
      equal(sem.held, 2);
      await a.release();
      await a.release();
      equal(a.released, true);
      equal(a.lost, false);
      const c = await sem.tryAcquire();
      ok(c, "the freed slot is taken");
      await b.release();
      await c.release();
      equal(await sem.count(), 0);
    }));

  s.case("SM-02", "a waiting acquire gets the slot once it is released", () =>
    withAdmin(async (_admin, keys) => {
      await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
      await using other = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
      const held = await sem.acquire();
      const state: { got?: Permit } = {};
      const waiting = other.acquire().then((p) => (state.got = p));
      await new Promise((resolve) => setTimeout(resolve, 100));
      equal(state.got, undefined, "still waiting while held");
      await held.release();
      const got = await waiting;
      equal(state.got, got);
      equal(await sem.count(), 1);
      await got.release();
    }));

  s.case(
    "SM-03",
    "an aborted acquire rejects with the signal's reason and leaves no slot behind",
    () =>
      withAdmin(async (_admin, keys) => {
        await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
        const held = await sem.acquire();
        const controller = new AbortController();
        const waiting = sem.acquire({ signal: controller.signal });
        await new Promise((resolve) => setTimeout(resolve, 50));
        const reason = new Error("give up");
        controller.abort(reason);
        equal(await rejects(waiting), reason);
        await held.release();
        // Abort racing a grant: whatever the script replied, no slot may stay taken.
        for (let i = 0; i < 10; i++) {
          const c = new AbortController();
          const racing = sem.acquire({ signal: c.signal });
          c.abort(new Error("race"));
          await racing.then((p) => p.release(), () => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        equal(await sem.count(), 0, "nothing leaked");
      }),
  );

  s.case(
    "SM-04",
    "an acquire that cannot get a slot in time rejects with TimeoutError",
    () =>
      withAdmin(async (_admin, keys) => {
        await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
        const held = await sem.acquire();
        await rejects(sem.acquire({ timeout: 50 }), TimeoutError);
        await rejects(sem.acquire({ timeout: 0 }), TimeoutError);
        await held.release();
      }),
  );

  s.case("SM-05", "renewal keeps a permit alive well past its ttl", () =>
    withAdmin(async (_admin, keys) => {
      await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, ttl: 300, url: URL });
      const permit = await sem.acquire();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      equal(permit.lost, false);
      equal(await sem.count(), 1, "still held in Redis");
      equal(await sem.tryAcquire(), undefined);
      await permit.release();
    }));

  s.case(
    "SM-06",
    "a permit whose holder vanished from Redis is lost: its signal aborts with PermitLostError",
    () =>
      withAdmin(async (admin, keys) => {
        await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, ttl: 300, url: URL });
        const permit = await sem.acquire();
        await admin.zRem(sem.key, permit.id);
        const lost = new Promise((resolve) => permit.signal.addEventListener("abort", resolve, { once: true }));
        await lost;
        ok(permit.signal.reason instanceof PermitLostError);
        equal(permit.lost, true);
        equal(sem.held, 0);
        await permit.release();
      }),
  );

  s.case("SM-07", "close releases held permits and rejects waiting acquires", () =>
    withAdmin(async (_admin, keys) => {
      const sem = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
      await using probe = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
      const permit = await sem.acquire();
      const waiting = rejects(sem.acquire(), Error, /closed/);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const closing = sem.close();
      equal(sem.close(), closing, "same promise");
      await closing;
      await waiting;
      ok(permit.signal.aborted);
      equal(permit.released, true);
      equal(await probe.count(), 0);
      await rejects(sem.acquire(), Error, /closed/);
    }));

  s.case(
    "SM-09",
    "with Redis unreachable, attempts fail and waits time out with the cause; close does not hang",
    async () => {
      const sem = createSemaphore({ name: "s", limit: 1, url: "redis://127.0.0.1:1", connectTimeout: 200 });
      await rejects(sem.tryAcquire(), Error, /Cannot reach Redis at 127\.0\.0\.1:1/);
      const error = await rejects(sem.acquire({ timeout: 700 }), TimeoutError);
      ok(/Cannot reach/.test(String((error as Error).cause)), `cause: ${(error as Error).cause}`);
      await sem.close();
    },
  );

  s.case(
    "SM-10",
    "close() on a server that stopped answering ends within connectTimeout and leaves no socket",
    () =>
      withAdmin(async (_admin, keys) => {
        await using proxy = await freezableProxy();
        const sem = createSemaphore({ name: "s", prefix: keys, limit: 2, url: proxy.url, connectTimeout: 300 });
        const permit = await sem.acquire();
        proxy.freeze(); // the permit's release and the client's close are never answered
        const start = performance.now();
        await sem.close();
        const took = performance.now() - start;
        ok(took < 300 + 1500, `close() took ${Math.round(took)} ms`);
        equal(permit.signal.aborted, true, "the held permit ended");
        ok(await eventually(() => proxy.sockets === 0, 2000), `${proxy.sockets} sockets left at the proxy`);
      }),
  );

  s.case("SM-08", "bad semaphore options throw naming the option", () => {
    throws(() => createSemaphore({ name: "", limit: 1 }), TypeError, /'name'/);
    throws(() => createSemaphore({ name: "x", limit: 0 }), RangeError, /'limit'/);
    throws(() => createSemaphore({ name: "x", limit: 1, ttl: 100, renewInterval: 100 }), RangeError, /renewInterval/);
    throws(() => createSemaphore({ name: "x", limit: 1, ttl: Number.NaN }), RangeError, /'ttl'/);
    // Unknown names, all at once, with the one meant.
    const typo = { name: "x", limit: 1, tll: 100, pollIntervall: 5 } as unknown as SemaphoreOptions;
    throws(
      () => createSemaphore(typo),
      TypeError,
      /2 names are not options: 'tll': received 100; 'pollIntervall' \(did you mean 'pollInterval'\?\): received 5$/,
    );
    return Promise.resolve();
  });

  s.case(
    "SM-11",
    "an unknown acquire option throws naming it, before anything is sent",
    () =>
      withAdmin(async (_admin, keys) => {
        await using sem = createSemaphore({ name: "s", prefix: keys, limit: 1, url: URL });
        const bad = { timout: 50 } as unknown as SemaphoreAcquireOptions;
        await rejects(sem.acquire(bad), TypeError, /'timout' .*did you mean 'timeout'/);
        equal(sem.held, 0, "nothing acquired");
        equal(await sem.count(), 0, "nothing taken on the server");
      }),
  );
}
