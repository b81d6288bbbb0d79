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
/** Lent to one or more shared leases (see pool-sharing.ts). */
export const SHARED = 4;

/**
 * What the books keep of one lease while it is out, for leak detection and
 * close: a pooled resource lent exclusively, or one share of a resource.
 */
export interface LeaseRecord<T> {
  readonly resource: T;
  /** Whether the lease is shared (a Share) or exclusive (the PooledResource itself). */
  readonly shared: boolean;
  /** Bumped when the lease ends (see PooledResource.generation). */
  generation: number;
  /** BORROWED while the lease is out. */
  state: number;
  /** The lease's signal node, made only when someone reads `lease.signal` (or `setup` declares it). */
  signalNode: CancelNode | undefined;
  /** The borrower's signal or ambient node, while lent: the lease's signal node hangs under it. */
  scope: CancelNode | AbortSignal | undefined;
  lentAt: number;
  acquireStack: string | undefined;
  leakReported: boolean;
  readonly nextBorrowed: LeaseRecord<T> | undefined;
}

/** What a pooled resource tells when its maximum lifetime ends. */
export interface LifetimeOwner {
  expired(pooled: PooledResource<unknown>): void;
}

export class PooledResource<T> implements TimerEntry, LeaseRecord<T> {
  readonly resource: T;
  /** Leases on it are exclusive (a lease reads this; a Share says true). */
  readonly shared: boolean = false;
  readonly lifetimeOwner: LifetimeOwner;
  /** IDLE, BORROWED, BUSY, GONE or SHARED. */
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
  /** Its lifetime is over (or a lease marked it broken): destroy it instead of reusing it. */
  retired = false;
  /** Shared leases out on it (state SHARED iff > 0). */
  sharers = 0;
  /** Its place in the books' list of shared resources, while SHARED. */
  shareIndex = -1;
  /** A shared lease called destroy(): nobody is lent it again; destroyed once its last sharer leaves. */
  broken = false;
  /** The error that destroy() was given (`brokenHasError`: whether one was, `undefined` included). */
  brokenHasError = false;
  brokenError: unknown = undefined;
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
