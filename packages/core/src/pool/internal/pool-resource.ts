// One pooled resource and what the pool knows about it: where it is, its
// current lease, its uses, when it went idle or was lent. It is also the
// timer entry of its own maximum lifetime (resources are few; a timer each
// costs nothing).

import type { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import type { TimerEntry } from "../../base/scheduler.ts";

/** On the idle stack. */
export const IDLE = 0;
/** Lent out. */
export const BORROWED = 1;
/** Being created into the pool, validated, reset or destroyed. */
export const BUSY = 2;
/** Destroyed. */
export const GONE = 3;

/** What a pooled resource tells when its maximum lifetime ends. */
export interface LifetimeOwner {
  expired(pooled: PooledResource<unknown>): void;
}

export class PooledResource<T> implements TimerEntry {
  readonly resource: T;
  readonly lifetimeOwner: LifetimeOwner;
  /** IDLE, BORROWED, BUSY or GONE. */
  state: number = BUSY;
  /**
   * Bumped when a lease ends: a Lease is active iff the generation it began
   * with is still this one. (A number, not a pointer to the Lease: the
   * pooled resource is old and the lease young, and storing the lease here
   * would cost a write barrier and a remembered-set entry on every acquire.)
   */
  generation = 0;
  /** The lease's signal node, made only when someone reads `lease.signal` (or `setup` declares it). */
  signalNode: CancelNode | undefined = undefined;
  /** The borrower's signal or ambient node, while lent: the lease's signal node hangs under it. */
  scope: CancelNode | AbortSignal | undefined = undefined;
  /** Neighbours in the list of borrowed resources (in lend order). */
  prevBorrowed: PooledResource<T> | undefined = undefined;
  nextBorrowed: PooledResource<T> | undefined = undefined;
  /** Leases so far (for `maxUses`). */
  uses = 0;
  /** Its lifetime is over: destroy it instead of reusing it. */
  retired = false;
  /** The eviction epoch at which it went idle (see Upkeep). */
  idleEpoch = 0;
  /** When it went idle, on the now() clock; kept only when the pool validates. */
  idleAt = 0;
  /** When it was lent, where it was acquired, and whether its leak was reported; kept only when the pool watches for leaks. */
  lentAt = 0;
  acquireStack: string | undefined = undefined;
  leakReported = false;
  // Its lifetime timer.
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = false;

  constructor(lifetimeOwner: LifetimeOwner, resource: T) {
    this.lifetimeOwner = lifetimeOwner;
    this.resource = resource;
  }

  fire(): void {
    this.retired = true;
    this.lifetimeOwner.expired(this);
  }
}
