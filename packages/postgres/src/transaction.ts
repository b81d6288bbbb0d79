/**
 * Transactions (asyncpg's `async with conn.transaction():`): commit when the
 * body succeeds, roll back when it throws or is cancelled, nest as
 * savepoints.
 *
 * @module
 */

import { abortReasonOf, GeneratorContextManager } from "@corral/core";
import { bindingOf } from "./internal/query-function.ts";
import { begin, bindingFor, checkTxOptions, type Isolation, type TxOptions } from "./internal/tx.ts";
import { type PgSql, PostgresConnection } from "./connection.ts";

export type { Isolation };

/** Options for {@linkcode transaction}. */
export interface TransactionOptions {
  /** `isolation level …` for the transaction (ignored by savepoints). */
  isolation?: Isolation;
  /** `read only` (true) or `read write` (false). Default: the server's. */
  readOnly?: boolean;
  /** `deferrable` (with `serializable` and `readOnly`). */
  deferrable?: boolean;
  /**
   * The body's queries obey this signal. Default: the lease's (or the query
   * function's) own signal.
   */
  signal?: AbortSignal;
  /** How long the commit or the rollback may take once it starts, in ms (0 to 2^31 − 1). Default: 5000. */
  grace?: number;
}

/** A lease on a pool of connections, as `pool.acquire()` gives it. */
export interface PostgresLeaseLike {
  /** The leased connection's query function. */
  readonly resource: PgSql;
  /** Gives the connection back to its pool. */
  release(): unknown;
}

/** A pool of connections, as `createPostgresPool` gives it. */
export interface PostgresPoolLike {
  /** Borrows a connection until the lease is released. */
  acquire(options?: { signal?: AbortSignal }): Promise<PostgresLeaseLike>;
  /** Runs `fn` on a borrowed connection and gives it back when `fn` settles. */
  use<R>(fn: (sql: PgSql, signal: AbortSignal) => R | PromiseLike<R>, options?: { signal?: AbortSignal }): Promise<R>;
}

/** Where a transaction runs: a pool (it borrows a connection), a lease, a connection, or a query function. */
export type TransactionTarget = PgSql | PostgresConnection | PostgresLeaseLike | PostgresPoolLike;

const NEVER: AbortSignal = new AbortController().signal;

/** @internal A pool (it lends connections), told from a lease, a connection or a query function by its shape. */
export function isPool(target: unknown): target is PostgresPoolLike {
  return typeof target === "object" && target !== null && typeof (target as PostgresPoolLike).use === "function" &&
    typeof (target as PostgresPoolLike).acquire === "function";
}

function sqlOf(target: TransactionTarget): unknown {
  if (target instanceof PostgresConnection) return target.sql;
  if (bindingOf(target)) return target;
  return (target as PostgresLeaseLike | undefined)?.resource;
}

async function run<R>(
  sql: unknown,
  fn: (sql: PgSql, signal: AbortSignal) => R | PromiseLike<R>,
  options: TxOptions | undefined,
): Promise<Awaited<R>> {
  const tx = await begin(bindingFor("run a transaction", sql), options);
  let result: Awaited<R>;
  try {
    result = await fn(tx.sql, tx.signal ?? NEVER);
  } catch (error) {
    await tx.rollback();
    throw error;
  }
  await tx.commit();
  return result;
}

/** What the transaction's generator shares with its manager. */
interface ManagedState {
  /** The signal the body's queries obey, once the transaction has begun. */
  signal: AbortSignal | undefined;
  /** True while the block runs (between begin and the commit or rollback). */
  open: boolean;
}

async function* managed(
  target: TransactionTarget,
  options: TransactionOptions | undefined,
  state: ManagedState,
): AsyncGenerator<PgSql, void, undefined> {
  let lease: PostgresLeaseLike | undefined;
  if (isPool(target)) lease = await target.acquire({ signal: options?.signal });
  try {
    const tx = await begin(bindingFor("enter a transaction", lease ? lease.resource : sqlOf(target)), options);
    state.signal = tx.signal;
    state.open = true;
    try {
      yield tx.sql;
    } catch (error) {
      await tx.rollback();
      throw error;
    } finally {
      state.open = false;
    }
    await tx.commit();
  } finally {
    await lease?.release();
  }
}

/**
 * The context manager `transaction(target, options)` returns. `exit(error)`
 * (withContext, ExitStack) rolls back on an error and commits otherwise. A
 * bare `await using` cannot show the disposer the block's error, but it must
 * never commit the writes of a block that cancellation cut short: when the
 * transaction's signal has aborted by the time the block is left, the
 * disposer rolls back as if the block had thrown.
 */
