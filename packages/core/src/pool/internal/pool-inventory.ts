// The pool's books: where every resource it holds is (the idle stack, the
// borrowed list, the ones in maintenance) and the counters behind `stats`.
// Creates in flight and queued acquires are counted by their own parts.
//
// Accounting invariant (checked by the property tests):
//   size      = creating + idle + borrowed + maintaining   (never above max)
//   created - destroyed = idle + borrowed + maintaining
// where `maintaining` counts resources being validated, reset or destroyed,
// and `borrowed` counts a resource with one or more shared leases once (it
// is then on the `sharing` list, and each of its leases on the shares list).

import type { PoolStats } from "../pool-types.ts";
import type { PooledResource } from "./pool-resource.ts";
import type { Share } from "./pool-share.ts";

export class Inventory<T> {
  /** Idle resources; the top (end) is the most recently used: reuse is LIFO, eviction takes the bottom. */
  readonly idle: PooledResource<T>[] = [];
  /** Borrowed resources in lend order (oldest first: leak detection walks from here). */
  firstBorrowed: PooledResource<T> | undefined = undefined;
  lastBorrowed: PooledResource<T> | undefined = undefined;
  borrowed = 0;
  /** Resources lent shared (each counted once in `borrowed`), in no order; `shareIndex` is each one's place. */
  readonly sharing: PooledResource<T>[] = [];
  /** Shared leases out, in lend order (oldest first), and how many. */
  firstShare: Share<T> | undefined = undefined;
  lastShare: Share<T> | undefined = undefined;
  shared = 0;
  /** Resources being validated, reset or destroyed (`validating` and `destroying` are parts of it). */
  maintaining = 0;
  validating = 0;
  destroying = 0;
  created = 0;
  destroyed = 0;
  timeouts = 0;
  acquires = 0;
  waits = 0;
  totalWaitTime = 0;
  maxWaitTime = 0;
  /** Called after anything settles, while close() waits for the pool to drain. */
  onChange: (() => void) | undefined = undefined;

  /** Resources that exist: idle, borrowed or in maintenance. */
  held(): number {
    return this.idle.length + this.borrowed + this.maintaining;
  }

  /** Resources that exist and are not on their way out. */
  alive(): number {
    return this.idle.length + this.borrowed + this.maintaining - this.destroying;
  }

  /** Appends `pooled` to the borrowed list. */
  addBorrowed(pooled: PooledResource<T>): void {
    const last = this.lastBorrowed;
    pooled.prevBorrowed = last;
    if (last === undefined) this.firstBorrowed = pooled;
    else last.nextBorrowed = pooled;
    this.lastBorrowed = pooled;
    this.borrowed++;
  }

  /** Unlinks `pooled` from the borrowed list in O(1). */
  removeBorrowed(pooled: PooledResource<T>): void {
    const { prevBorrowed, nextBorrowed } = pooled;
    if (prevBorrowed === undefined) this.firstBorrowed = nextBorrowed;
    else prevBorrowed.nextBorrowed = nextBorrowed;
    if (nextBorrowed === undefined) this.lastBorrowed = prevBorrowed;
    else nextBorrowed.prevBorrowed = prevBorrowed;
    pooled.prevBorrowed = pooled.nextBorrowed = undefined;
    this.borrowed--;
  }

  /** A resource gets its first sharer: it counts as borrowed once, however many share it. */
  startSharing(pooled: PooledResource<T>): void {
    pooled.shareIndex = this.sharing.length;
    this.sharing.push(pooled);
    this.borrowed++;
  }

  /** Its last sharer left. */
  stopSharing(pooled: PooledResource<T>): void {
    const sharing = this.sharing;
    const last = sharing.pop()!;
    if (last !== pooled) {
      sharing[pooled.shareIndex] = last;
      last.shareIndex = pooled.shareIndex;
    }
    pooled.shareIndex = -1;
    this.borrowed--;
  }

  /** Appends `share` to the list of shared leases. */
  addShare(share: Share<T>): void {
    const last = this.lastShare;
    share.prevBorrowed = last;
    if (last === undefined) this.firstShare = share;
    else last.nextBorrowed = share;
    this.lastShare = share;
    this.shared++;
  }

  /** Unlinks `share` in O(1). */
  removeShare(share: Share<T>): void {
    const { prevBorrowed, nextBorrowed } = share;
    if (prevBorrowed === undefined) this.firstShare = nextBorrowed;
    else prevBorrowed.nextBorrowed = nextBorrowed;
    if (nextBorrowed === undefined) this.lastShare = prevBorrowed;
    else nextBorrowed.prevBorrowed = prevBorrowed;
    share.prevBorrowed = share.nextBorrowed = undefined;
    this.shared--;
  }

  /** Takes `pooled` off the idle stack, wherever it is; false when it is not there. */
  removeIdle(pooled: PooledResource<T>): boolean {
    const i = this.idle.indexOf(pooled);
    if (i < 0) return false;
    this.idle.splice(i, 1);
    return true;
  }

  /** Counts a lease handed out after waiting `ms` in the queue. */
  recordWait(ms: number): void {
    this.waits++;
    this.totalWaitTime += ms;
    if (ms > this.maxWaitTime) this.maxWaitTime = ms;
  }

  changed(): void {
    const onChange = this.onChange;
    if (onChange !== undefined) onChange();
  }

  snapshot(creating: number, pending: number): PoolStats {
    return {
      size: creating + this.held(),
      idle: this.idle.length,
      borrowed: this.borrowed,
      shared: this.shared,
      pending,
      creating,
      maintaining: this.maintaining,
      created: this.created,
      destroyed: this.destroyed,
      timeouts: this.timeouts,
      acquires: this.acquires,
      waits: this.waits,
      totalWaitTime: this.totalWaitTime,
      maxWaitTime: this.maxWaitTime,
    };
  }
}
