// How a lease ends: exactly once, whichever way (release, destroy, the
// pool's own end), however many times and however concurrently it is asked.

import { pidOf, PostgresConnection } from "../../src/mod.ts";
import { eventually, freezableProxy, makePool } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok } from "../assert.ts";

/** Counts the session resets run while `body` runs (a spy on PostgresConnection.prototype.reset). */
async function countingResets(body: (resets: () => number) => Promise<void>): Promise<void> {
  const proto = PostgresConnection.prototype;
  const original = proto.reset;
  let count = 0;
  proto.reset = function (this: PostgresConnection, options?: { always?: boolean }): Promise<void> {
    count++;
    return original.call(this, options);
  };
  try {
    await body(() => count);
  } finally {
    proto.reset = original;
  }
}

export function leaseCases({ corral, add }: PgSuite): void {
  add("PG-54", "the pool is a plain core Pool and its leases plain core Leases: nothing patched", async () => {
    await using pool = await makePool({ max: 1 });
    equal(Object.getPrototypeOf(pool), corral.Pool.prototype, "createPostgresPool returns a core Pool");
    const lease = await pool.acquire();
    try {
      equal(Object.getPrototypeOf(lease), corral.Lease.prototype, "a core Lease");
      deepEqual(Object.getOwnPropertyNames(lease), [], "with no method of its own");
      deepEqual(Object.getOwnPropertySymbols(lease), [], "and no symbol-keyed state of the driver's");
    } finally {
      await lease.release();
    }
  });

  add("PG-50", "two concurrent release() calls reset the session once and give the connection back once", async () => {
    await countingResets(async (resets) => {
      await using pool = await makePool({ max: 1 });
      const lease = await pool.acquire();
      await lease.resource`set application_name = 'corral-pg50'`; // dirty: the release must reset
      const first = lease.release();
      const second = lease.release();
      await Promise.all([first, second]);
      equal(resets(), 1, "one reset");
      equal(pool.stats.idle, 1, "the connection is idle");
      equal(pool.stats.destroyed, 0, "nothing destroyed");
      const [row] = await pool.use((sql) => sql<{ app: string }[]>`select current_setting('application_name') as app`);
      equal(row?.app, "corral", "the next borrower gets a clean session");
    });
  });

  add("PG-51", "release() then destroy() while the reset runs: the first end wins, once", async () => {
    await countingResets(async (resets) => {
      await using pool = await makePool({ max: 1 });
      const lease = await pool.acquire();
      await lease.resource`set application_name = 'corral-pg51'`;
      await Promise.all([lease.release(), lease.destroy(new Error("too late")), lease.release()]);
      equal(resets(), 1, "one reset");
      equal(pool.stats.destroyed, 0, "the release came first: not destroyed under its reset");
      equal(pool.stats.idle, 1, "given back once");
      // The other way round: destroy first, then release: no reset at all.
      const again = await pool.acquire();
      await again.resource`set application_name = 'corral-pg51b'`;
      await Promise.all([again.destroy(new Error("broken")), again.release()]);
      equal(resets(), 1, "no reset for a destroyed lease");
      equal(pool.stats.destroyed, 1, "destroyed once");
      equal(pool.stats.size, 0, "and gone");
    });
  });

  add("PG-52", "a lease revoked by terminate() while its release resets ends once, without an error", async () => {
    await countingResets(async (resets) => {
      const pool = await makePool({ max: 1 });
      const lease = await pool.acquire();
      await lease.resource`set application_name = 'corral-pg52'`;
      const releasing = lease.release();
      const terminating = pool.terminate();
      const again = lease.release();
      await Promise.all([releasing, terminating, again]);
      equal(resets(), 1, "one reset");
      equal(pool.stats.size, 0, "the pool is empty");
      equal(pool.stats.destroyed, 1, "the connection was destroyed once");
    });
  });

  add(
    "PG-53",
    "a release inside a cancelled scope still resets the session; on a silent server it is bounded",
    async () => {
      await using pool = await makePool({ max: 1 });
      let pid = 0;
      const scope = new corral.CancelScope();
      await scope.run(async () => {
        const lease = await pool.acquire(); // tied to the ambient signal: the scope's
        pid = pidOf(lease.resource);
        await lease.resource`set application_name = 'corral-pg53'`;
        scope.cancel("leaving");
        await lease.release();
      });
      scope[Symbol.dispose]();
      const [row] = await pool.use((sql) =>
        sql<{ app: string; pid: number }[]>`select current_setting('application_name') as app, pg_backend_pid() as pid`
      );
      equal(row?.pid, pid, "the same connection, reset rather than replaced");
      equal(row?.app, "corral", "its session was reset although the scope was cancelled");
      // The same release against a server that stopped answering: bounded by resetTimeout, then terminated.
      await using proxy = await freezableProxy();
      await using silent = await makePool({ url: proxy.url, max: 1, resetTimeout: 200, cancelGrace: 200 });
      const lease = await silent.acquire();
      await lease.resource`set application_name = 'corral-pg53'`;
      proxy.freeze();
      const released = await corral.moveOnAfter(10_000, async (signal) => {
        await corral.abortable(lease.release(), { signal });
        return "released";
      });
      equal(released, "released", "the release ended within its bounds");
      ok(await eventually(() => Promise.resolve(silent.stats.size === 0), 5000), "the connection was terminated");
    },
  );

  add(
    "PG-55",
    "use() returns its function's value when the reset after it fails; the connection is destroyed",
    async () => {
      await using proxy = await freezableProxy();
      await using pool = await makePool({ url: proxy.url, max: 1, resetTimeout: 200, cancelGrace: 200 });
      const value = await corral.failAfter(10_000, () =>
        pool.use(async (sql) => {
          await sql`set application_name = 'corral-pg55'`; // dirty: the release must reset
          proxy.freeze(); // the reset will never be answered
          return "done";
        }));
      equal(value, "done", "the finished work is not thrown away");
      ok(await eventually(() => Promise.resolve(pool.stats.size === 0), 5000), "the connection was destroyed");
      equal(pool.stats.destroyed, 1, "once");
    },
  );

  add(
    "PG-56",
    "the pool's cleanupTimeout bounds a reset on a silent server; the connection is terminated",
    async () => {
      await using proxy = await freezableProxy();
      // The reset's own bounds are far away: only the pool's grace can end it in time.
      await using pool = await makePool({
        url: proxy.url,
        max: 1,
        resetTimeout: 60_000,
        cancelGrace: 60_000,
        cleanupTimeout: 200,
      });
      const lease = await pool.acquire();
      await lease.resource`set application_name = 'corral-pg56'`;
      proxy.freeze();
      const released = await corral.moveOnAfter(10_000, async (signal) => {
        await corral.abortable(lease.release(), { signal });
        return "released";
      });
      equal(released, "released", "the release ended within the pool's grace");
      ok(await eventually(() => Promise.resolve(pool.stats.size === 0), 5000), "the connection was terminated");
    },
  );
}
