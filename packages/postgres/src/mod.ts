/**
 * `@corral/postgres`: PostgreSQL connections as pooled, cancellable, scoped
 * resources, on the `postgres` package — on Node, Deno and Bun.
 *
 * - `createPostgresPool()` — a corral `Pool` whose resource is the
 *   `postgres` query function bound to one connection:
 *   `pool.use((sql, signal) => sql\`select …\`, { signal })`.
 * - Cancellation reaches the server: when the lease's signal aborts during
 *   a query, the protocol's cancel request is sent, the query rejects with
 *   the signal's reason, and the connection comes back clean (or is
 *   destroyed) — never lent to someone else mid-query.
 * - `transaction()` — commit, or roll back on error and on cancellation;
 *   nested calls are savepoints; also a context manager for exit stacks.
 * - `listen()` — notifications as an async iterator that ends with its scope.
 * - `connect()` — one dedicated connection (asyncpg's `connect`).
 *
 * @example Cancel a slow query with a deadline
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveOnAfter } from "@corral/core";
 * import { createPostgresPool } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 10 });
 * const rows = await moveOnAfter(200, (signal) => pool.use((sql) => sql`select pg_sleep(10)`, { signal }));
 * // undefined after 200 ms; the server stopped the sleep, the connection is back in the pool
 * assert(rows === undefined && pool.stats.borrowed === 0);
 * ```
 *
 * @module
 */

export { type AddressSource, ConnectError, ConnectionLostError } from "./errors.ts";
export { type ConnectionOptions, DEFAULT_URL, type PostgresOptions } from "./options.ts";
export { type Notification, type PgSql, PostgresConnection } from "./connection.ts";
export { connect, type ConnectOptions } from "./connect.ts";
export { createPostgresPool, type PostgresPool, type PostgresPoolOptions } from "./pool.ts";
export type { PoolSql } from "./pool-sql.ts";
export { pidOf } from "./pid.ts";
export {
  type Isolation,
  type PostgresLeaseLike,
  type PostgresPoolLike,
  transaction,
  type TransactionOptions,
  type TransactionTarget,
} from "./transaction.ts";
export { listen, type ListenOptions } from "./listen.ts";
// Types the public signatures name, so the documentation can link them: the
// core's pool and context manager, and the `postgres` package's namespace
// (its options type is what ConnectionOptions["postgres"] is).
export type { default as postgres } from "postgres";
export type {
  AcquireOptions,
  CloseOptions,
  ContextManager,
  GeneratorContextManager,
  Lease,
  Pool,
  PoolErrorPhase,
  PoolEvent,
  PoolEventListener,
  PoolEventType,
  PoolListenerOptions,
  PoolOptions,
  PoolStats,
  ReadyOptions,
  UseOptions,
} from "@corral/core";
