/**
 * A resource pool that cannot leak, hang or lie: asyncpg's `create_pool`
 * for any resource, on `await using` and `AbortSignal`.
 *
 * Guarantees:
 * - `max` is never exceeded, counting resources being created and
 *   destroyed. Waiters are served first come, first served; idle resources
 *   are reused most-recently-used first (warm first).
 * - Every wait is cancellable (`signal`) and bounded (`acquireTimeout`); a
 *   waiter that leaves leaves no trace, and when it leaves, the create
 *   started for it is cancelled through its signal unless another waiter
 *   needs it. A resource that arrives late goes to the next waiter or idle.
 * - A failed create reaches a waiter (the one it was started for first),
 *   then the pool retries with exponential backoff, one probe at a time.
 * - The owner's cleanup (`destroy`, `reset`, `validate`) runs shielded and
 *   bounded by `cleanupTimeout`, also when the caller's scope is cancelled;
 *   with an adapter, `currentSignal()` inside is that shielded signal.
 *   Failures are `error` events, never unhandled rejections.
 * - A create's failure is told from the pool's own cancellation of it by
 *   identity (its signal's reason, an error caused by it, or an
 *   `AbortError` once it aborted), never by name: anything else is an
 *   `error` event, even after the pool stopped needing the create.
 * - `close()` always settles: it cancels the creates in flight (and does
 *   not wait for them: a resource that arrives late is destroyed on
 *   arrival), waits for leases up to its timeout, then cancels the
 *   borrowers' lease signals, waits `cleanupTimeout`, revokes what is still
 *   out and destroys everything.
 * - A hook may close its own pool: `close()` or `terminate()` called from
 *   inside `validate`, `reset` or `destroy` does not wait for that hook.
 * - Shared leases (`acquire({ shared: true })`, up to `maxShared` a
 *   resource): a resource is lent to one exclusive lease or to shared ones,
 *   never both; shared and exclusive acquires wait in one FIFO queue, so an
 *   exclusive one is never starved; shared work spreads over `max`
 *   resources before it piles onto one; a shared lease's `destroy()`
 *   retires the resource (destroyed once its last sharer leaves).
 *
 * @example A database pool, asyncpg style
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * const connect = (signal: AbortSignal) => Promise.resolve({ query: (sql: string) => sql, signal });
 * await using pool = createPool({ create: connect, max: 10, acquireTimeout: 5_000 });
 * {
 *   await using lease = await pool.acquire();
 *   lease.resource.query("select 1");
 * }
 * const rows = await pool.use((conn) => conn.query("select 2"));
 * assert(rows === "select 2");
 * ```
 *
 * @module
 */

import { checkOptions, checkSignal } from "../base/validate.ts";
import { ambientNode } from "../cancellation/internal/ambient.ts";
import type { CancelNode } from "../cancellation/internal/cancel-node.ts";
import { Closing } from "./internal/pool-closing.ts";
import { Creator } from "./internal/pool-creator.ts";
import { PoolEvents } from "./internal/pool-events.ts";
import { Inventory } from "./internal/pool-inventory.ts";
import { Lender } from "./internal/pool-lender.ts";
import { Maintenance } from "./internal/pool-maintenance.ts";
import { Sharing } from "./internal/pool-sharing.ts";
import { checkTimeout, resolvePoolOptions } from "./internal/pool-options.ts";
import { Upkeep } from "./internal/pool-upkeep.ts";
import { use } from "./internal/pool-use.ts";
import type { Lease } from "./lease.ts";
import {
  PoolEvent,
  type PoolEventListener,
  type PoolEventType,
  type PoolListenerOptions,
  type PoolObserver,
} from "./pool-event.ts";
import type { AcquireOptions, CloseOptions, PoolOptions, PoolStats, ReadyOptions, UseOptions } from "./pool-types.ts";

const CLOSE_TIMEOUT = 5_000;

let observe: <T>(pool: Pool<T>, observer: PoolObserver<T>) => () => void;

/**
 * A pool of resources of type `T`. Make one with {@linkcode createPool}.
 * It is an `EventTarget`: see {@linkcode PoolEvent} for its events.
 *
 * @example Borrowing with a deadline
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool, TimeoutError } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 1 });
 * const held = await pool.acquire();
 * const error = await pool.acquire({ timeout: 5 }).catch((e) => e);
 * assert(error instanceof TimeoutError);
 * await held.release();
 * await pool.close();
 * ```
 */
