// The corral:postgres:query tracing channel: a subscriber sees each query's
// start/end and asyncStart/asyncEnd (error first when it fails), with the
// statement text only when the pool's `traceStatements` is on.

import { tracingChannel } from "node:diagnostics_channel";
import { pidOf } from "../../src/mod.ts";
import { makePool } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok } from "../assert.ts";

type Seen = [string, Record<string, unknown>][];

async function watch(fn: () => Promise<void>): Promise<Seen> {
  const seen: Seen = [];
  const on = (event: string) => (message: unknown) => seen.push([event, { ...(message as Record<string, unknown>) }]);
  const handlers = {
    start: on("start"),
    end: on("end"),
    asyncStart: on("asyncStart"),
    asyncEnd: on("asyncEnd"),
    error: on("error"),
  };
  const ch = tracingChannel("corral:postgres:query");
  ch.subscribe(handlers);
  try {
    await fn();
  } finally {
    ch.unsubscribe(handlers);
  }
  return seen;
}

const events = (seen: Seen) => seen.map(([event]) => event);
const last = (seen: Seen) => seen[seen.length - 1]![1];

export function tracingCases({ add }: PgSuite): void {
  add("PG-90", "query channel: a success, a failure and a cancelled query; no statement by default", async () => {
    await using pool = await makePool({ max: 1 });
    let pid = 0;
    let seen = await watch(() =>
      pool.use(async (sql) => {
        pid = pidOf(sql);
        await sql`select ${1}::int as one`;
      })
    );
    deepEqual(events(seen), ["start", "end", "asyncStart", "asyncEnd"]);
    equal(last(seen).pid, pid);
    equal((last(seen).result as { one: number }[])[0]!.one, 1);
    ok(!("statement" in last(seen)), "no statement text unless traceStatements");

    seen = await watch(() => pool.use((sql) => sql`select 1/0`).then(() => {}, () => {}));
    deepEqual(events(seen), ["start", "end", "error", "asyncStart", "asyncEnd"]);
    equal((last(seen).error as { code?: string }).code, "22012");

    const reason = new Error("client went away");
    seen = await watch(async () => {
      const controller = new AbortController();
      const lease = await pool.acquire({ signal: controller.signal });
      const slow = lease.resource`select pg_sleep(30)`.catch((e: unknown) => e);
      setTimeout(() => controller.abort(reason), 20);
      await slow;
      await lease.release();
    });
    deepEqual(events(seen).slice(-3), ["error", "asyncStart", "asyncEnd"]);
    equal(last(seen).error, reason);
  });

  add("PG-91", "query channel: traceStatements puts the statement, with $n for the parameters", async () => {
    await using pool = await makePool({ max: 1, traceStatements: true });
    const seen = await watch(() => pool.use(async (sql) => void await sql`select ${1}::int + ${2}::int as n`));
    equal(last(seen).statement, "select $1::int + $2::int as n");
  });
}
