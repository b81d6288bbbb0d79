/**
 * A corral pool of PostgreSQL connections (asyncpg's `create_pool`): each
 * resource is the `postgres` package's query function bound to one server
 * connection, and every query through it obeys the lease's signal.
 *
 * @module
 */

import {
  type AcquireOptions,
  countLive,
  currentSignal,
  Lease,
  Pool,
  type PoolOptions,
  type UseOptions,
} from "@corral/core";
import { type Binding, openBinding } from "./internal/binding.ts";
import { closeBinding } from "./internal/cancel.ts";
import { bindingOf } from "./internal/query-function.ts";
import { type ConnectionOptions, resolveConnectionOptions } from "./options.ts";
import type { PgSql, PostgresConnection } from "./connection.ts";
import { openConnection } from "./connect.ts";
import { onAbort } from "./internal/live.ts";

/** Options for {@linkcode createPostgresPool}: the connection's, and the pool's limits. */
export interface PostgresPoolOptions
  extends
    ConnectionOptions,
    Omit<PoolOptions<PgSql>, "create" | "destroy" | "validate" | "reset" | "isBroken" | "max"> {
  /** The most connections at once. Default 10. */
  max?: number;
}

const CONNECTION_KEYS: ReadonlySet<string> = new Set([
  "url",
  "postgres",
  "cancelGrace",
  "resetTimeout",
  "sessionReset",
]);

/** A connection found dead when it was about to be lent; the pool destroys it and lends another. */
const STALE: unique symbol = Symbol("stale connection");

/** A body that succeeded on a connection whose reset then failed: the value goes to the caller, the connection to the bin. */
class ResetFailed {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

function bindingOfResource(sql: PgSql): Binding {
  return bindingOf(sql)!;
}

function connectionOf(sql: PgSql): PostgresConnection {
  return bindingOf(sql)!.link as PostgresConnection;
}

// The session reset runs here, when a lease ends, rather than in the pool's
// `reset` hook: the hook runs under a guard (a signal and a timer per
// release) even when there is nothing to reset, which costs more than the
// query on Node 20. The reset has its own bounds (cancelGrace, resetTimeout)
// and obeys no signal, so a cancelled borrower cannot cut it short.

/** Ends a lease's binding; resolves true when the session is clean again (false: the connection was terminated). */
function endLease(sql: PgSql): boolean | Promise<boolean> {
  const conn = connectionOf(sql);
  conn.endLease(bindingOfResource(sql));
  if (!conn.needsReset) return true;
  return conn.reset().then(() => true, () => false);
}

function succeeded<R>(sql: PgSql, value: R): R | Promise<R> {
  const clean = endLease(sql);
  if (clean === true) return value;
  if (clean === false) throw new ResetFailed(value);
  return clean.then((ok) => {
    if (!ok) throw new ResetFailed(value);
    return value;
  });
}

function failed(sql: PgSql, error: unknown): never | Promise<never> {
  // A connection whose reset fails is terminated: broken, so isBroken
  // destroys it. The caller sees its own error either way.
  const clean = endLease(sql);
  if (typeof clean === "boolean") throw error;
  return clean.then(() => {
    throw error;
  });
}

/** How a lease from {@linkcode PostgresPool.acquire} ends: set by the first release() or destroy(). */
const ENDING: unique symbol = Symbol("lease ending");
type PgLease = Lease<PgSql> & { [ENDING]?: Promise<void> };
const DONE: Promise<void> = Promise.resolve();

async function giveBack(lease: Lease<PgSql>): Promise<void> {
  const sql = lease.resource;
  const clean = await endLease(sql);
  await (clean ? Lease.prototype.release.call(lease) : Lease.prototype.destroy.call(lease, connectionOf(sql).lost));
}

// A lease ends exactly once: the first release() or destroy() decides how,
// and every later call (concurrent or not) returns that same promise, so the
// session is reset once and a connection is never destroyed under its reset.
// A lease the pool already ended (terminate, close's timeout) ends at once.
function releaseOnce(this: PgLease): Promise<void> {
  return this[ENDING] ??= this.active ? giveBack(this) : DONE;
}

function destroyOnce(this: PgLease, error?: unknown): Promise<void> {
  return this[ENDING] ??= this.active ? Lease.prototype.destroy.call(this, error) : DONE;
}

/**
 * Links `scope` into a lease's query signal: the queries obey both the lease
 * signal (close, terminate) and the caller's scope. The two listeners count
 * in corral's diagnostics() until `unlink` (the lease's end) removes them.
 */
function linked(lease: AbortSignal, scope: AbortSignal): { signal: AbortSignal; unlink: (() => void) | undefined } {
  const controller = new AbortController();
  if (scope.aborted) controller.abort(scope.reason);
  else if (lease.aborted) controller.abort(lease.reason);
  if (controller.signal.aborted) return { signal: controller.signal, unlink: undefined };
  const onScope = () => controller.abort(scope.reason);
  const onLease = () => controller.abort(lease.reason);
  scope.addEventListener("abort", onScope, { once: true });
  lease.addEventListener("abort", onLease, { once: true });
  countLive("listeners", 1);
  countLive("listeners", 1);
  return {
    signal: controller.signal,
    unlink: () => {
      scope.removeEventListener("abort", onScope);
      lease.removeEventListener("abort", onLease);
      countLive("listeners", -1);
      countLive("listeners", -1);
    },
  };
}

/**
 * The pool {@linkcode createPostgresPool} returns: a corral `Pool` whose
 * resource is a query function. `use(fn, { signal })` hands `fn` the query
 * function and the lease signal; every query made through it is cancelled on
 * the server when that signal aborts. A lease from `acquire()` ties its
 * queries to the lease signal and to the acquire's `signal` (or the ambient
 * one).
 */
export class PostgresPool extends Pool<PgSql> {
  readonly #max: number;

