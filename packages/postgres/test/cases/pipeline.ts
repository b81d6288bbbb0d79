// Several callers' queries pipelined on one connection, each with its own
// signal: cancelling one touches no other (pg_stat_activity is the witness).

import { ConnectionLostError } from "../../src/mod.ts";
import { activeWith, eventually, freezableProxy, makePool, ourConnection, terminate } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok, rejects } from "../assert.ts";

const marker = (id: string) => `corral-${id}-${Math.random().toString(36).slice(2)}`;

export function pipelineCases({ corral, add }: PgSuite): void {
  add(
    "PG-70",
    "ten pipelined queries, the fifth a cancelled pg_sleep(10): the nine return their own results, the sleep is gone within a second",
    async () => {
      await using conn = await ourConnection();
      const mark = marker("pg70");
      const controllers = Array.from({ length: 10 }, () => new AbortController());
      const queries = controllers.map((c, i) => {
        const sql = conn.bind(c.signal);
        return i === 4
          ? sql.unsafe(`select pg_sleep(10), 5 as n /* ${mark} */`).execute()
          : sql<{ n: number }[]>`select ${i + 1}::int as n`.execute();
      });
      const outcomes = Promise.allSettled(queries);
      ok(await eventually(async () => (await activeWith(mark)) === 1, 5000), "the sleep runs");
      const reason = new Error("the fifth caller gave up");
      const aborted = performance.now();
      controllers[4]!.abort(reason);
      equal(await rejects(queries[4]!), reason, "the fifth rejects with its reason");
      ok(performance.now() - aborted < 1000, "at once");
      const settled = await outcomes;
      settled.forEach((outcome, i) => {
        if (i === 4) return;
        equal(outcome.status, "fulfilled", `query ${i + 1} was not touched`);
        deepEqual((outcome as PromiseFulfilledResult<{ n: number }[]>).value.map((r) => r.n), [i + 1]);
      });
      ok(await eventually(async () => (await activeWith(mark)) === 0, 1000), "the sleep is gone within a second");
      const [row] = await conn.sql<{ one: number }[]>`select 1 as one`;
      equal(row?.one, 1, "the connection still serves");
    },
  );

  add("PG-71", "a query whose signal aborts before it is sent never reaches the server", async () => {
    await using conn = await ourConnection();
    await conn.sql`create temporary table corral_pg71 (n int)`;
    const controller = new AbortController();
    const insert = conn.bind(controller.signal)`insert into corral_pg71 values (1)`.execute();
    controller.abort(new Error("not wanted"));
    equal((await rejects(insert) as Error).message, "not wanted");
    // One made from a binding whose signal has aborted throws at once.
    const made = () => conn.bind(controller.signal)`insert into corral_pg71 values (2)`;
    equal((await rejects(Promise.resolve().then(made)) as Error).message, "not wanted");
    const [row] = await conn.sql<{ n: number }[]>`select count(*)::int as n from corral_pg71`;
    equal(row?.n, 0, "neither insert ran");
    await conn.reset();
  });

  add("PG-72", "a query queued behind a neighbour is withdrawn; the neighbour runs to its end", async () => {
    await using conn = await ourConnection();
    const mark = marker("pg72");
    const neighbour = conn.sql<{ n: number }[]>`select pg_sleep(0.3), 1 as n`.execute();
    const controller = new AbortController();
    const mine = conn.bind(controller.signal).unsafe(`select pg_sleep(10) /* ${mark} */`).execute();
    const after = conn.sql<{ n: number }[]>`select 3 as n`.execute();
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error("gave up"));
    equal((await rejects(mine) as Error).message, "gave up", "answered at once, while the neighbour still runs");
    deepEqual((await neighbour).map((r) => r.n), [1], "the neighbour was not cancelled");
    deepEqual((await after).map((r) => r.n), [3], "nor the query after it");
    ok(await eventually(async () => (await activeWith(mark)) === 0, 1000), "the withdrawn sleep never lingers");
  });

  add("PG-73", "cancelling at random moments never fails a neighbour's query", async () => {
    await using conn = await ourConnection();
    // A request lands ~1 ms after it is sent: victims that end about then,
    // and neighbours that run long enough to be hit by one that came late.
    for (let round = 0; round < 60; round++) {
      const controller = new AbortController();
      const victim = conn.bind(controller.signal).unsafe(`select pg_sleep(${(round % 6) / 2000})`).execute();
      const neighbours = Array.from(
        { length: 4 },
        (_, i) => conn.sql<{ n: number }[]>`select ${i}::int as n, pg_sleep(0.003)::text as s`.execute(),
      );
      await new Promise((resolve) => setTimeout(resolve, round % 3));
      controller.abort(new Error("late"));
      await victim.catch(() => {});
      const rows = await Promise.all(neighbours);
      deepEqual(rows.map((r) => r[0]?.n), [0, 1, 2, 3], `round ${round}: every neighbour got its own answer`);
    }
    await conn.reset();
  });

  add("PG-74", "a connection lost mid-pipeline fails every query on it with ConnectionLostError", async () => {
    await using conn = await ourConnection();
    const mark = marker("pg74");
    const queries = Array.from(
      { length: 5 },
      (_, i) =>
        i === 0 ? conn.sql.unsafe(`select pg_sleep(10) /* ${mark} */`).execute() : conn.sql`select ${i}::int`.execute(),
    );
    ok(await eventually(async () => (await activeWith(mark)) === 1, 5000), "the sleep runs");
    const outcomes = Promise.allSettled(queries);
    await terminate(conn.pid);
    for (const outcome of await outcomes) {
      equal(outcome.status, "rejected");
      const error = (outcome as PromiseRejectedResult).reason as Error;
      ok(error instanceof ConnectionLostError, `ConnectionLostError, got ${String(error)}`);
      ok(/connection .* was lost/.test(error.message), "the message names the connection loss");
    }
    ok(conn.broken, "the connection is known lost");
  });

  add(
    "PG-75",
    "a caller whose deadline passes gets control back at once even when the cancel request hangs",
    async () => {
      await using proxy = await freezableProxy();
      await using conn = await ourConnection({ url: proxy.url, cancelGrace: 300 });
      const before = corral.diagnostics().timers;
      const started = performance.now();
      const call = corral.failAfter(300, async (signal) => {
        const slow = conn.bind(signal)`select pg_sleep(10)`.execute();
        await new Promise((resolve) => setTimeout(resolve, 100));
        proxy.freeze(); // the server seems hung: the cancel request goes unanswered too
        return await slow;
      });
      const error = await rejects(call);
      ok(error instanceof corral.TimeoutError, `TimeoutError, got ${String(error)}`);
      const took = performance.now() - started;
      ok(took < 300 + 100, `back within the deadline + 100 ms (took ${took.toFixed(0)} ms)`);
      ok(await eventually(() => Promise.resolve(conn.broken), 5000), "the connection is terminated after cancelGrace");
      equal(corral.diagnostics().timers, before, "nothing left behind");
    },
  );

  add(
    "PG-86",
    "a query that fails after sending rows leaves no hole in the next result on its connection (postgres 3's row counter)",
    async () => {
      await using conn = await ourConnection();
      // Row 1 is sent, row 2 divides by zero: the server has streamed a row when the error comes.
      const failing = () => conn.sql`select 1 / (2 - n) as v from generate_series(1, 3) n`.execute();
      const check = (rows: ArrayLike<unknown>, expected: unknown[], what: string) => {
        equal(rows.length, expected.length, `${what}: as many entries as rows`);
        deepEqual(Array.from(rows), expected, what);
      };
      // One after the other, and pipelined behind the failing query.
      await rejects(failing());
      check(await conn.sql`select 1 as a`, [{ a: 1 }], "the next query");
      const [, behind] = await Promise.allSettled([failing(), conn.sql`select 2 as a`.execute()]);
      equal(behind.status, "fulfilled");
      check((behind as PromiseFulfilledResult<unknown[]>).value, [{ a: 2 }], "a query pipelined behind it");
      await rejects(failing());
      check(await conn.sql`select 3 as a`.values(), [[3]], "rows as values");
      await rejects(failing());
      const chunks: unknown[][] = [];
      for await (const chunk of conn.sql`select n from generate_series(1, 3) n`.cursor(2)) {
        chunks.push(Array.from(chunk));
      }
      deepEqual(chunks, [[{ n: 1 }, { n: 2 }], [{ n: 3 }]], "a cursor's first chunk");
      await rejects(failing());
      const multi = await conn.sql.unsafe("select 4 as a; select 5 as b") as unknown as unknown[][];
      check(multi[0]!, [{ a: 4 }], "the first result of several statements");
    },
  );
}

