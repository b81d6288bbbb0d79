/**
 * A corral pool of PostgreSQL connections (asyncpg's `create_pool`): each
 * resource is the `postgres` package's query function bound to one server
 * connection, and every query through it obeys the lease's signal.
 *
 * @module
 */

import { checkOptionNames, createPool, type Pool, type PoolOptions } from "@corral/core";
import { openBinding } from "./internal/binding.ts";
import { closeBinding } from "./internal/cancel.ts";
import { bindingOf } from "./internal/query-function.ts";
import { CONNECTION_KEYS, type ConnectionOptions, resolveConnectionOptions } from "./options.ts";
import type { PgSql, PostgresConnection } from "./connection.ts";
import { openConnection } from "./connect.ts";
import { binder, poolSql } from "./internal/pool-query.ts";
import type { PoolSql } from "./pool-sql.ts";

/**
 * Options for {@linkcode createPostgresPool}: the connection's, and every
 * pool option but the hooks the driver owns (`create`, `destroy`,
 * `validate`, `reset`, `isBroken`, `isAlive`, `setup`).
 */
export interface PostgresPoolOptions extends
  ConnectionOptions,
  Omit<
    PoolOptions<PgSql>,
    "create" | "destroy" | "validate" | "reset" | "isBroken" | "isAlive" | "setup" | "max" | "maxShared"
  > {
  /** The most connections at once. Default 10. */
  max?: number;
  /**
   * How many pool queries ({@linkcode PostgresPool.sql}) one connection
   * pipelines at once: an integer >= 1. Default 16. Set 1 to turn
   * pipelining off behind PgBouncer in transaction mode or Supavisor,
   * which can wedge a connection that pipelines (porsager/postgres#970).
   */
  maxShared?: number;
}

/**
 * The pool {@linkcode createPostgresPool} returns: a plain corral `Pool`
 * whose resource is a query function bound to one connection (for
 * exclusive leases: `use`, `acquire`, `transaction`), with two query
 * functions of its own whose queries run on shared leases, pipelined.
 */
export interface PostgresPool extends Pool<PgSql> {
  /**
   * Runs a query on the pool itself (asyncpg's `pool.fetch`): on a shared
   * lease, pipelined with other callers' queries on one connection, and
   * answered with its rows. It obeys the ambient signal (`currentSignal()`):
   * when that aborts, a query not yet sent is never sent, one waiting
   * behind others is withdrawn, and only a running one gets the protocol's
   * cancel request — never a neighbour's query. A query that may change
   * session state (`SET`, `BEGIN`, `LISTEN`, a temporary table, an
   * advisory lock, …) runs on an exclusive lease instead.
   *
   * @example Queries from many tasks, pipelined
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPostgresPool } from "@corral/postgres";
   * await using pool = createPostgresPool({ max: 2 });
   * const rows = await Promise.all(
   *   Array.from({ length: 20 }, (_, i) => pool.sql<{ n: number }[]>`select ${i}::int as n`),
   * );
   * assert.deepEqual(rows.map((r) => r[0]!.n), Array.from({ length: 20 }, (_, i) => i));
   * assert(pool.stats.size <= 2);
   * ```
   */
  readonly sql: PoolSql;
  /**
   * {@linkcode PostgresPool.sql} with an explicit signal: the queries obey
   * `signal` instead of the ambient one.
   *
   * @param signal the signal the queries obey
   * @returns the query function (the same one for the same signal)
   * @example A deadline for one query
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPostgresPool } from "@corral/postgres";
   * await using pool = createPostgresPool({ max: 1 });
   * const slow = pool.bind(AbortSignal.timeout(100))`select pg_sleep(10)`;
   * const quick = pool.sql<{ one: number }[]>`select 1 as one`; // pipelined behind it
   * const error = await slow.catch((e) => e);
   * assert(error.name === "TimeoutError"); // the server stopped the sleep
   * assert((await quick)[0]!.one === 1); // and not its neighbour
   * ```
   */
  bind(signal: AbortSignal): PoolSql;
}

/** Every pool option {@linkcode PostgresPoolOptions} adds (a record, so the compiler insists on each). */
const POOL_NAMES: Record<Exclude<keyof PostgresPoolOptions, keyof ConnectionOptions>, true> = {
  max: true,
  min: true,
  acquireTimeout: true,
  idleTimeout: true,
  validateAfterIdle: true,
  maxLifetime: true,
  maxLifetimeJitter: true,
  maxUses: true,
  leakTimeout: true,
  cleanupTimeout: true,
  retryDelay: true,
  maxRetryDelay: true,
  maxShared: true,
};
const POOL_KEYS: readonly string[] = [...CONNECTION_KEYS, ...Object.keys(POOL_NAMES)];
const CONNECTION: ReadonlySet<string> = new Set(CONNECTION_KEYS);

function connectionOf(sql: PgSql): PostgresConnection {
  return bindingOf(sql)!.link as PostgresConnection;
}

// The hooks. Each lease opens the connection's one binding with the lease's
// signal (setup) and closes it when the lease ends (reset, or destroy). The
// core ties the lease's signal to the borrower's (acquire's `signal`, else
// the ambient one) and keeps a lease's end to exactly once; the driver only
// says what a lease's start and end do to the connection.

/** A connection found lost (its socket closed, or it was terminated) is never lent: the pool lends another. */
function isAlive(sql: PgSql): boolean {
  return !connectionOf(sql).broken;
}

