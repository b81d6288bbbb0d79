// Everyday use, option checks, and the session reset between borrowers.

import postgres from "postgres";
import { connect, createPostgresPool, type PgSql, pidOf, transaction } from "../../src/mod.ts";
import { adminConnection, env, makePool, url } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";

export function sessionCases({ add }: PgSuite): void {
  add("PG-01", "use() reads like the postgres package: templates, parameters, helpers, unsafe", async () => {
    await using pool = await makePool({ max: 2 });
    const rows = await pool.use((sql) => sql<{ n: number; s: string }[]>`select ${41}::int + 1 as n, ${"x"} as s`);
    deepEqual([...rows], [{ n: 42, s: "x" }]);
    const values = await pool.use((sql) => sql`select 1 as a, 2 as b`.values());
    deepEqual([...values], [[1, 2]]);
    const names = await pool.use((sql) =>
      sql<{ name: string }[]>`select ${sql("relname")} as name from pg_class where relname = ${"pg_class"}`
    );
    equal(names[0]?.name, "pg_class");
    const [row] = await pool.use((sql) => sql.unsafe("select $1::text as t", ["unsafe"]));
    equal(row?.t, "unsafe");
    equal(pool.stats.borrowed, 0, "borrowed");
  });

  add(
    "PG-00",
    "the suite runs on the postgres major its leg names ($CORRAL_POSTGRES_MAJOR), else on 3 or 4",
    async () => {
      const own = postgres(url());
      const major = "batch" in own ? "4" : "3"; // sql.batch() is new in postgres 4
      await own.end();
      const expected = env("CORRAL_POSTGRES_MAJOR");
      if (expected) equal(major, expected, "the postgres major");
      else ok(major === "3" || major === "4", `a supported major: ${major}`);
    },
  );

  add("PG-08", "a lease's query function has every query helper of the installed postgres (3 or 4)", async () => {
    // What belongs to the driver's pool, not to one connection's query function.
    const POOL_ONLY = new Set([
      ...["begin", "reserve", "end", "close", "listen", "subscribe", "largeObject"],
      ...["options", "parameters", "stats", "CLOSE", "END", "PostgresError"],
    ]);
    const own = postgres(url());
    const helpers = Object.keys(own).filter((key) => !POOL_ONLY.has(key));
    await own.end();
    await using pool = await makePool({ max: 1 });
    await pool.use(async (sql) => {
      deepEqual(helpers.filter((key) => !(key in sql)), [], "missing on the lease's query function");
      const batch = (sql as { batch?: (queries: unknown[]) => Promise<unknown[]> }).batch;
      if (batch) {
        // postgres 4: one round trip, through the lease (its signal, its lost-connection check)
        const [a, b] = await batch([sql`select 1 as n`, sql`select 2 as n`]) as { n: number }[][];
        deepEqual([a?.[0]?.n, b?.[0]?.n], [1, 2]);
      }
    });
    equal(pool.stats.destroyed, 0, "nothing destroyed");
  });

  add(
    "PG-09",
    "every connection of a pool reads arrays of the database's own types (enums), not only the first",
    async () => {
      const admin = (await adminConnection()).sql;
      const type = `corral_pg09_${Math.random().toString(36).slice(2, 10)}`;
      await admin`create type ${admin(type)} as enum ('red', 'green')`;
      try {
        await using pool = await makePool({ max: 2 });
        const read = (sql: PgSql) => sql<{ colours: unknown }[]>`select ${"{red,green}"}::${sql(type)}[] as colours`;
        // Two leases at once: two connections, the second opened after the first.
        const first = await pool.acquire();
        const second = await pool.acquire();
        try {
          ok(pidOf(first.resource) !== pidOf(second.resource), "two connections");
          for (const lease of [first, second]) deepEqual((await read(lease.resource))[0]?.colours, ["red", "green"]);
        } finally {
          await first.release();
          await second.release();
        }
      } finally {
        await admin`drop type if exists ${admin(type)}`;
      }
    },
  );

  add("PG-02", "bad options throw TypeError / RangeError naming the option, at the call", async () => {
    throws(() => createPostgresPool({ max: 0 }), RangeError, /max/);
    throws(() => createPostgresPool({ url: "mysql://x" }), TypeError, /'url'/);
    throws(() => createPostgresPool({ cancelGrace: -1 }), RangeError, /'cancelGrace'/);
    throws(() => createPostgresPool({ sessionReset: "never" as "auto" }), TypeError, /'sessionReset'/);
    await rejects(() => connect({ resetTimeout: Number.NaN }), RangeError, /'resetTimeout'/);
    await using pool = await makePool({ max: 1 });
    await rejects(
      transaction(pool, () => {}, { isolation: "chaotic" as "serializable" }),
      RangeError,
      /'isolation'/,
    );
    await rejects(transaction({} as never, () => {}), TypeError, /target/);
  });

  add(
    "PG-07",
    "negative and absurd numbers throw RangeError naming the option and the value, at the call",
    async () => {
      throws(() => createPostgresPool({ resetTimeout: -5 }), RangeError, /'resetTimeout'.*: received -5$/);
      // Host timers fire at once past 2^31 - 1 ms: every reset would time out.
      throws(() => createPostgresPool({ resetTimeout: 2 ** 31 }), RangeError, /'resetTimeout'.*: received 2147483648$/);
      throws(() => createPostgresPool({ cancelGrace: Infinity }), RangeError, /'cancelGrace'.*: received Infinity$/);
      throws(
        () => createPostgresPool({ postgres: { connect_timeout: -1 } }),
        RangeError,
        /'postgres.connect_timeout'.*: received -1$/,
      );
      throws(
        () => createPostgresPool({ postgres: { connect_timeout: 1e7 } }),
        RangeError,
        /'postgres.connect_timeout'.*: received 10000000$/,
      );
      throws(() => createPostgresPool({ postgres: { keep_alive: -1 } }), RangeError, /'postgres.keep_alive'.*-1$/);
      throws(
        () => createPostgresPool({ postgres: { connect_timeout: "5" as unknown as number } }),
        TypeError,
        /'postgres.connect_timeout'/,
      );
      await rejects(() => connect({ postgres: { connect_timeout: -1 } }), RangeError, /'postgres.connect_timeout'/);
      await using pool = await makePool({ max: 1 });
      await rejects(transaction(pool, () => {}, { grace: -1 }), RangeError, /'grace'.*: received -1$/);
      await rejects(transaction(pool, () => {}, { grace: Infinity }), RangeError, /'grace'.*: received Infinity$/);
      throws(() => transaction(pool, { grace: 2 ** 31 }), RangeError, /'grace'.*: received 2147483648$/);
      equal(pool.stats.size, 0, "nothing was borrowed for a refused call");
    },
  );

  add("PG-87", "the driver options corral sets itself are refused, pointing to corral's own", async () => {
    const owned = (postgres: Record<string, unknown>) => createPostgresPool({ postgres: postgres as never });
    throws(
      () => owned({ max: 20 }),
      TypeError,
      /'postgres.max' is set by corral, .*use the pool's 'max', received 20$/,
    );
    throws(
      () => owned({ idle_timeout: 30 }),
      TypeError,
      /'postgres.idle_timeout' .*use the pool's 'idleTimeout' \(in ms\), received 30$/,
    );
    throws(
      () => owned({ max_lifetime: 600 }),
      TypeError,
      /'postgres.max_lifetime' .*use the pool's 'maxLifetime' \(in ms\), received 600$/,
    );
    throws(() => owned({ onnotify: () => {} }), TypeError, /'postgres.onnotify' .*listen\(\)/);
    throws(() => owned({ onclose: () => {} }), TypeError, /'postgres.onclose' .*conn.lost or conn.broken/);
    // Every one at once, and the same from connect().
    throws(() => owned({ max: 2, idle_timeout: 1 }), TypeError, /'postgres.max' .*'postgres.idle_timeout'/);
    await rejects(() => connect({ postgres: { max: 2 } }), TypeError, /'postgres.max' is set by corral/);
    // Left undefined, they pass.
    await owned({ max: undefined }).close();
  });

  add("PG-03", "a released session is reset: transaction, settings, listen, locks, temp tables, cursors", async () => {
    await using pool = await makePool({ max: 1 });
    const first = await pool.acquire();
    const sql = first.resource;
    const pid = pidOf(sql);
    await sql`begin`;
    await sql`set application_name = 'dirty'`;
    await sql`set search_path = nowhere`;
    await sql`listen corral_reset_channel`;
    await sql`select pg_advisory_lock(4242)`;
    await sql`create temp table corral_reset_tmp (x int)`;
    await sql`declare corral_cursor cursor with hold for select 1`;
    await first.release();

    const state = await pool.use(async (sql2) => {
      equal(pidOf(sql2), pid, "the same connection is reused (reset, not replaced)");
      const [row] = await sql2<Record<string, unknown>[]>`
        select current_setting('application_name') as app,
               current_setting('search_path') as path,
               (select count(*)::int from pg_listening_channels()) as channels,
               (select count(*)::int from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks,
               (select count(*)::int from pg_cursors where name <> '') as cursors,
               to_regclass('pg_temp.corral_reset_tmp') is null as no_temp,
               txid_current_if_assigned() is null as fresh_tx`;
      return row;
    });
    equal(state?.app, "corral", "application_name");
    equal(state?.path, '"$user", public', "search_path");
    equal(state?.channels, 0, "listening channels");
    equal(state?.locks, 0, "advisory locks");
    equal(state?.cursors, 0, "cursors");
    equal(state?.no_temp, true, "temp table dropped");
    equal(state?.fresh_tx, true, "no transaction left open");
  });

  add("PG-04", "a query through a lease that has ended throws instead of running on someone else's lease", async () => {
    await using pool = await makePool({ max: 1 });
    let kept: unknown;
    await pool.use((sql) => {
      kept = sql;
    });
    throws(() => (kept as (s: TemplateStringsArray) => unknown)`select 1` as never, Error, /lease has ended/);
    ok((await pool.use((sql) => sql`select 1`)).length === 1);
  });

  add("PG-06", "cursor() and forEach() work through a lease, which ends cleanly after them", async () => {
    await using pool = await makePool({ max: 1 });
    let pid = 0;
    const batches = await pool.use(async (sql) => {
      pid = pidOf(sql);
      const sizes: number[] = [];
      for await (const rows of sql`select generate_series(1, 10) as x`.cursor(4)) sizes.push(rows.length);
      return sizes;
    });
    deepEqual(batches, [4, 4, 2]);
    let seen = 0;
    await pool.use((sql) => sql`select generate_series(1, 5) as x`.forEach(() => void seen++));
    equal(seen, 5);
    const [row] = await pool.use((sql) => sql<{ pid: number }[]>`select pg_backend_pid() as pid`);
    equal(row?.pid, pid, "the same connection throughout");
    equal(pool.stats.destroyed, 0, "nothing destroyed");
  });

  add("PG-05", "connect() opens one dedicated connection; bind(signal) cancels its queries", async () => {
    const admin = await adminConnection();
    await using conn = await connect();
    ok(conn.pid !== admin.pid, "a connection of its own");
    const [row] = await conn.sql<{ one: number }[]>`select 1 as one`;
    equal(row?.one, 1);
    const controller = new AbortController();
    const reason = new Error("stop");
    const slow = conn.bind(controller.signal)`select pg_sleep(30)`;
    setTimeout(() => controller.abort(reason), 50);
    equal(await rejects(slow), reason, "rejects with the signal's reason");
    await conn.reset();
    const [again] = await conn.sql<{ two: number }[]>`select 2 as two`;
    equal(again?.two, 2, "the connection stays usable");
  });
}
