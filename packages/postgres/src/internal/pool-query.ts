// Queries on the pool itself (`pool.sql`, `pool.bind(signal)`): each runs
// on a shared lease, so several callers' queries pipeline down one
// connection (up to the pool's `maxShared`), each obeying its own signal
// (cancel.ts keeps a cancel from touching a neighbour). A query that may
// change session state runs on an exclusive lease instead: a pipelined
// connection has no session of anyone's.

import { abortReasonOf, currentSignal, type Pool } from "@corral/core";
import { binding } from "./binding.ts";
import { bindingOf, queryOn } from "./query-function.ts";
import { touchesSession } from "./session.ts";
import type { PgSql, PostgresConnection } from "../connection.ts";
import type { PoolSql } from "../pool-sql.ts";

function connectionOf(sql: PgSql): PostgresConnection {
  return bindingOf(sql)!.link as PostgresConnection;
}

async function shared(
  pool: Pool<PgSql>,
  signal: AbortSignal | undefined,
  strings: readonly string[],
  values: readonly unknown[],
  text: boolean,
): Promise<unknown> {
  const lease = await pool.acquire({ shared: true, signal });
  const conn = connectionOf(lease.resource);
  let result: unknown;
  try {
    // The caller's signal, heard once however many of its queries are in
    // flight (a lease's signal is one per query); without one, the lease's,
    // which aborts when close() stops waiting. A pool query outliving
    // close()'s timeout with a signal of its own fails when its connection
    // is terminated.
    result = await queryOn(binding(conn, signal ?? lease.signal), strings, values, text);
  } catch (error) {
    // A lost connection is retired (its other sharers fail too); an aborted
    // query's caller does not wait for the cleanup of its cancellation.
    if (conn.broken) void lease.destroy(error);
    else void lease.release();
    throw error;
  }
  await lease.release();
  return result;
}

function exclusive(
  pool: Pool<PgSql>,
  signal: AbortSignal | undefined,
  strings: readonly string[],
  values: readonly unknown[],
  text: boolean,
): Promise<unknown> {
  return pool.use(
    (sql) =>
      text
        ? sql.unsafe(strings[0]!, values as never)
        : (sql as unknown as (...a: unknown[]) => Promise<unknown>)(strings, ...values),
    { signal },
  );
}

/** The query function of `pool` whose queries obey `signal` (the ambient signal when `ambient`). */
export function poolSql(pool: Pool<PgSql>, signal: AbortSignal | undefined, ambient: boolean): PoolSql {
  const go = (strings: readonly string[], values: readonly unknown[], text: boolean): Promise<unknown> => {
    const s = ambient ? currentSignal() : signal;
    if (s?.aborted) return Promise.reject(abortReasonOf(s));
    return touchesSession(strings) ? exclusive(pool, s, strings, values, text) : shared(pool, s, strings, values, text);
  };
  const sql =
    ((strings: TemplateStringsArray, ...values: unknown[]) => go(strings, values, false)) as unknown as PoolSql;
  sql.unsafe =
    ((text: string, parameters?: readonly unknown[]) => go([text], parameters ?? [], true)) as PoolSql["unsafe"];
  return sql;
}

/** `pool.bind(signal)`: one query function per signal, kept while the signal lives. */
export function binder(pool: Pool<PgSql>): (signal: AbortSignal) => PoolSql {
  const made = new WeakMap<AbortSignal, PoolSql>();
  return (signal: AbortSignal) => {
    let sql = made.get(signal);
    if (sql === undefined) made.set(signal, sql = poolSql(pool, signal, false));
    return sql;
  };
}
