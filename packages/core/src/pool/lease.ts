/**
 * A lease: the right to use one pooled resource until it is released or
 * destroyed.
 *
 * @module
 */

/**
 * @internal What a lease holds: a pooled resource (an exclusive lease) or
 * one share of it (a shared lease).
 */
export interface LeaseTarget<T> {
  readonly resource: T;
  /** Bumped when the lease ends. */
  readonly generation: number;
  readonly shared: boolean;
}

/** @internal What a lease needs from its pool: the lender for exclusive leases, the sharing part for shared ones. */
export interface LeaseOwner<T> {
  giveBack(target: LeaseTarget<T>): Promise<void>;
  destroyLeased(target: LeaseTarget<T>, hasError: boolean, error: unknown): Promise<void>;
  leaseSignal(target: LeaseTarget<T>): AbortSignal;
}

const DONE: Promise<void> = Promise.resolve();

function ended(what: string): ReferenceError {
  return new ReferenceError(`Cannot read '${what}' as the lease has ended (released, destroyed or revoked by close)`);
}

/**
 * One borrowed resource, from {@linkcode Pool.acquire}: exclusive (the
 * default: nobody else holds the resource meanwhile) or shared
 * (`acquire({ shared: true })`: up to the pool's `maxShared` shared leases
 * hold it at once, and no exclusive one). It ends exactly
 * once: by `release()` (the resource goes back to the pool, through
 * `reset` when the pool has one), by `destroy()` (the resource is broken:
 * the pool destroys it and creates another when needed), or by the pool
 * when `close()` gives up waiting or `terminate()` runs. `await using`
 * releases it on every path out of the block.
 *
 * After the lease has ended, `release()` and `destroy()` do nothing and
 * `resource` and `signal` throw `ReferenceError`, so a stale lease can never
 * touch a resource someone else now holds.
 *
 * @example Borrow, use, give back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * const pool = createPool({ create: () => ({ id: 1 }), max: 2 });
 * {
 *   await using lease = await pool.acquire();
 *   assert(lease.resource.id === 1 && lease.active);
 * } // released here, even if the block threw
 * assert(pool.stats.idle === 1);
 * await pool.close();
 * ```
 */
export class Lease<T> implements AsyncDisposable {
  readonly #owner: LeaseOwner<T>;
  readonly #pooled: LeaseTarget<T>;
  /** The resource's lease generation when this lease began: active while they match. */
  readonly #generation: number;

  /**
   * Leases are made by the pool; there is nothing to construct.
   *
   * @internal
   */
  constructor(owner: LeaseOwner<T>, pooled: LeaseTarget<T>) {
    this.#owner = owner;
    this.#pooled = pooled;
    this.#generation = pooled.generation;
  }

  /**
   * The borrowed resource.
   *
   * @throws {ReferenceError} once the lease has ended
   */
  get resource(): T {
    const pooled = this.#pooled;
    if (pooled.generation !== this.#generation) throw ended("resource");
    return pooled.resource;
  }

  /**
   * A signal that aborts when the borrower's scope ends — the `signal`
   * given to `acquire()`, or the ambient signal it ran under — with that
   * signal's reason, and (with a `PoolClosedError`) when the pool stops
   * waiting for this lease: `close()`'s timeout passed, or `terminate()`
   * ran. Pass it to the work done with the resource so that either cancels
   * it; the lease itself stays active until it is released or destroyed.
   * Created on first read; its link to the borrower's signal is removed
   * when the lease ends.
   *
   * @example A lease cancelled with its request
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1 });
   * const request = new AbortController();
   * const lease = await pool.acquire({ signal: request.signal });
   * request.abort(new Error("client went away"));
   * assert(lease.signal.aborted && lease.active);
   * await lease.release();
   * await pool.close();
   * ```
   *
   * @throws {ReferenceError} once the lease has ended
   */
  get signal(): AbortSignal {
    const pooled = this.#pooled;
    if (pooled.generation !== this.#generation) throw ended("signal");
    return this.#owner.leaseSignal(pooled);
  }

  /**
   * True for a shared lease (`acquire({ shared: true })`): other shared
   * leases may hold the same resource at the same time. Readable after the
   * lease has ended too.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createPool } from "@corral/core";
   * const pool = createPool({ create: () => ({}), max: 1, maxShared: 2 });
   * const a = await pool.acquire({ shared: true });
   * const b = await pool.acquire({ shared: true });
   * assert(a.shared && b.shared && a.resource === b.resource);
   * await a.release();
   * await b.release();
   * await pool.close();
   * ```
   */
  get shared(): boolean {
    return this.#pooled.shared;
  }

  /** True until the lease ends. */
  get active(): boolean {
    return this.#pooled.generation === this.#generation;
  }

  /**
   * Gives the resource back. It is reset first when the pool has `reset`,
   * and destroyed instead when it has reached `maxUses` or `maxLifetime`
   * or the pool is closing. Does nothing when the lease has already ended.
   * For a shared lease, all that happens when the last sharer gives it back.
   *
   * @returns a promise that resolves (never rejects) once the resource is
   * back in the pool or destroyed; failures become `error` events
   */
  release(): Promise<void> {
    const pooled = this.#pooled;
    if (pooled.generation !== this.#generation) return DONE;
    return this.#owner.giveBack(pooled);
  }

  /**
   * Destroys the resource instead of giving it back: call it when the
   * resource is broken. Does nothing when the lease has already ended.
   * A shared lease retires the resource instead: it is lent to nobody any
   * more and destroyed once its last sharer has left (the promise of a
   * sharer that is not the last resolves at once).
   *
   * @param error why (appears as `error` on the pool's `destroy` event,
   * also when it is `undefined`; without an argument the event has none)
   * @returns a promise that resolves (never rejects) once the resource is
   * destroyed; a failing `destroy` becomes an `error` event
   */
  destroy(error?: unknown): Promise<void> {
    const pooled = this.#pooled;
    if (pooled.generation !== this.#generation) return DONE;
    // An argument given is an error, whatever its value (`throw undefined` is one too).
    return this.#owner.destroyLeased(pooled, arguments.length > 0, error);
  }

  /** Same as {@linkcode Lease.release}: `await using` gives the resource back. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

// V8 keeps the hidden class that Lease's private fields transition to only
// while some instance is alive: with none (every lease released and
// collected), a full GC clears it and deoptimizes the whole acquire path.
// This one instance pins it. Measured with the pool benchmark's uncontended
// loop (a full GC before each round, as `npm run bench -- pool` does): per
// acquire + release, ~76 ns with the pin and ~130 ns without on Node 24,
// ~60 vs ~105 ns on Deno, ~88 vs ~140 ns on Node 20; Bun (JavaScriptCore)
// is unaffected. (The same pin on the queue's Waiter showed no difference
// and was dropped.)
/** @internal */
export const pinnedLease: Lease<never> = new Lease<never>(
  undefined as never,
  { generation: -1, resource: undefined as never, shared: false },
);
