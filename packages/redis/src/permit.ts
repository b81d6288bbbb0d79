/**
 * A slot held in a Redis semaphore.
 *
 * @module
 */

/**
 * The reason a {@linkcode Permit}'s signal carries when the permit was lost:
 * its lease expired before it could be renewed (the process stalled, or Redis
 * was unreachable for longer than the lease), so another process may hold
 * the slot now.
 *
 * @example Stop work when the slot is lost
 * ```ts
 * import { createSemaphore, PermitLostError } from "@corral/redis";
 * await using sem = createSemaphore({ name: `example:${crypto.randomUUID()}`, limit: 1 });
 * await using permit = await sem.acquire();
 * permit.signal.addEventListener("abort", () => {
 *   if (permit.signal.reason instanceof PermitLostError) console.error("slot lost: stop writing");
 * });
 * ```
 */
export class PermitLostError extends Error {
  /** Always `"PermitLostError"`. */
  override get name(): string {
    return "PermitLostError";
  }
}

/** @internal What a permit needs from its semaphore. */
export interface PermitOwner {
  readonly name: string;
  /** Removes the holder id from Redis; never rejects. */
  forget(permit: Permit): Promise<void>;
}

/**
 * One slot of a Redis semaphore, held until released or lost. While held,
 * the semaphore renews its lease in the background; `signal` aborts (with a
 * {@linkcode PermitLostError}) if a renewal fails for longer than the lease,
 * or when the semaphore is closed.
 *
 * Releasing is idempotent and never rejects: when Redis cannot be reached,
 * the slot frees itself as the lease expires.
 *
 * @example Hold a permit for a block
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSemaphore } from "@corral/redis";
 * await using sem = createSemaphore({ name: `example:${crypto.randomUUID()}`, limit: 1 });
 * {
 *   await using permit = await sem.acquire();
 *   assert(sem.held === 1 && !permit.lost);
 * }
 * assert.equal(sem.held, 0);
 * ```
 */
export class Permit implements AsyncDisposable {
  /** The holder id stored in Redis (unique per acquisition). */
  readonly id: string;
  /** The semaphore's name. */
  readonly semaphore: string;
  /** @internal `performance.now()` by which the lease is certainly expired unless renewed. */
  expiresAt: number;
  #owner: PermitOwner;
  #controller = new AbortController();
  #released = false;

  /** @internal Created by the semaphore. */
  constructor(owner: PermitOwner, id: string, expiresAt: number) {
    this.#owner = owner;
    this.semaphore = owner.name;
    this.id = id;
    this.expiresAt = expiresAt;
  }

  /** Aborts when the permit is lost or its semaphore closes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the lease was lost (see {@linkcode PermitLostError}). */
  get lost(): boolean {
    return this.#controller.signal.aborted && !this.#released;
  }

  /** True once `release()` was called. */
  get released(): boolean {
    return this.#released;
  }

  /** @internal Ends the permit without releasing it in Redis (lost, or released by a close). */
  end(reason: unknown, released: boolean): void {
    if (this.#released || this.#controller.signal.aborted) return;
    this.#released = released;
    this.#controller.abort(reason);
  }

  /**
   * Gives the slot back. Idempotent; never rejects.
   *
   * @returns once Redis has removed the holder (or could not be reached)
   */
  release(): Promise<void> {
    if (this.#released || this.#controller.signal.aborted) return Promise.resolve();
    this.#released = true;
    return this.#owner.forget(this);
  }

  /** Same as {@linkcode Permit.release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