  /** @internal Use {@linkcode createPostgresPool}. */
  constructor(options: PoolOptions<PgSql>) {
    super(options);
    this.#max = options.max;
  }

  /**
   * Borrows a connection; see `Pool.acquire`. Its query function obeys the
   * lease signal and `options.signal` (default: the ambient signal). The
   * lease ends exactly once: the first `release()` (which resets the session
   * when needed) or `destroy()` decides how, and later or concurrent calls
   * return the same promise.
   *
   * @param options `signal`, `timeout`
   * @returns the lease
   */
  override async acquire(options?: AcquireOptions): Promise<Lease<PgSql>> {
    for (let attempt = 0;; attempt++) {
      const lease = await super.acquire(options);
      const sql = lease.resource;
      if (connectionOf(sql).broken && attempt <= this.#max) {
        await lease.destroy(connectionOf(sql).lost);
        continue;
      }
      const scope = options?.signal ?? currentSignal();
      if (scope === undefined) openBinding(bindingOfResource(sql), lease.signal);
      else {
        const { signal, unlink } = linked(lease.signal, scope);
        openBinding(bindingOfResource(sql), signal, unlink);
      }
      // Giving the lease back resets the session first (`await using` calls
      // release() too); a failed reset destroys the connection instead.
      (lease as PgLease).release = releaseOnce;
      (lease as PgLease).destroy = destroyOnce;
      return lease;
    }
  }

  /**
   * Runs `fn(sql, signal)` with a borrowed connection; see `Pool.use`. The
   * queries `fn` makes through `sql` are cancelled on the server when
   * `signal` aborts (the caller's `options.signal`, the ambient signal, or a
   * shutdown). Afterwards the session is reset if a query may have changed
   * it — also when `fn` threw: a failed body does not make the connection
   * broken; a lost connection does, and is destroyed.
   *
   * @param fn the work
   * @param options `signal`, `timeout`
   * @returns `fn`'s value
   */
  override async use<R>(
    fn: (sql: PgSql, signal: AbortSignal) => R | PromiseLike<R>,
    options?: UseOptions,
  ): Promise<Awaited<R>> {
    if (typeof fn !== "function") return super.use(fn, options);
    const body = (sql: PgSql, signal: AbortSignal): R | Promise<R> => {
      const b = bindingOfResource(sql);
      if ((b.link as PostgresConnection).broken) throw STALE;
      openBinding(b, signal);
      let result: R | PromiseLike<R>;
      try {
        result = fn(sql, signal);
      } catch (error) {
        return failed(sql, error);
      }
      if (result === null || typeof result !== "object" || typeof (result as PromiseLike<R>).then !== "function") {
        return succeeded(sql, result as R);
      }
      return Promise.resolve(result).then((value) => succeeded(sql, value), (error) => failed(sql, error));
    };
    for (let attempt = 0;; attempt++) {
      try {
        return await super.use(body, options);
      } catch (error) {
        if (error instanceof ResetFailed) return error.value as Awaited<R>;
        if (error !== STALE || attempt > this.#max) throw error;
      }
    }
  }
}

/**
 * Makes a pool of PostgreSQL connections (asyncpg's `create_pool`). Each
 * connection is a dedicated `postgres` session (never silently reopened);
 * on release its session is reset when a query may have changed it
 * (`sessionReset`); after sitting idle (`validateAfterIdle`) it is checked
 * with `select 1`; a lost connection is destroyed and replaced.
 *
 * @param options `url` (default `DATABASE_URL`, else `postgres://127.0.0.1:5432/test`), `max` (default 10), `min`, and the other pool and connection options
 * @returns the pool
 * @throws {TypeError} / {RangeError} naming a bad option, at once
 * @example The asyncpg pool idiom
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool } from "@corral/postgres";
 * await using pool = createPostgresPool({ min: 2, max: 10 });
 * await pool.ready();
 * const rows = await pool.use((sql) => sql<{ n: number }[]>`select ${41}::int + 1 as n`);
 * assert(rows[0]?.n === 42 && pool.stats.idle === 2);
 * ```
 */
export function createPostgresPool(options?: PostgresPoolOptions): PostgresPool {
  const what = "create postgres pool";
  const connection = resolveConnectionOptions(what, options);
  const pool: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!CONNECTION_KEYS.has(key)) pool[key] = value;
  }
  return new PostgresPool({
    max: 10,
    ...pool,
    async create(signal) {
      const conn = await openConnection(connection, signal);
      const { binding, sql } = conn.lease(undefined);
      binding.closed = "the connection is not lent out";
      return sql;
    },
    destroy(sql, signal) {
      const conn = connectionOf(sql);
      closeBinding(bindingOfResource(sql), "its connection was destroyed");
      if (conn.broken) return conn.terminate();
      const unlisten = onAbort(signal, () => void conn.terminate());
      return conn.close().finally(unlisten);
    },
    validate(sql) {
      return connectionOf(sql).ping();
    },
    isBroken(error, sql) {
      return error instanceof ResetFailed || connectionOf(sql).broken;
    },
  });
}