/** Queries on the pool itself: shared leases, pipelined. */
export function poolQueryCases({ corral, add }: PgSuite): void {
  add("PG-76", "pool queries from 100 tasks spread over max 10 connections and return their own rows", async () => {
    await using pool = await makePool({ max: 10 });
    const rows = await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) => pool.sql<{ n: number; pid: number }[]>`select ${i}::int as n, pg_backend_pid() as pid`,
      ),
    );
    deepEqual(rows.map((r) => r[0]!.n), Array.from({ length: 100 }, (_, i) => i), "each task got its own row");
    ok(pool.stats.size <= 10, "never more than max");
    equal(pool.stats.borrowed, 0, "every shared lease ended");
    equal(pool.stats.shared, 0);
  });

  add(
    "PG-77",
    "ten pool queries pipelined on one connection, the fifth a cancelled pg_sleep(10): the nine return their own results",
    async () => {
      await using pool = await makePool({ max: 1, maxShared: 10 });
      const mark = marker("pg77");
      const controllers = Array.from({ length: 10 }, () => new AbortController());
      const queries = controllers.map((c, i) =>
        i === 4
          ? pool.bind(c.signal).unsafe(`select pg_sleep(10), 5 as n, pg_backend_pid() as pid /* ${mark} */`)
          : pool.bind(c.signal)<{ n: number; pid: number }[]>`select ${i + 1}::int as n, pg_backend_pid() as pid`
      );
      const outcomes = Promise.allSettled(queries);
      ok(await eventually(async () => (await activeWith(mark)) === 1, 5000), "the sleep runs");
      equal(pool.stats.shared, 10 - 4, "the sleep and the five behind it share the one connection");
      const reason = new Error("the fifth caller gave up");
      controllers[4]!.abort(reason);
      const settled = await outcomes;
      equal((settled[4] as PromiseRejectedResult).reason, reason, "the fifth rejects with its reason");
      const pids = new Set<number>();
      settled.forEach((outcome, i) => {
        if (i === 4) return;
        equal(outcome.status, "fulfilled", `query ${i + 1} was not touched`);
        const [row] = (outcome as PromiseFulfilledResult<{ n: number; pid: number }[]>).value;
        equal(row?.n, i + 1, `query ${i + 1} got its own result`);
        pids.add(row!.pid);
      });
      equal(pids.size, 1, "all on one connection");
      ok(await eventually(async () => (await activeWith(mark)) === 0, 1000), "the sleep is gone within a second");
      const [row] = await pool.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      ok(pids.has(row!.pid), "and the connection is reused");
    },
  );

  add("PG-78", "pool queries obey the ambient signal: a deadline cancels only its own query", async () => {
    await using pool = await makePool({ max: 1, maxShared: 4 });
    const mark = marker("pg78");
    const neighbour = pool.sql<{ n: number }[]>`select pg_sleep(0.2), 7 as n`;
    const error = await rejects(corral.failAfter(100, () => pool.sql.unsafe(`select pg_sleep(10) /* ${mark} */`)));
    ok(error instanceof corral.TimeoutError, `TimeoutError, got ${String(error)}`);
    equal((await neighbour)[0]?.n, 7, "the neighbour's query ran to its end");
    ok(await eventually(async () => (await activeWith(mark)) === 0, 1000), "the sleep is gone within a second");
  });

  add(
    "PG-79",
    "a connection lost mid-pipeline fails its pool queries with ConnectionLostError and is replaced",
    async () => {
      await using pool = await makePool({ max: 1, maxShared: 5 });
      const mark = marker("pg79");
      const [first] = await pool.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const queries = Array.from(
        { length: 5 },
        (_, i) => i === 0 ? pool.sql.unsafe(`select pg_sleep(10) /* ${mark} */`) : pool.sql`select ${i}::int`,
      );
      const outcomes = Promise.allSettled(queries);
      ok(await eventually(async () => (await activeWith(mark)) === 1, 5000), "the sleep runs");
      await terminate(first!.pid);
      for (const outcome of await outcomes) {
        equal(outcome.status, "rejected", "no query silently retried on another connection");
        const error = (outcome as PromiseRejectedResult).reason as Error;
        ok(error instanceof ConnectionLostError, `ConnectionLostError, got ${String(error)}`);
      }
      const [row] = await pool.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      ok(row!.pid !== first!.pid, "a new connection serves");
      equal(pool.stats.destroyed, 1, "the lost one was destroyed");
    },
  );

  add(
    "PG-81",
    "a failing pool query rejects with the server's error; its neighbours and its connection carry on",
    async () => {
      await using pool = await makePool({ max: 1, maxShared: 4 });
      const before = pool.sql<{ n: number }[]>`select pg_sleep(0.05), 1 as n`;
      const failing = pool.sql`select * from corral_pg81_no_such_table`;
      const after = pool.sql<{ n: number }[]>`select 3 as n`;
      const error = await rejects(failing) as { code?: string };
      equal(error.code, "42P01", "the server's own error");
      equal((await before)[0]?.n, 1);
      equal((await after)[0]?.n, 3);
      equal(pool.stats.destroyed, 0, "the connection is kept");
    },
  );

  add("PG-82", "maxShared: 1 turns pipelining off: a second pool query waits for the connection", async () => {
    await using pool = await makePool({ max: 1, maxShared: 1 });
    const mark = marker("pg82");
    const sleep = pool.sql.unsafe(`select pg_sleep(0.3) /* ${mark} */`);
    ok(await eventually(async () => (await activeWith(mark)) === 1, 5000), "the sleep runs");
    const second = pool.sql<{ n: number }[]>`select 2 as n`;
    await new Promise((resolve) => setTimeout(resolve, 20));
    equal(pool.stats.shared, 1, "one pool query on the connection");
    equal(pool.stats.pending, 1, "the other waits in the pool, not on the connection");
    await sleep;
    equal((await second)[0]?.n, 2);
  });

  add(
    "PG-85",
    "a shared lease taken with use(fn, { shared: true }) gets no query function bound to another sharer's signal",
    async () => {
      // The core calls no setup for shared leases (a shared connection is one object for all its sharers): the
      // query function it holds is not rebound to the latest sharer's signal, so a query through it fails at once
      // instead of obeying a neighbour's signal. Pipelined queries go through pool.sql.
      await using pool = await makePool({ max: 1, maxShared: 2 });
      const neighbour = new AbortController();
      const mine = new AbortController();
      const held = await pool.acquire({ shared: true, signal: neighbour.signal });
      const error = await rejects(pool.use((sql) => sql`select 1`, { shared: true, signal: mine.signal }));
      ok(error instanceof Error && error.message.startsWith("Cannot run a query as"), `got: ${String(error)}`);
      await held.release();
      const [row] = await pool.sql<{ n: number }[]>`select 1 as n`;
      equal(row?.n, 1, "the connection still serves pool queries");
    },
  );

  add(
    "PG-80",
    "a pool query that changes session state runs on an exclusive lease, and the session is reset",
    async () => {
      await using pool = await makePool({ max: 1, maxShared: 4 });
      await pool.sql`select set_config('application_name', 'corral-pg80', false)`;
      const [row] = await pool.sql<{ app: string }[]>`select current_setting('application_name') as app`;
      ok(row?.app !== "corral-pg80", "the next pool query does not see the setting");
    },
  );
}