/** Binds the lease's queries to its signal. */
function setup(sql: PgSql, signal: AbortSignal): void {
  openBinding(bindingOf(sql)!, signal);
}

/**
 * Ends the lease's binding, then resets the session if a query may have
 * changed it. Returns nothing when the session is clean (the common case:
 * the pool arms no timer for it); else the reset's promise, which obeys no
 * signal — a cancelled borrower cannot cut it short — and has its own
 * bounds (`cancelGrace`, `resetTimeout`) within the pool's `cleanupTimeout`.
 * A reset that fails terminates the connection, and the pool destroys it;
 * `use()` still returns its function's value.
 */
function reset(sql: PgSql): Promise<void> | undefined {
  const binding = bindingOf(sql)!;
  const conn = binding.link as PostgresConnection;
  conn.endLease(binding);
  return conn.needsReset ? conn.reset() : undefined;
}

/**
 * Closes a clean connection politely (queries already sent finish first)
 * within the pool's grace (`cleanupTimeout`), then at once. A lost one, or one whose session is dirty
 * (a reset the pool gave up on may still be running), is terminated.
 */
function destroy(sql: PgSql, grace: number): Promise<void> {
  const binding = bindingOf(sql)!;
  const conn = binding.link as PostgresConnection;
  closeBinding(binding, "its connection was destroyed");
  if (conn.broken || conn.dirty) return conn.terminate();
  // The polite close carries its own bound: once it has started, the
  // driver's end cannot be turned into a termination any more, so a close
  // waiting on a query a silent server never answers would keep its socket.
  return conn.close({ timeout: grace });
}

/** An error thrown by `use()`'s function keeps the connection (it is reset) unless the connection is lost. */
function isBroken(_error: unknown, sql: PgSql): boolean {
  return connectionOf(sql).broken;
}

function validate(sql: PgSql): Promise<boolean> {
  return connectionOf(sql).ping();
}

/**
 * Makes a pool of PostgreSQL connections (asyncpg's `create_pool`): a plain
 * corral `Pool` (`createPool` with the driver's hooks) whose resource is a
 * query function bound to one dedicated `postgres` session, never silently
 * reopened.
 *
 * - `use(fn, { signal })` hands `fn` the query function and the lease
 *   signal; `acquire({ signal })` gives a lease whose query function obeys
 *   its signal. That signal aborts with the caller's `signal` (default: the
 *   ambient one) and when `close()` stops waiting; every query made through
 *   the lease is then cancelled on the server.
 * - A lease ends exactly once: the first `release()` (which resets the
 *   session when a query may have changed it, `sessionReset`) or
 *   `destroy()` decides how; later or concurrent calls do nothing more. An
 *   error thrown by `use()`'s function resets the connection and keeps it;
 *   a lost connection is destroyed and replaced.
 * - A connection known to be lost is never lent; one idle longer than
 *   `validateAfterIdle` is checked with `select 1` first.
 *
 * @param options `url` (default `DATABASE_URL`, else `postgres://127.0.0.1:5432/test`), `max` (default 10), `min`, and the other pool and connection options
 * @returns the pool
 * @throws {TypeError} / {RangeError} naming a bad option, at once (every unknown option, each with the nearest
 * known one: `max_size` → `max`, `connectionString` → `url`)
 * @example The asyncpg pool idiom
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool } from "@corral/postgres";
 * await using pool = createPostgresPool({ min: 2, max: 10 });
 * await pool.ready();
 * const rows = await pool.use((sql) => sql<{ n: number }[]>`select ${41}::int + 1 as n`);
 * assert(rows[0]?.n === 42 && pool.stats.idle === 2);
 * ```
 * @example A lease that ends with its request
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 1 });
 * const request = new AbortController();
 * {
 *   await using lease = await pool.acquire({ signal: request.signal });
 *   const slow = lease.resource`select pg_sleep(10)`;
 *   request.abort(new Error("client went away")); // the server stops the sleep
 *   const error = await slow.catch((e) => e);
 *   assert(error.message === "client went away");
 * } // released: the session is reset, the connection reused
 * assert(pool.stats.idle === 1 && pool.stats.destroyed === 0);
 * ```
 */
export function createPostgresPool(options?: PostgresPoolOptions): PostgresPool {
  const what = "create postgres pool";
  if (typeof options === "object" && options !== null) checkOptionNames(what, options, POOL_KEYS, "pool option");
  const connection = resolveConnectionOptions(what, options);
  const pool: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!CONNECTION.has(key)) pool[key] = value;
  }
  const cleanup = (options as { cleanupTimeout?: unknown } | undefined)?.cleanupTimeout;
  const grace = typeof cleanup === "number" && cleanup >= 0 && Number.isFinite(cleanup) ? cleanup : 5000;
  const made = createPool<PgSql>({
    max: 10,
    maxShared: 16,
    ...pool,
    async create(signal) {
      const conn = await openConnection(connection, signal);
      const { binding, sql } = conn.lease(undefined);
      binding.closed = "the connection is not lent out";
      return sql;
    },
    destroy: (sql: PgSql) => destroy(sql, grace * 0.9),
    validate,
    isAlive,
    setup,
    reset,
    isBroken,
  }) as PostgresPool;
  Object.defineProperties(made, {
    sql: { value: poolSql(made, undefined, true) },
    bind: { value: binder(made) },
  });
  return made;
}
