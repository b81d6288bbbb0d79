// LISTEN through a dedicated lease, as an async iterator.

import { connect, listen, type Notification, pidOf } from "../../src/mod.ts";
import { eventually, freezableProxy, makePool } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok } from "../assert.ts";

export function listenCases({ corral, add }: PgSuite): void {
  add("PG-40", "listen() yields notifications in order and ends when its scope is cancelled", async () => {
    await using pool = await makePool({ max: 2 });
    const channel = `corral_ch_${Math.random().toString(36).slice(2, 8)}`;
    const scope = new corral.CancelScope();
    const seen: Notification[] = [];
    let pid = 0;
    const listening = (async () => {
      for await (const n of listen(pool, [channel, `${channel}_b`], { signal: scope.signal })) {
        seen.push(n);
        if (seen.length === 3) scope.cancel("enough");
      }
    })();
    // Wait until the lease is out and the LISTEN has reached the server.
    ok(
      await eventually(
        () =>
          pool.use(async (sql) => {
            const [row] = await sql<{ n: number }[]>`
              select count(*)::int as n from pg_stat_activity
              where state = 'idle' and position(${`${channel}_b`} in query) > 0`;
            return row!.n === 1;
          }),
        5000,
      ),
      "listening",
    );
    await pool.use(async (sql) => {
      await sql.notify(channel, "one");
      await sql`select pg_notify(${`${channel}_b`}, 'two')`;
      await sql.notify("some_other_channel", "ignored");
      await sql.notify(channel, "three");
    });
    await listening;
    scope[Symbol.dispose]();
    deepEqual(seen.map((n) => n.payload), ["one", "two", "three"]);
    equal(seen[1]?.channel, `${channel}_b`);
    equal(pool.stats.borrowed, 0, "the dedicated lease is back");
    const channels = await pool.use(async (sql) => {
      pid = pidOf(sql);
      return await sql<{ c: string }[]>`select pg_listening_channels() as c`;
    });
    ok(pid > 0);
    equal(channels.length, 0, "no connection in the pool still listens");
  });

  add("PG-41", "a listener whose scope is cancelled while it waits ends at once, without error", async () => {
    await using pool = await makePool({ max: 1 });
    const scope = new corral.CancelScope();
    const iterator = listen(pool, "corral_quiet", { signal: scope.signal });
    const next = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    scope.cancel();
    deepEqual(await next, { value: undefined, done: true });
    scope[Symbol.dispose]();
    equal(pool.stats.borrowed, 0, "the lease is back");
  });

  add("PG-42", "a dedicated connection's LISTEN teardown is bounded when the server stops answering", async () => {
    await using proxy = await freezableProxy();
    const conn = await connect({ url: proxy.url, cancelGrace: 200, resetTimeout: 200 });
    try {
      const scope = new corral.CancelScope();
      const loop = scope.run(async () => {
        for await (const _ of listen(conn, "corral_pg42")) break;
      });
      ok(
        await eventually(
          async () => (await conn.sql<{ c: string }[]>`select pg_listening_channels() as c`).length === 1,
          5000,
        ),
        "listening",
      );
      proxy.freeze();
      scope.cancel("shutting down"); // the loop ends and unlistens, on a server that no longer answers
      const outcome = await corral.moveOnAfter(10_000, async (signal) => {
        await corral.abortable(loop, { signal });
        return "ended";
      });
      equal(outcome, "ended", "the loop ended within the teardown's bounds");
      equal(conn.broken, true, "the connection whose teardown could not finish is terminated");
      scope[Symbol.dispose]();
    } finally {
      await conn.terminate();
    }
  });
}
