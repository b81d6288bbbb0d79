/**
 * The option and statistics shapes of {@linkcode createPool}.
 *
 * @module
 */

/**
 * Options for {@linkcode createPool}. Durations are in milliseconds;
 * `Infinity` turns a limit off. Every option is checked when the pool is
 * made: a wrong type or an unknown name is a `TypeError`, a value out of
 * range a `RangeError`, each naming the option and the value.
 *
 * @example asyncpg's create_pool(min_size=2, max_size=10, max_queries=50_000, max_inactive_connection_lifetime=300)
 * ```ts
 * import { createPool, type PoolOptions } from "@corral/core";
 * interface Conn { close(): Promise<void>; query(sql: string): Promise<unknown> }
 * const connect = (_signal: AbortSignal): Promise<Conn> =>
 *   Promise.resolve({ close: () => Promise.resolve(), query: (sql) => Promise.resolve(sql) });
 * const options: PoolOptions<Conn> = {
 *   create: connect,
 *   destroy: (conn) => conn.close(),
 *   reset: (conn, signal) => signal.aborted ? undefined : conn.query("discard all"),
 *   min: 2,
 *   max: 10,
 *   maxUses: 50_000,
 *   idleTimeout: 300_000,
 * };
 * const pool = createPool(options);
 * await pool.ready();
 * await pool.close();
 * ```
 */
