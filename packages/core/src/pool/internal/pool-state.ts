// The pool's books: where every resource is, the counters behind `stats`,
// and the moves every other layer uses (lend a resource, end a lease).
//
// Accounting invariant (checked by the property tests):
//   size      = creating + idle + borrowed + maintaining   (never above max)
//   created - destroyed = idle + borrowed + maintaining
// where `maintaining` counts resources being validated, reset or destroyed.

import { now } from "../../base/clock.ts";
import { Lease, type LeaseOwner } from "../lease.ts";
import type { PoolEventInit, PoolEventType } from "../pool-event.ts";
import type { PoolStats } from "../pool-types.ts";
import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { BORROWED, type Entry, type EntryOwner, PoolTimer } from "./pool-entry.ts";
import type { Guard, GuardOwner } from "./pool-guard.ts";
import type { PoolSettings } from "./pool-options.ts";
import { type Waiter, type WaiterOwner, WaitQueue } from "./pool-waiters.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";

export const OPEN = 0;
export const CLOSING = 1;

/** Bits of `wants`: event types somebody listens to (events nobody hears are never built). */
export const EVENT_BITS: Record<PoolEventType, number> = {
  create: 1,
  destroy: 2,
  acquire: 4,
  release: 8,
  error: 16,
  leak: 32,
};

export abstract class PoolState<T> implements LeaseOwner<T>, WaiterOwner<T>, EntryOwner, GuardOwner {
  readonly s: PoolSettings<T>;
  readonly dispatch: (type: PoolEventType, init: PoolEventInit<T>) => void;
  /** EVENT_BITS of the types that have had a listener. */
  wants = 0;
  state: number = OPEN;
  /** Idle resources; the top (end) is the most recently used: reuse is LIFO, eviction takes the bottom. */
  readonly idle: Entry<T>[] = [];
  /** Borrowed entries in lend order (oldest first: leak detection walks from here). */
  bHead: Entry<T> | undefined = undefined;
  bTail: Entry<T> | undefined = undefined;
  borrowed = 0;
  creating = 0;
  /** Creates cancelled because nobody needs them, still in flight (they hold their slot until they settle). */
  cancelledCreates = 0;
  maintaining = 0;
  validating = 0;
  destroying = 0;
  readonly queue: WaitQueue<T>;
  created = 0;
  destroyed = 0;
  timeouts = 0;
  acquires = 0;
  waits = 0;
  totalWaitTime = 0;
  maxWaitTime = 0;
  /** Set once close() stopped waiting for borrowers: every lease signal aborts with `leaseCancelReason`. */
  leasesCancelled = false;
  leaseCancelReason: unknown = undefined;
  readonly leakTimer: PoolTimer;
  /** The guard whose hook is running synchronously right now (see pool-guard.ts). */
  running: Guard | undefined = undefined;
  /** Hooks (counted in `maintaining`) that called close() or terminate(): the close does not wait for them. */
  hooksInClose = 0;
  /** Called after anything settles, while close() waits for the pool to drain. */
  onChange: (() => void) | undefined = undefined;

  constructor(settings: PoolSettings<T>, dispatch: (type: PoolEventType, init: PoolEventInit<T>) => void) {
    this.s = settings;
    this.dispatch = dispatch;
    this.queue = new WaitQueue<T>(this);
    this.leakTimer = new PoolTimer(false, () => this.checkLeaks());
  }

  abstract giveBack(entry: Entry<T>): Promise<void>;
  abstract destroyLeased(entry: Entry<T>, hasError: boolean, error: unknown): Promise<void>;
  abstract leave(waiter: Waiter<T>, reason: unknown, timedOut: boolean): void;
  abstract expire(entry: Entry<unknown>): void;
  abstract destroy(entry: Entry<T>, hasError: boolean, error: unknown): Promise<void>;

  /** Everything that counts toward `max`. */
  size(): number {
    return this.creating + this.idle.length + this.borrowed + this.maintaining;
  }

  /** Resources that exist and are not on their way out. */
  alive(): number {
    return this.idle.length + this.borrowed + this.maintaining - this.destroying;
  }

  emit(type: PoolEventType, init: PoolEventInit<T>): void {
    if ((this.wants & EVENT_BITS[type]) !== 0) this.dispatch(type, init);
  }

  changed(): void {
    const onChange = this.onChange;
    if (onChange !== undefined) onChange();
  }