class TransactionManager extends GeneratorContextManager<PgSql> {
  readonly #state: ManagedState;

  constructor(generator: AsyncGenerator<PgSql, void, undefined>, state: ManagedState) {
    super(generator);
    this.#state = state;
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    const { open, signal } = this.#state;
    if (open && signal?.aborted) {
      await this.exit(abortReasonOf(signal));
      return;
    }
    await super[Symbol.asyncDispose]();
  }
}

/**
 * Runs `fn(sql, signal)` in a transaction and commits when it returns; when
 * it throws or is cancelled, rolls back (shielded, within `grace`) and
 * rethrows its error unchanged. Called while a transaction is open on the
 * same connection, it makes a savepoint instead. Given a pool, it borrows a
 * connection for the whole transaction.
 *
 * Without `fn`, returns a context manager for `ExitStack.enter()` /
 * `withContext()` / `withExitStack()`, which hand the exit the block's error
 * (so it rolls back). Under a bare `await using` the disposer cannot see an
 * error, so the transaction would commit after an ordinary error: use
 * `withContext` there. It never commits a block that cancellation cut short:
 * when the transaction's signal (the lease's, tied to the ambient scope) has
 * aborted by the time the block is left, `await using` rolls back.
 *
 * When the rollback itself cannot run (the connection was lost, the grace
 * period passed), the connection is terminated — the server then rolls the
 * transaction back — and the pool replaces it; the body's error still
 * propagates unchanged. A commit the server turns into a rollback (a
 * statement failed and the body caught its error) throws.
 *
 * @param target a pool, a lease, a connection, or a query function from this package
 * @param fn the body; its `sql` runs in the transaction
 * @param options isolation, read only, the signal, the grace period
 * @returns `fn`'s value after the commit
 * @throws the body's error, unchanged, after the rollback
 * @throws {TypeError} / {RangeError} for a bad target or bad options
 * @example Move money atomically
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool, transaction } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 1 });
 * const total = await transaction(pool, async (sql) => {
 *   await sql`create temp table accounts (id int, balance int) on commit drop`;
 *   await sql`insert into accounts values (1, 100), (2, 0)`;
 *   await sql`update accounts set balance = balance - 10 where id = 1`;
 *   await sql`update accounts set balance = balance + 10 where id = 2`;
 *   const [row] = await sql<{ total: number }[]>`select sum(balance)::int as total from accounts`;
 *   return row?.total;
 * }, { isolation: "serializable" });
 * assert(total === 100);
 * ```
 */
export function transaction<R>(
  target: TransactionTarget,
  fn: (sql: PgSql, signal: AbortSignal) => R | PromiseLike<R>,
  options?: TransactionOptions,
): Promise<Awaited<R>>;
/**
 * A transaction as a context manager (see the other overload).
 *
 * @param target a pool, a lease, a connection, or a query function from this package
 * @param options isolation, read only, the signal, the grace period
 * @returns a context manager whose value is the transaction's query function
 * @example On an exit stack
 * ```ts
 * import assert from "node:assert/strict";
 * import { withExitStack } from "@corral/core";
 * import { createPostgresPool, transaction } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 1 });
 * const failure = await withExitStack(async (stack) => {
 *   const tx = await stack.enter(transaction(pool));
 *   await tx`create temp table log (line text)`;
 *   throw new Error("rolled back");
 * }).catch((error) => error);
 * assert(failure.message === "rolled back" && pool.stats.borrowed === 0);
 * ```
 */
export function transaction(target: TransactionTarget, options?: TransactionOptions): GeneratorContextManager<PgSql>;
export function transaction<R>(
  target: TransactionTarget,
  fnOrOptions?: ((sql: PgSql, signal: AbortSignal) => R | PromiseLike<R>) | TransactionOptions,
  options?: TransactionOptions,
): Promise<Awaited<R>> | GeneratorContextManager<PgSql> {
  if (typeof fnOrOptions !== "function") {
    checkTxOptions("enter a transaction", fnOrOptions);
    if (!isPool(target)) bindingFor("enter a transaction", sqlOf(target));
    const state: ManagedState = { signal: undefined, open: false };
    return new TransactionManager(managed(target, fnOrOptions, state), state);
  }
  const fn = fnOrOptions;
  try {
    checkTxOptions("run a transaction", options);
    if (isPool(target)) {
      return target.use((sql) => run(sql, fn, options), { signal: options?.signal });
    }
    return run(sqlOf(target), fn, options);
  } catch (error) {
    return Promise.reject(error);
  }
}