export interface PoolOptions<T> {
  /**
   * Makes one resource. `signal` aborts when nobody needs it any more (the
   * acquire that wanted it timed out or was aborted, or the pool is
   * closing): pass it on to the connect call. A create that ignores it keeps
   * its slot until it settles; `close()` does not wait for it, and a
   * resource it delivers late is destroyed. Rejecting with the signal's
   * reason (or an error whose `cause` is it, or an `AbortError`) once it
   * aborted is not a failure; any other rejection is an `error` event.
   */
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  /*
   * `destroy`, `validate` and `reset` run shielded: their `signal` aborts only
   * when `cleanupTimeout` passes, never because the caller's (or the
   * ambient) scope was cancelled. It is passed only to a callback that
   * declares it (`(conn, signal) => …`; `(conn) => …` is called with the
   * resource alone), so the common no-signal cleanup makes no AbortSignal,
   * and the grace timer is armed only when the callback returns a promise:
   * a hook that answers synchronously costs one plain call. With an adapter
   * installed the signal is also `currentSignal()` inside, so a `sleep()`
   * or a nested scope there inherits it. `validate` is a check rather than
   * a cleanup, but it is shielded too: it decides the fate of a resource
   * that no single waiter owns (the one it ran for may leave), and cutting
   * it short would leave the resource half-checked.
   */
  /** Closes one resource. Runs shielded, bounded by `cleanupTimeout`; a failure is an `error` event. */
  destroy?: (resource: T, signal: AbortSignal) => unknown;
  /**
   * Checks a resource that sat idle at least `validateAfterIdle` before it is
   * lent. Return `false` or throw to reject it: it is destroyed and the
   * acquire gets another.
   */
  validate?: (resource: T, signal: AbortSignal) => unknown;
  /**
   * Cleans a released resource before reuse (asyncpg's reset). A failing
   * reset destroys it; the release still resolves, and `use()` still
   * returns its function's value (the work that finished is not lost).
   * Return synchronously when there is nothing to clean: it then costs no
   * timer.
   */
  reset?: (resource: T, signal: AbortSignal) => unknown;
  /**
   * For `use()`: does this error thrown by `fn` mean the resource is broken?
   * Default: every error does (the resource is destroyed, not reused).
   */
  isBroken?: (error: unknown, resource: T) => boolean;
  /**
   * A cheap synchronous liveness check (a socket's state, a flag a driver
   * keeps), asked before every lend and when a lease is given back. A
   * resource it answers `false` for (or throws for: an `error` event of
   * phase `"isAlive"`) is never lent: it is destroyed, without a reset, and
   * the acquire gets another one or a new one. A new resource found dead is
   * a failed create (it counts toward the backoff). Unlike `validate`, it
   * runs on every borrow, unguarded: it must not wait for anything.
   *
   * @example A connection whose socket closed is never lent
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({ open: true }), isAlive: (conn) => conn.open, max: 2 });
   * const lease = await pool.acquire();
   * const first = lease.resource;
   * await lease.release();
   * first.open = false; // the server hung up while it sat idle
   * const next = await pool.acquire();
   * assert(next.resource !== first && pool.stats.destroyed === 1);
   * await next.release();
   * await pool.close();
   * ```
   */
  isAlive?: (resource: T) => boolean;
  /**
   * Prepares a resource for one lease (asyncpg's `setup`): called
   * synchronously each time a lease starts, before `acquire()` (or `use()`)
   * gets it, with the lease's signal (`lease.signal`, also `use()`'s
   * signal), made only when the callback declares it. A driver binds its
   * query function to that signal here. Not called for shared leases
   * (`{ shared: true }`): a shared resource is one object for all its
   * sharers, so per-borrower state on it would be the last sharer's for
   * everyone; a sharer's own state is its lease's (`lease.signal`). It must
   * not wait: a promise
   * returned is a `TypeError`. When it throws, the resource is destroyed,
   * the acquire rejects with the error, and it is an `error` event of phase
   * `"setup"`.
   *
   * @example Binding each lease's work to its signal
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * interface Conn { signal?: AbortSignal }
   * const pool = createPool<Conn>({ create: () => ({}), setup: (conn, signal) => void (conn.signal = signal), max: 1 });
   * await pool.use((conn, signal) => assert(conn.signal === signal));
   * await pool.close();
   * ```
   */
  setup?: (resource: T, signal: AbortSignal) => void;
  /** Resources kept even when idle, created at once and replaced when destroyed: an integer from 0 to `max`. Default 0. */
  min?: number;
  /**
   * The most resources that may exist at once, counting those being created
   * or destroyed: an integer from 1 to 2^32 − 1. Required; there is no
   * unlimited pool.
   */
  max: number;
  /** How long an acquire waits for a resource before it fails with `TimeoutError`; >= 0. Default 30,000. */
  acquireTimeout?: number;
  /** How long a resource above `min` may sit idle before it is destroyed; >= 0. Default 30,000. */
  idleTimeout?: number;
  /** `validate` runs on borrow only after the resource sat idle this long; >= 0 (0: every borrow). Default 500. */
  validateAfterIdle?: number;
  /** Destroy (and replace) resources this old (> 0); in use, they are replaced when released. Default `Infinity`. */
  maxLifetime?: number;
  /** Each resource's lifetime is shortened by a random part up to this fraction (0 to 1) of `maxLifetime`. Default 0.1. */
  maxLifetimeJitter?: number;
  /** Destroy a resource after this many leases (asyncpg's `max_queries`): an integer >= 1, or `Infinity`. Default `Infinity`. */
  maxUses?: number;
  /**
   * How many shared leases (`acquire({ shared: true })`) one resource may
   * serve at once: an integer >= 1. Default 1. A resource is lent either to
   * one exclusive lease or to up to this many shared ones, never both.
   * Set it for resources that can serve several borrowers at a time: a
   * database connection that pipelines queries, an HTTP/2 session, a
   * multiplexed client.
   *
   * @example Ten tasks over two pipelining connections
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * let next = 0;
   * const pool = createPool({ create: () => ({ id: ++next }), max: 2, maxShared: 8 });
   * await pool.use(() => {}, { shared: true }); // one warm connection
   * const seen = await Promise.all(
   *   Array.from({ length: 10 }, () => pool.use((conn) => conn.id, { shared: true })),
   * );
   * assert(new Set(seen).size === 2); // spread over both, not piled on one
   * await pool.close();
   * ```
   */
  maxShared?: number;
  /** A lease held longer dispatches a `leak` event (with the acquire's stack); >= 0. Default `Infinity` (off). */
  leakTimeout?: number;
  /**
   * The grace period for `destroy`, `reset` and `validate`, and for
   * borrowers after close's timeout: >= 0 and finite (cleanup is always
   * bounded). Default 5,000.
   */
  cleanupTimeout?: number;
  /**
   * The wait before creating again after a failed create; doubles per
   * failure. > 0 and finite (0 would retry in a busy loop). Default 20.
   */
  retryDelay?: number;
  /** The cap on that wait: >= `retryDelay` and finite. Default 2,000. */
  maxRetryDelay?: number;
}

