// How a lease ends: exactly once, whichever way (release, destroy, the
// pool's own end), however many times and however concurrently it is asked.

import { PostgresConnection } from "../../src/mod.ts";
import { makePool } from "../support.ts";
import type { PgSuite } from "../suite.ts";
import { equal } from "../assert.ts";

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

export function leaseCases({ add }: PgSuite): void {
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
}
