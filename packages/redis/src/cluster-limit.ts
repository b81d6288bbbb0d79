/**
 * Cluster-wide pool limits: make a pool's resources hold semaphore permits,
 * so `max` holds across every process sharing the semaphore.
 *
 * @module
 */

import type { Permit } from "./permit.ts";
import type { RedisSemaphore } from "./semaphore.ts";

/** A pool's resource callbacks, as `createPool` takes them. */
export interface ResourceLifecycle<T> {
  /** Opens a resource; aborting `signal` abandons it. */
  create(signal: AbortSignal): T | PromiseLike<T>;
  /** Closes a resource. */
  destroy?(resource: T, signal: AbortSignal): unknown;
  /** Says whether an idle resource is still usable (falsy or a rejection: no). */
  validate?(resource: T, signal: AbortSignal): unknown;
  /** Says at once, without waiting, whether a resource is still alive (the pool's `isAlive`). */
  isAlive?(resource: T): boolean;
}

/** The callbacks {@linkcode clusterLimit} returns: spread them into `createPool`. */
export interface LimitedLifecycle<T> {
  /** Acquires a permit, then creates the resource (the permit is given back if creation fails). */
  create(signal: AbortSignal): Promise<T>;
  /** Destroys the resource, then releases its permit. */
  destroy(resource: T, signal: AbortSignal): Promise<void>;
  /** False once the resource's permit was lost; otherwise the inner `validate`. */
  validate(resource: T, signal: AbortSignal): Promise<boolean>;
  /** False once the resource's permit was lost; otherwise the inner `isAlive` (true without one). */
  isAlive(resource: T): boolean;
}

/**
 * Wraps a pool's `create`/`destroy`/`validate`/`isAlive` so that every live
 * resource holds one permit of `semaphore`: creating waits (cancellably)
 * for a free slot, destroying gives it back, and a resource whose permit
 * was lost (its lease expired, e.g. after a long stall) is never lent
 * again (`isAlive` answers false before every lend, without a round trip)
 * and is replaced. With one semaphore of limit N shared by many processes, their
 * pools together never hold more than N resources — 50 workers sharing
 * PostgreSQL's `max_connections`, say. A process that dies frees its slots
 * when their leases expire.
 *
 * Resources waiting idle in a pool keep their permits; use the pool's
 * `idleTimeout` to give unused slots back to other processes.
 *
 * @param semaphore the shared semaphore
 * @param lifecycle the pool's own `create`, and optionally `destroy`, `validate` and `isAlive`
 * @returns `create`, `destroy`, `validate` and `isAlive` to spread into `createPool`
 * @throws {TypeError} when `lifecycle.create` is not a function
 * @example At most 8 resources across every process sharing the semaphore
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool } from "@corral/core";
 * import { clusterLimit, createSemaphore } from "@corral/redis";
 * await using sem = createSemaphore({ name: "example:workers", limit: 8 });
 * await using pool = createPool({
 *   max: 5,
 *   idleTimeout: 1000,
 *   ...clusterLimit(sem, { create: () => ({ opened: Date.now() }), destroy: () => {} }),
 * });
 * await pool.use((resource) => assert(resource.opened > 0));
 * assert(sem.held === 1); // the idle resource keeps its slot
 * ```
 */
export function clusterLimit<T>(semaphore: RedisSemaphore, lifecycle: ResourceLifecycle<T>): LimitedLifecycle<T> {
  if (typeof lifecycle?.create !== "function") {
    throw new TypeError(`Cannot limit a pool as 'create' must be a function: received ${typeof lifecycle?.create}`);
  }
  const permits = new WeakMap<object, Permit>();
  // Lost, or released by the semaphore's close(): either way the slot is not ours.
  const holds = (resource: T) => permits.get(resource as object)?.signal.aborted === false;
  return {
    async create(signal) {
      const permit = await semaphore.acquire({ signal });
      let resource: T;
      try {
        resource = await lifecycle.create(signal);
      } catch (error) {
        await permit.release();
        throw error;
      }
      if (typeof resource !== "object" || resource === null) {
        await permit.release();
        throw new TypeError("Cannot limit a pool of primitive values: 'create' must return an object");
      }
      permits.set(resource, permit);
      return resource;
    },
    async destroy(resource, signal) {
      try {
        await lifecycle.destroy?.(resource, signal);
      } finally {
        const permit = permits.get(resource as object);
        permits.delete(resource as object);
        await permit?.release();
      }
    },
    async validate(resource, signal) {
      if (!holds(resource)) return false;
      return lifecycle.validate === undefined ? true : Boolean(await lifecycle.validate(resource, signal));
    },
    isAlive(resource) {
      return holds(resource) && (lifecycle.isAlive === undefined || lifecycle.isAlive(resource));
    },
  };
}