export class Pool<T> extends EventTarget implements AsyncDisposable {
  // The parts (see internal/): the books of every resource, lending and
  // the wait queue, creation with backoff, the owner's hooks, the
  // background timers, and closing.
  readonly #events: PoolEvents<T>;
  readonly #books: Inventory<T>;
  readonly #lender: Lender<T>;
  readonly #creator: Creator<T>;
  readonly #closing: Closing<T>;
  readonly #min: number;
  readonly #max: number;

  static {
    observe = (pool, observer) => pool.#events.observe(observer);
  }

  /**
   * Makes a pool; {@linkcode createPool} is the usual way to call this.
   *
   * @param options the callbacks and limits; see {@linkcode PoolOptions}
   * @throws {TypeError} when an option has the wrong type or is unknown
   * @throws {RangeError} when a value is out of range (`min > max` names `min`)
   */
  constructor(options: PoolOptions<T>) {
    super();
    const settings = resolvePoolOptions<T>(options);
    this.#min = settings.min;
    this.#max = settings.max;
    const events = this.#events = new PoolEvents<T>((type, init) => {
      this.dispatchEvent(new PoolEvent<T>(type, init));
    }, this);
    const books = this.#books = new Inventory<T>();
    const lender = this.#lender = new Lender<T>(settings, books, events);
    const maintenance = new Maintenance<T>(settings, books, events, lender);
    const upkeep = new Upkeep<T>(settings, books, events, maintenance);
    const creator = this.#creator = new Creator<T>(settings, {
      books,
      queue: lender.queue,
      events,
      maintenance,
      upkeep,
      host: lender,
    });
    const sharing = new Sharing<T>(settings, { books, events, creator, maintenance, upkeep, host: lender });
    lender.attach({ creator, maintenance, upkeep, sharing });
    this.#closing = new Closing<T>(settings.cleanupTimeout, { books, lender, creator, maintenance, upkeep });
    creator.fill();
  }

  /**
   * Borrows a resource: an idle one (LIFO), a new one (within `max`), or the
   * next one given back (FIFO among waiters).
   *
   * With `shared: true` the lease is shared: the resource may serve up to
   * the pool's `maxShared` shared leases at once, never together with an
   * exclusive one. A shared acquire takes an idle resource, else a new one
   * while every resource has a sharer and `size < max`, else the least
   * loaded one below `maxShared`. Shared and exclusive acquires wait in one
   * FIFO queue: once an exclusive acquire waits, later shared ones wait
   * behind it, so a stream of shared work never starves it. `validate` runs
   * before a resource's first sharer, `reset` after its last.
   *
   * @param options `signal` to stop waiting, `timeout` instead of `acquireTimeout`, `shared` for a shared lease
   * @returns the lease; `await using` gives it back
   * @throws {PoolClosedError} once `close()` or `terminate()` has started (also while waiting)
   * @throws {PoolTimeoutError} (a `TimeoutError`) when no resource came in time (`cause`: the last create error, if creates fail)
   * @throws the signal's reason when it aborts, or a create error that reached this acquire
   * @example Giving up on a wait
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1 });
   * const held = await pool.acquire();
   * const error = await pool.acquire({ signal: AbortSignal.abort(new Error("user left")) }).catch((e) => e);
   * assert(error.message === "user left");
   * await held.release();
   * await pool.close();
   * ```
   * @example Shared leases, and an exclusive one that waits for them
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1, maxShared: 4 });
   * const a = await pool.acquire({ shared: true });
   * const b = await pool.acquire({ shared: true });
   * assert(a.resource === b.resource && pool.stats.shared === 2 && pool.stats.borrowed === 1);
   * const exclusive = pool.acquire(); // waits for both sharers to leave
   * const c = pool.acquire({ shared: true }); // waits behind the exclusive one
   * await a.release();
   * await b.release();
   * const lease = await exclusive;
   * assert(!lease.shared);
   * assert.equal(pool.stats.shared, 0);
   * await lease.release();
   * assert((await c).shared);
   * await pool.close();
   * ```
   */
  acquire(options?: AcquireOptions): Promise<Lease<T>> {
    return this.#lender.acquireWith(options);
  }

  /**
   * Runs `fn(resource, signal)` with a borrowed resource and gives it back
   * afterwards. When `fn` throws, the resource is destroyed instead, unless
   * the pool's `isBroken(error, resource)` returns `false` (by default every
   * error marks it broken: a resource whose user failed midway is never
   * trusted again). `signal` aborts when `options.signal` (or the ambient
   * signal) aborts or when close() stops waiting for this lease.
   *
   * With `{ shared: true }`, `fn` runs on a shared lease (see `acquire`); a
   * broken resource is then retired: destroyed once its other sharers leave.
   *
   * @param fn the work
   * @param options as for `acquire` (`shared` included)
   * @returns `fn`'s value
   * @throws whatever `acquire` or `fn` throws
   * @example A failing body destroys the resource
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({ n: 0 }), max: 1 });
   * await pool.use((r) => r.n++);
   * await pool.use(() => { throw new Error("broken") }).catch(() => {});
   * assert(pool.stats.destroyed === 1);
   * await pool.close();
   * ```
   */
  use<R>(
    fn: (resource: T, signal: AbortSignal) => R | PromiseLike<R>,
    options?: UseOptions,
  ): Promise<Awaited<R>> {
    return use(this.#lender, fn, options);
  }

  /**
   * Waits until `min` resources exist (resolves at once when `min` is 0).
   *
   * @param options `signal` to stop waiting
   * @throws the create error when filling to `min` failed; `PoolClosedError` once closing
   * @example Fail fast at start-up
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => Promise.reject(new Error("bad password")), min: 1, max: 2 });
   * const error = await pool.ready().catch((e) => e);
   * assert(error.message === "bad password");
   * await pool.close();
   * ```
   */
  ready(options?: ReadyOptions): Promise<void> {
    let target: AbortSignal | CancelNode | undefined;
    try {
      checkOptions("wait for pool", options);
      target = checkSignal("wait for pool", options?.signal) ?? ambientNode();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#creator.ready(target);
  }

  /**
   * Closes the pool (see the module doc for the steps). A second call
   * returns the same promise. It never rejects.
   *
   * Creates in flight are cancelled through their signal, not waited for:
   * a resource one of them delivers later is destroyed when it arrives.
   *
   * Called from inside one of the pool's own hooks (`validate`, `reset`,
   * `destroy`), the close would wait for the very hook that waits for it.
   * So there it returns a promise that resolves once everything but the
   * hooks that called it has settled; the close goes on and the promise
   * returned outside the hooks still waits for them too. A hook is
   * recognised while it runs synchronously and, with an adapter installed,
   * after an `await` too (through `currentSignal()`'s context); in the core
   * alone a call after an `await` waits until the hook's own
   * `cleanupTimeout` ends it.
   *
   * @param options `timeout`: how long borrowers get before their lease signals are cancelled (default 5,000 ms; `0` cancels them at once, `Infinity` waits for ever)
   * @returns a promise that resolves once every resource is destroyed
   * @throws {TypeError} / {RangeError} for a bad `timeout`, negative included (the promise rejects; the pool stays open)
   * @example A deadline for the borrowers
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool, PoolClosedError, sleep } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1, cleanupTimeout: 100 });
   * const work = pool.use((_conn, signal) => sleep(60_000, { signal })).catch((e) => e);
   * await sleep(1);
   * await pool.close({ timeout: 10 }); // the borrower's signal aborts after 10 ms
   * assert((await work) instanceof PoolClosedError);
   * ```
   * @example A hook that shuts its pool down
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool, type Pool } from "@corral/core";
   * interface Conn { fatal: boolean }
   * const pool: Pool<Conn> = createPool<Conn>({
   *   create: () => ({ fatal: true }),
   *   // From inside a hook, close() does not wait for the hook itself.
   *   destroy: (conn) => (conn.fatal ? pool.close() : undefined),
   *   max: 1,
   *   cleanupTimeout: 60_000,
   * });
   * await (await pool.acquire()).destroy(); // settles at once, not after 60 s
   * assert(pool.closed);
   * await pool.close();
   * ```
   */
  close(options?: CloseOptions): Promise<void> {
    let timeout: number;
    try {
      checkOptions("close pool", options);
      timeout = checkTimeout("close pool", options?.timeout, "0 cancels the borrowers' lease signals at once") ??
        CLOSE_TIMEOUT;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#closing.close(timeout);
  }

  /**
   * Destroys everything now: pending acquires reject, lease signals are
   * cancelled and leases revoked (their `release()` becomes a no-op).
   * During a `close()`, cuts it short; both return the same promise.
   * Called from inside a hook, it does not wait for that hook (as `close()`).
   *
   * @returns a promise that resolves once every resource is destroyed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1 });
   * const lease = await pool.acquire();
   * await pool.terminate();
   * assert(!lease.active && pool.stats.size === 0);
   * ```
   */
  terminate(): Promise<void> {
    return this.#closing.terminate();
  }

  /** Same as `close()` with its defaults. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A fresh snapshot of the pool's numbers; see {@linkcode PoolStats}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 2 });
   * const lease = await pool.acquire();
   * const { size, borrowed, idle } = pool.stats;
   * assert(size === 1 && borrowed === 1 && idle === 0);
   * await lease.release();
   * await pool.close();
   * ```
   */
  get stats(): PoolStats {
    return this.#books.snapshot(this.#creator.creating, this.#lender.queue.size, this.#min, this.#max);
  }

  /** True once `close()` or `terminate()` has started. */
  get closed(): boolean {
    return this.#closing.shutdown !== undefined;
  }

  /**
   * `EventTarget.addEventListener`, typed: the listener gets a
   * {@linkcode PoolEvent}, and an event name the pool never dispatches is a
   * type error. The pool builds events only for types that have had a
   * listener.
   *
   * @param type one of {@linkcode PoolEventType}
   * @param listener a function or an object with `handleEvent`
   * @param options `once`, `signal`, … (or `capture` as a boolean)
   */
  override addEventListener(
    type: PoolEventType,
    listener: PoolEventListener<T> | null,
    options?: PoolListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener as Parameters<EventTarget["addEventListener"]>[1], options);
    this.#events.listen(type);
  }

  /**
   * `EventTarget.removeEventListener`, typed like
   * {@linkcode Pool.addEventListener}: a listener is removed as it was added.
   *
   * @param type one of {@linkcode PoolEventType}
   * @param listener the listener given to `addEventListener`
   * @param options `capture`, as given to `addEventListener`
   */
  override removeEventListener(
    type: PoolEventType,
    listener: PoolEventListener<T> | null,
    options?: { capture?: boolean } | boolean,
  ): void {
    super.removeEventListener(type, listener as Parameters<EventTarget["removeEventListener"]>[1], options);
  }
}

/**
 * Makes a pool (asyncpg's `create_pool`). Creating `min` resources starts
 * at once; `await pool.ready()` waits for them.
 *
 * @param options the callbacks and limits; see {@linkcode PoolOptions}
 * @returns the pool
 * @throws {TypeError} when an option has the wrong type or is unknown
 * @throws {RangeError} when a value is out of range (`min > max` names `min`)
 * @example Keeping two connections warm
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * let next = 0;
 * const pool = createPool({ create: () => ({ id: ++next }), destroy: () => {}, min: 2, max: 4 });
 * await pool.ready();
 * assert(pool.stats.idle === 2);
 * await pool.close();
 * ```
 */
export function createPool<T>(options: PoolOptions<T>): Pool<T> {
  return new Pool<T>(options);
}

/**
 * Calls `observer(type, init)` for every event of `pool` from now on, as
 * `addEventListener` would for each type but without making an `Event`:
 * the cheap way for metrics (`@corral/otel` uses it). The `acquire`,
 * `release` and `create` events carry their `duration` in milliseconds.
 *
 * @param pool the pool
 * @param observer called synchronously inside the pool's operations; it must not throw
 * @returns a function that removes the observer
 * @throws {TypeError} when `observer` is not a function
 * @example Counting the time spent waiting
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool, observePool } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 1 });
 * let waited = 0;
 * const stop = observePool(pool, (type, init) => {
 *   if (type === "acquire") waited += init.duration!;
 * });
 * await pool.use(() => {});
 * stop();
 * assert(waited >= 0);
 * await pool.close();
 * ```
 */
export function observePool<T>(pool: Pool<T>, observer: PoolObserver<T>): () => void {
  if (typeof observer !== "function") {
    throw new TypeError(`Cannot observe pool as 'observer' must be a function: received ${String(observer)}`);
  }
  if (!(pool instanceof Pool)) {
    throw new TypeError(`Cannot observe pool as 'pool' must be a Pool: received ${String(pool)}`);
  }
  return observe(pool, observer);
}
