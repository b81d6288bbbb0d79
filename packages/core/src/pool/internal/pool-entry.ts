// One pooled resource and its bookkeeping, plus the small timer the pool
// uses for its background work. An Entry is also the timer entry of its own
// maximum lifetime (resources are few; a timer each costs nothing).

import type { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import type { TimerEntry } from "../../base/scheduler.ts";

/** In the idle stack. */
export const IDLE = 0;
/** Lent out: `lease` is the active Lease. */
export const BORROWED = 1;
/** Being created into the pool, validated, reset or destroyed. */
export const BUSY = 2;
/** Destroyed. */
export const GONE = 3;

/** What an entry tells when its lifetime ends. */
export interface EntryOwner {
  expire(entry: Entry<unknown>): void;
}

export class Entry<T> implements TimerEntry {
  readonly resource: T;
  readonly owner: EntryOwner;
  state: number = BUSY;
  /**
   * Lease generation, bumped when a lease ends: a Lease is active iff its
   * generation is the entry's. (A number, not a pointer to the Lease: the
   * entry is old and the lease young, and storing the lease here would cost
   * a write barrier and a remembered-set entry on every acquire.)
   */
  gen = 0;
  /** The lease's signal node, made only when someone reads `lease.signal` (or `setup` declares it). */
  node: CancelNode | undefined = undefined;
  /** The borrower's signal or ambient node, while lent: the lease's signal node hangs under it. */
  scope: CancelNode | AbortSignal | undefined = undefined;
  /** Links in the pool's list of borrowed entries (in lend order). */
  prev: Entry<T> | undefined = undefined;
  next: Entry<T> | undefined = undefined;
  uses = 0;
  /** Its lifetime is over: destroy it instead of reusing it. */
  retired = false;
  /** The eviction epoch at which it went idle (see PoolUpkeep.evict). */
  idleEpoch = 0;
  /** When it went idle, on the now() clock; kept only when the pool validates. */
  idleAt = 0;
  /** When it was lent, and where it was acquired; kept only when the pool watches for leaks. */
  lentAt = 0;
  stack: string | undefined = undefined;
  leaked = false;
  // Lifetime timer.
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = false;

  constructor(owner: EntryOwner, resource: T) {
    this.owner = owner;
    this.resource = resource;
  }

  fire(): void {
    this.retired = true;
    this.owner.expire(this);
  }
}

/** A background (or, with `keepAlive`, foreground) timer entry calling `fire`. */
export class PoolTimer implements TimerEntry {
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean;
  readonly fire: () => void;

  constructor(keepAlive: boolean, fire: () => void) {
    this.keepAlive = keepAlive;
    this.fire = fire;
  }
}