/**
 * Options for {@linkcode Pool.acquire}.
 *
 * @example A request handler's acquire: bounded, and cancelled with the request
 * ```ts
 * import { createPool } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 1 });
 * const request = new AbortController();
 * const lease = await pool.acquire({ signal: request.signal, timeout: 2_000 });
 * await lease.release();
 * await pool.close();
 * ```
 */
export interface AcquireOptions {
  /**
   * Borrow the resource shared (see the pool's `maxShared`): other shared
   * leases may hold it at the same time, an exclusive one may not. Default
   * `false` (exclusive). Shared acquires wait in the same first-come,
   * first-served queue as exclusive ones: once an exclusive acquire waits,
   * later shared ones wait behind it.
   */
  shared?: boolean;
  /**
   * Stop waiting when this aborts (rejects with its reason). Defaults to the
   * ambient `currentSignal()`. Once lent, the lease's `signal` aborts with
   * it too, until the lease ends.
   */
  signal?: AbortSignal;
  /**
   * Wait at most this long for a resource (instead of the pool's
   * `acquireTimeout`): >= 0; `0` takes an idle resource (a shared acquire:
   * or any place on a shared one) or fails at once, `Infinity` waits for
   * ever. A negative value is a `RangeError`.
   */
  timeout?: number;
}

/** Options for {@linkcode Pool.use}: those of `acquire`; `signal` also cancels `fn`. */
export type UseOptions = AcquireOptions;

/**
 * Options for {@linkcode Pool.ready}.
 *
 * @example Start-up with a deadline
 * ```ts
 * import { createPool } from "@corral/core";
 * const pool = createPool({ create: () => ({}), min: 1, max: 1 });
 * await pool.ready({ signal: AbortSignal.timeout(5_000) });
 * await pool.close();
 * ```
 */
export interface ReadyOptions {
  /** Stop waiting when this aborts. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
}

/**
 * Options for {@linkcode Pool.close}.
 *
 * @example Shutting down within a budget
 * ```ts
 * import { createPool } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 1, cleanupTimeout: 1_000 });
 * await pool.close({ timeout: 2_000 }); // borrowers get 2 s, then their signals abort, then 1 s more
 * ```
 */
export interface CloseOptions {
  /**
   * How long to wait for borrowers to give their leases back before their
   * lease signals are cancelled: >= 0 (a negative value is a `RangeError`).
   * Default 5,000; `0` cancels them at once; `Infinity` waits for ever.
   */
  timeout?: number;
}

/**
 * A snapshot of a pool's numbers, from {@linkcode Pool.stats}. Always
 * `size = creating + idle + borrowed + maintaining <= max` and
 * `created - destroyed = idle + borrowed + maintaining`.
 *
 * @example A health endpoint
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool, type PoolStats } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 4 });
 * const health = (s: PoolStats) => ({ busy: s.borrowed / 4, waiting: s.pending, timeouts: s.timeouts });
 * assert(health(pool.stats).busy === 0);
 * await pool.close();
 * ```
 */
export interface PoolStats {
  /** The pool's `min` option: resources it keeps. */
  min: number;
  /** The pool's `max` option: `size` never exceeds it. */
  max: number;
  /** Every resource counting toward `max`: `creating + idle + borrowed + maintaining`. */
  size: number;
  /** Resources ready to lend. */
  idle: number;
  /**
   * Resources lent out: each lent exclusively, and each lent to one or more
   * shared leases (counted once, however many share it).
   */
  borrowed: number;
  /** Shared leases out (on the `borrowed` resources that are shared). */
  shared: number;
  /** Acquires waiting in the queue. */
  pending: number;
  /** Creates in flight. */
  creating: number;
  /** Resources being validated, reset or destroyed. */
  maintaining: number;
  /** Resources created so far (`created - destroyed = idle + borrowed + maintaining`). */
  created: number;
  /** Resources destroyed so far. */
  destroyed: number;
  /** Acquires that failed with `TimeoutError`. */
  timeouts: number;
  /** Leases handed out. */
  acquires: number;
  /** Leases handed out after waiting in the queue. */
  waits: number;
  /** Total time those waited, in milliseconds. */
  totalWaitTime: number;
  /** The longest of those waits, in milliseconds. */
  maxWaitTime: number;
}
