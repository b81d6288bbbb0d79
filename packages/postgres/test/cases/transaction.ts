// transaction(): commit, rollback on throw and on cancel, savepoints, the
// context manager on an exit stack, options.

import { type PgSql, pidOf, PostgresConnection, transaction } from "../../src/mod.ts";
import { activeWith, adminConnection, eventually, freezableProxy, makePool } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok, rejects } from "../assert.ts";

type Pool = Awaited<ReturnType<typeof makePool>>;

/** A fresh table for one case, dropped afterwards. */
async function withTable(pool: Pool, body: (table: string) => Promise<void>): Promise<void> {
  const table = `corral_tx_${Math.random().toString(36).slice(2, 10)}`;
  await pool.use((sql) => sql`create table ${sql(table)} (x int primary key)`);
  try {
    await body(table);
  } finally {
    await pool.use((sql) => sql`drop table if exists ${sql(table)}`);
  }
}

async function rows(pool: Pool, table: string): Promise<number[]> {
  const result = await pool.use((sql) => sql<{ x: number }[]>`select x from ${sql(table)} order by x`);
  return result.map((r) => r.x);
}

export function transactionCases({ corral, add }: PgSuite): void {
  add("PG-30", "transaction() commits when the body returns, and returns its value", async () => {
    await using pool = await makePool({ max: 2 });
    await withTable(pool, async (table) => {
      const value = await transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (1), (2)`;
        return "done";
      });
      equal(value, "done");
      deepEqual(await rows(pool, table), [1, 2]);
    });
  });

  add("PG-31", "a throwing body rolls back and its error propagates unchanged", async () => {
    await using pool = await makePool({ max: 2 });
    await withTable(pool, async (table) => {
      const boom = new Error("constraint violated");
      const error = await rejects(transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (1)`;
        throw boom;
      }));
      equal(error, boom, "the very same error");
      deepEqual(await rows(pool, table), []);
      // A server error inside the body: same rule.
      const dup = await rejects(transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (1)`;
        await sql`insert into ${sql(table)} values (1)`;
      }));
      equal((dup as { code?: string }).code, "23505", "the unique violation itself");
      deepEqual(await rows(pool, table), []);
    });
  });

  add("PG-32", "a cancelled body rolls back; the call rejects with the scope's cancellation", async () => {
    await using pool = await makePool({ max: 1 });
    await withTable(pool, async (table) => {
      const scope = new corral.CancelScope();
      const call = transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (7)`;
        await sql`select pg_sleep(30) /* corral-pg32 */`;
      }, { signal: scope.signal });
      ok(await eventually(async () => (await activeWith("corral-pg32")) === 1, 5000), "the body sleeps");
      scope.cancel("user left");
      equal(await rejects(call), scope.signal.reason, "the scope's reason");
      scope[Symbol.dispose]();
      deepEqual(await rows(pool, table), [], "rolled back");
    });
  });

  add(
    "PG-38",
    "a body cancelled by an enclosing scope (ambient signal) rolls back on the server, in every form",
    async () => {
      await using pool = await makePool({ max: 1 });
      const pid = await pool.use((sql) => pidOf(sql));
      await withTable(pool, async (table) => {
        // The body writes, then waits on something that obeys the ambient signal.
        let wrote = () => {};
        const body = async (sql: PgSql) => {
          await sql`insert into ${sql(table)} values (1)`;
          wrote();
          await corral.sleep(30_000);
        };
        const forms: Record<string, () => Promise<unknown>> = {
          "transaction(pool, fn)": () => transaction(pool, body),
          "withContext": () => corral.withContext(transaction(pool), body),
          "ExitStack.enter": () => corral.withExitStack(async (stack) => body(await stack.enter(transaction(pool)))),
          "await using": async () => {
            await using tx = transaction(pool);
            await body(await tx.enter());
          },
        };
        for (const [form, run] of Object.entries(forms)) {
          const scope = new corral.CancelScope();
          const written = new Promise<void>((resolve) => wrote = resolve);
          const done = scope.run(run);
          await written;
          scope.cancel("shutting down");
          await done;
          scope[Symbol.dispose]();
          equal(scope.cancelledCaught, true, `${form}: the scope caught its cancellation`);
          deepEqual(await rows(pool, table), [], `${form}: rolled back on the server`);
          equal(await pool.use((sql) => pidOf(sql)), pid, `${form}: by a rollback, not by terminating the connection`);
          equal(pool.stats.borrowed, 0, `${form}: the lease is back`);
        }
      });
    },
  );

  add("PG-39", "the rollback of a cancelled body is bounded when the server stops answering", async () => {
    const marker = `corral-pg39-${Math.random().toString(36).slice(2)}`;
    try {
      await using proxy = await freezableProxy();
      await using pool = await makePool({ url: proxy.url, max: 1, cancelGrace: 200, resetTimeout: 200 });
      const scope = new corral.CancelScope();
      let started = () => {};
      const running = new Promise<void>((resolve) => started = resolve);
      const call = scope.run(() =>
        transaction(pool, async (sql) => {
          await sql`select 1`;
          started();
          await sql.unsafe(`select pg_sleep(30) /* ${marker} */`);
        }, { grace: 300 })
      );
      const ended = call.then(() => "ended", () => "ended");
      await running;
      ok(await eventually(async () => (await activeWith(marker)) === 1, 5000), "the body sleeps");
      proxy.freeze(); // the server (and every cancel request to it) goes silent
      scope.cancel("shutting down");
      const outcome = await corral.moveOnAfter(10_000, (signal) => corral.abortable(ended, { signal }));
      equal(outcome, "ended", "the cancelled transaction ended within its bounds, not hung on its rollback");
      equal(scope.cancelledCaught, true, "with the scope's own cancellation");
      equal(pool.stats.borrowed, 0, "the lease is back");
      equal(pool.stats.size, 0, "the connection that could not roll back is terminated, not reused");
    } finally {
      // The server never heard the cancel: end the sleep this case started.
      const admin = (await adminConnection()).sql;
      await admin`select pg_terminate_backend(pid) from pg_stat_activity
        where pid <> pg_backend_pid() and position(${marker} in query) > 0`;
    }
  });

  add("PG-33", "nested transactions are savepoints: an inner failure rolls back the inner part only", async () => {
    await using pool = await makePool({ max: 1 });
    await withTable(pool, async (table) => {
      await transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (1)`;
        const inner = new Error("inner");
        equal(
          await rejects(transaction(sql, async (tx) => {
            await tx`insert into ${tx(table)} values (2)`;
            throw inner;
          })),
          inner,
        );
        await transaction(sql, async (tx) => {
          await tx`insert into ${tx(table)} values (3)`;
          // A failed statement in a savepoint does not poison the outer transaction.
          await rejects(transaction(tx, (tx2) => tx2`insert into ${tx2(table)} values (3)`));
        });
      });
      deepEqual(await rows(pool, table), [1, 3]);
    });
  });

  add("PG-34", "the transaction context manager on an exit stack commits, and rolls back on error", async () => {
    await using pool = await makePool({ max: 2 });
    await withTable(pool, async (table) => {
      await corral.withExitStack(async (stack) => {
        const tx: PgSql = await stack.enter(transaction(pool));
        await tx`insert into ${tx(table)} values (1)`;
      });
      const boom = new Error("boom");
      const error = await rejects(corral.withExitStack(async (stack) => {
        const tx: PgSql = await stack.enter(transaction(pool, { isolation: "serializable" }));
        await tx`insert into ${tx(table)} values (2)`;
        throw boom;
      }));
      equal(error, boom, "the body's error, unchanged");
      await pool.use(async (sql) => {
        await corral.withContext(transaction(sql), async (tx) => {
          await tx`insert into ${tx(table)} values (3)`;
        });
      });
      deepEqual(await rows(pool, table), [1, 3]);
      equal(pool.stats.borrowed, 0, "every lease returned");
    });
  });

  add("PG-35", "isolation and read-only reach the server; a write in a read-only transaction fails", async () => {
    await using pool = await makePool({ max: 1 });
    const level = await transaction(pool, async (sql) => {
      const [row] = await sql<{ level: string; ro: string }[]>`
        select current_setting('transaction_isolation') as level, current_setting('transaction_read_only') as ro`;
      return row;
    }, { isolation: "serializable", readOnly: true });
    equal(level?.level, "serializable");
    equal(level?.ro, "on");
    const error = await rejects(
      transaction(pool, (sql) => sql`create temp table corral_ro (x int)`, { readOnly: true }),
    );
    equal((error as { code?: string }).code, "25006", "read_only_sql_transaction");
  });

  add(
    "PG-37",
    "a failed commit keeps the connection only for a real server error, not for a lookalike's name",
    async () => {
      await using pool = await makePool({ max: 1 });
      await withTable(pool, async (table) => {
        const pid = await pool.use((sql) => pidOf(sql));
        // A real server error at COMMIT (a deferred constraint): the session is usable, the connection kept.
        const deferred = `${table}_d`;
        await pool.use((sql) => sql`create table ${sql(deferred)} (x int unique deferrable initially deferred)`);
        try {
          const error = await rejects(transaction(pool, async (sql) => {
            await sql`insert into ${sql(deferred)} values (1), (1)`;
          }));
          equal((error as { code?: string }).code, "23505", "the server's unique violation, at commit");
          equal(await pool.use((sql) => pidOf(sql)), pid, "the same connection serves on");
        } finally {
          await pool.use((sql) => sql`drop table if exists ${sql(deferred)}`);
        }
        // Any other failure of the commit leaves the session unknown, whatever the error calls itself.
        const lookalike = Object.assign(new Error("the socket hiccuped"), { name: "PostgresError" });
        const proto = PostgresConnection.prototype;
        const bind = proto.bind;
        proto.bind = function (this: PostgresConnection, signal: AbortSignal): PgSql {
          const sql = bind.call(this, signal);
          const unsafe = sql.unsafe;
          sql.unsafe = ((text: string, ...rest: never[]) =>
            text === "commit" ? Promise.reject(lookalike) : unsafe(text, ...rest)) as typeof sql.unsafe;
          return sql;
        };
        try {
          equal(
            await rejects(transaction(pool, (sql) =>
              sql`insert into ${sql(table)} values (1)`)),
            lookalike,
          );
        } finally {
          proto.bind = bind;
        }
        ok(await pool.use((sql) => pidOf(sql)) !== pid, "the connection was terminated and replaced");
        deepEqual(await rows(pool, table), [], "the server rolled the transaction back");
      });
    },
  );

  add("PG-36", "a commit that the server turns into a rollback throws instead of pretending", async () => {
    await using pool = await makePool({ max: 1 });
    await withTable(pool, async (table) => {
      const error = await rejects(transaction(pool, async (sql) => {
        await sql`insert into ${sql(table)} values (1)`;
        await sql`select 1/0`.catch(() => {}); // swallowed: the transaction is now aborted
      }));
      ok(/rolled back/.test(String((error as Error).message)), String(error));
      deepEqual(await rows(pool, table), []);
    });
  });
}
