// Cancellation reaches the server: pg_stat_activity is the witness.

import { connect, pidOf, transaction } from "../../src/mod.ts";
import { activeWith, eventually, makePool } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { equal, ok, rejects } from "../assert.ts";

export function cancellationCases({ corral, add }: PgSuite): void {
  add("PG-10", "a cancelled task group running pg_sleep(10) leaves no such query active within a second", async () => {
    await using pool = await makePool({ max: 4 });
    const marker = `corral-pg10-${Math.random().toString(36).slice(2)}`;
    const scope = new corral.CancelScope();
    let started = 0;
    const group = scope.run((signal) =>
      corral.taskGroup((tg) => {
        for (let i = 0; i < 4; i++) {
          tg.spawn((child) =>
            pool.use((sql) => {
              started++;
              return sql.unsafe(`SELECT pg_sleep(10) /* ${marker} */`);
            }, { signal: child })
          );
        }
      }, { signal })
    );
    ok(await eventually(async () => (await activeWith(marker)) === 4, 5000), "four sleeps run on the server");
    equal(started, 4);
    scope.cancel("shutting down");
    await group;
    scope[Symbol.dispose]();
    equal(scope.cancelledCaught, true, "the scope caught its own cancellation");
    ok(await eventually(async () => (await activeWith(marker)) === 0, 1000), "no sleep is active within a second");
    equal(pool.stats.borrowed, 0, "every connection is back");
  });

  add("PG-11", "a cancelled query's connection comes back clean, not mid-query, and is reused", async () => {
    await using pool = await makePool({ max: 1 });
    const scope = new corral.CancelScope();
    let pid = 0;
    const call = pool.use((sql) => {
      pid = pidOf(sql);
      return sql`select pg_sleep(30) /* corral-pg11 */`;
    }, { signal: scope.signal });
    ok(await eventually(async () => (await activeWith("corral-pg11")) === 1, 5000), "the sleep runs");
    scope.cancel();
    equal(await rejects(call), scope.signal.reason, "the call rejects with the scope's reason");
    scope[Symbol.dispose]();
    const [row] = await pool.use((sql) =>
      sql<{ pid: number; one: number }[]>`select pg_backend_pid() as pid, 1 as one`
    );
    equal(row?.pid, pid, "the same connection serves the next borrower");
    equal(row?.one, 1, "and answers its own query");
    equal(await activeWith("corral-pg11"), 0, "nothing of the cancelled query still runs");
  });

  add("PG-12", "a deadline (failAfter) cancels the query on the server and throws TimeoutError", async () => {
    await using pool = await makePool({ max: 2 });
    const error = await rejects(
      corral.failAfter(100, (signal) => pool.use((sql) => sql`select pg_sleep(30) /* corral-pg12 */`, { signal })),
    );
    ok(error instanceof corral.TimeoutError, `TimeoutError, got ${String(error)}`);
    ok(await eventually(async () => (await activeWith("corral-pg12")) === 0, 1000), "the sleep stopped");
  });

  add("PG-13", "a lease's queries obey the lease signal: the one given to acquire()", async () => {
    await using pool = await makePool({ max: 1 });
    const controller = new AbortController();
    const lease = await pool.acquire({ signal: controller.signal });
    try {
      const slow = lease.resource`select pg_sleep(30) /* corral-pg13 */`.execute();
      ok(await eventually(async () => (await activeWith("corral-pg13")) === 1, 5000), "the sleep runs");
      const reason = new Error("caller gave up");
      controller.abort(reason);
      equal(await rejects(slow), reason, "the query rejects with the reason");
    } finally {
      await lease.release();
    }
    equal(await activeWith("corral-pg13"), 0, "the sleep stopped");
    const [row] = await pool.use((sql) => sql<{ one: number }[]>`select 1 as one`);
    equal(row?.one, 1);
  });

  add("PG-14", "cancelling a pipelined batch cancels every query of the lease", async () => {
    await using pool = await makePool({ max: 1 });
    const scope = new corral.CancelScope();
    const call = pool.use((sql) =>
      Promise.all([
        sql`select pg_sleep(30) /* corral-pg14 */`,
        sql`select pg_sleep(30) /* corral-pg14 */`,
        sql`select pg_sleep(30) /* corral-pg14 */`,
      ]), { signal: scope.signal });
    ok(await eventually(async () => (await activeWith("corral-pg14")) === 1, 5000), "the first sleep runs");
    scope.cancel();
    equal(await rejects(call), scope.signal.reason);
    scope[Symbol.dispose]();
    // The caller returns at its deadline; the protocol cancel may finish just after (issue #13): within a second.
    ok(
      await eventually(async () => (await activeWith("corral-pg14")) === 0, 1000),
      "none of the batch is still running",
    );
    const [row] = await pool.use((sql) => sql<{ one: number }[]>`select 1 as one`);
    equal(row?.one, 1, "the connection serves the next borrower");
  });

  add(
    "PG-15",
    "a signal that aborted without a reason rejects connect, queries and transactions with one reason",
    async () => {
      // A polyfilled or signal-shaped AbortSignal may abort with `reason`
      // unset: the driver rejects with the core's abortReasonOf(signal), one
      // AbortError per signal, never `undefined`.
      const signal = Object.assign(new EventTarget(), { aborted: true, reason: undefined }) as unknown as AbortSignal;
      const reason = corral.abortReasonOf(signal);
      ok(reason instanceof Error && reason.name === "AbortError");
      equal(await rejects(connect({ signal })), reason, "connect");
      await using conn = await connect();
      equal(await rejects(Promise.resolve().then(() => conn.bind(signal)`select 1`)), reason, "a query");
      equal(await rejects(transaction(conn, () => 1, { signal })), reason, "a transaction");
      const [row] = await conn.sql<{ one: number }[]>`select 1 as one`;
      equal(row?.one, 1, "the connection still serves");
    },
  );
}