  /**
   * Starts a lease on `entry` (already out of the idle stack), tied to
   * `scope`. Throws the error of a failing `setup` (the entry is then
   * destroyed and no lease started).
   */
  lend(entry: Entry<T>, stack: string | undefined, scope: CancelNode | AbortSignal | undefined): Lease<T> {
    entry.state = BORROWED;
    entry.uses++;
    this.borrowed++;
    const tail = this.bTail;
    entry.prev = tail;
    if (tail === undefined) this.bHead = entry;
    else tail.next = entry;
    this.bTail = entry;
    if (scope !== undefined) entry.scope = scope;
    if (this.s.setup !== undefined) this.runSetup(entry);
    const lease = new Lease<T>(this, entry);
    this.acquires++;
    if (this.s.leakTimeout !== Infinity) {
      entry.lentAt = now();
      entry.stack = stack;
      entry.leaked = false;
      if (this.leakTimer.index < 0) {
        this.leakTimer.deadline = entry.lentAt + this.s.leakTimeout;
        schedule(this.leakTimer);
      }
    }
    if ((this.wants & 4) !== 0) this.dispatch("acquire", { resource: entry.resource });
    return lease;
  }

  /** Hands `entry` to the queued waiter `w` (a failing `setup` rejects it instead). */
  serve(w: Waiter<T>, entry: Entry<T>): void {
    this.queue.remove(w);
    w.detach();
    let lease: Lease<T>;
    try {
      lease = this.lend(entry, w.stack, w.scope);
    } catch (error) {
      w.reject(error);
      return;
    }
    const waited = now() - w.enqueuedAt;
    this.waits++;
    this.totalWaitTime += waited;
    if (waited > this.maxWaitTime) this.maxWaitTime = waited;
    w.resolve(lease as never);
  }

  /** Calls `setup` for a lease starting on `entry`; when it fails, ends the lease, destroys the entry and throws. */
  runSetup(entry: Entry<T>): void {
    const setup = this.s.setup!;
    let result: unknown;
    let failed = false;
    let error: unknown;
    try {
      result = setup.length < 2
        ? (setup as (resource: T) => unknown)(entry.resource)
        : setup(entry.resource, this.leaseSignal(entry));
      if (
        result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function"
      ) {
        Promise.resolve(result).then(undefined, () => {});
        throw new TypeError(
          "Cannot lend a resource as 'setup' must return synchronously (prepare it in create or validate): received a promise",
        );
      }
    } catch (e) {
      failed = true;
      error = e;
    }
    if (!failed) return;
    this.endLease(entry);
    this.emit("error", { error, phase: "setup", resource: entry.resource });
    this.destroy(entry, true, error);
    throw error;
  }

  /** Ends the active lease on `entry` (the entry itself is then the caller's to place). */
  endLease(entry: Entry<T>): void {
    const { prev, next } = entry;
    if (prev === undefined) this.bHead = next;
    else prev.next = next;
    if (next === undefined) this.bTail = prev;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    entry.gen = (entry.gen + 1) | 0;
    const node = entry.node;
    if (node !== undefined) {
      node.detach();
      entry.node = undefined;
    }
    if (entry.scope !== undefined) entry.scope = undefined;
    if (--this.borrowed === 0 && this.leakTimer.index >= 0) unschedule(this.leakTimer);
  }

  /**
   * The lease's signal: a node under the borrower's scope (so it aborts when
   * the borrower's signal does) that close() cancels when it stops waiting.
   */
  leaseSignal(entry: Entry<T>): AbortSignal {
    let node = entry.node;
    if (node === undefined) {
      node = entry.node = new CancelNode();
      if (this.leasesCancelled) node.cancel(this.leaseCancelReason);
      else if (entry.scope !== undefined) {
        const reason = node.attach(entry.scope);
        if (reason !== undefined) node.cancel(reason);
      }
    }
    return node.signal;
  }

  /** close() stops waiting for borrowers: every lease signal, now and later, aborts with `reason`. */
  cancelLeases(reason: unknown): void {
    this.leasesCancelled = true;
    this.leaseCancelReason = reason;
    // Collect first: an abort listener may end a lease (and unlink it) synchronously.
    const nodes: CancelNode[] = [];
    for (let e = this.bHead; e !== undefined; e = e.next) if (e.node !== undefined) nodes.push(e.node);
    for (const node of nodes) node.cancel(reason);
  }

  /** The leak timer fired: report every lease held past `leakTimeout`, re-arm for the next. */
  checkLeaks(): void {
    const t = now();
    const limit = this.s.leakTimeout;
    let found: Entry<T>[] | undefined;
    for (let e = this.bHead; e !== undefined; e = e.next) {
      if (e.leaked) continue;
      const due = e.lentAt + limit;
      if (due > t) {
        this.leakTimer.deadline = due;
        schedule(this.leakTimer);
        break;
      }
      e.leaked = true;
      (found ??= []).push(e);
    }
    if (found === undefined) return;
    for (const e of found) {
      if (e.state === BORROWED) {
        this.emit("leak", { resource: e.resource, stack: e.stack, heldFor: t - e.lentAt });
      }
    }
  }

  snapshot(): PoolStats {
    return {
      size: this.size(),
      idle: this.idle.length,
      borrowed: this.borrowed,
      pending: this.queue.size,
      creating: this.creating,
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
