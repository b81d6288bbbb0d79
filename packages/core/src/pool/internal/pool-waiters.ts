// The FIFO queue of acquires that found no idle resource.
//
// A waiter is on an intrusive doubly-linked list (O(1) removal when it is
// aborted or times out, no allocation beyond the waiter) and is itself the
// Watcher of its signal. Timeouts: every waiter that uses the pool-wide
// `acquireTimeout` joined the queue later than the ones before it, so their
// deadlines are in queue order and ONE timer (the queue itself, armed for
// the oldest such waiter) covers them all. Only a waiter with its own
// `timeout` gets its own timer entry. The queue timer is left armed when the
// waiter it was set for is served; when it fires it finds the next deadline.

import { now } from "../../base/clock.ts";
import { type CancelNode, Watcher } from "../../cancellation/internal/cancel-node.ts";
import type { CreateOp } from "./pool-create-op.ts";
import { schedule, type TimerEntry, unschedule } from "../../base/scheduler.ts";

/** What a waiter reports to: the pool. */
export interface WaiterOwner<T> {
  /** The waiter's signal aborted (`timedOut` false) or its deadline passed (true). */
  leave(waiter: Waiter<T>, reason: unknown, timedOut: boolean): void;
}

export class Waiter<T> extends Watcher implements TimerEntry {
  readonly owner: WaiterOwner<T>;
  readonly resolve: (value: never) => void;
  readonly reject: (reason: unknown) => void;
  /** Where acquire() was called, when the pool watches for leaks. */
  readonly stack: string | undefined;
  qPrev: Waiter<T> | undefined = undefined;
  qNext: Waiter<T> | undefined = undefined;
  /** True iff on the queue; a waiter leaves the queue exactly once (served, aborted, timed out, closed). */
  queued = false;
  enqueuedAt = 0;
  /** How long it may wait, in ms (for the TimeoutError's message: deadline - enqueuedAt is not exact in floating point). */
  ms: number = Infinity;
  /** True when it has its own timeout (and so its own timer). */
  own = false;
  /** The create started on its behalf, while in flight. */
  create: CreateOp | undefined = undefined;
  /** The caller's signal or ambient node: the lease it gets is tied to it. */
  scope: CancelNode | AbortSignal | undefined = undefined;
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;

  constructor(
    owner: WaiterOwner<T>,
    resolve: (value: never) => void,
    reject: (reason: unknown) => void,
    stack: string | undefined,
  ) {
    super();
    this.owner = owner;
    this.resolve = resolve;
    this.reject = reject;
    this.stack = stack;
  }

  onAbort(reason: unknown): void {
    this.owner.leave(this, reason, false);
  }

  fire(): void {
    this.owner.leave(this, undefined, true);
  }
}

export class WaitQueue<T> implements TimerEntry {
  head: Waiter<T> | undefined = undefined;
  tail: Waiter<T> | undefined = undefined;
  size = 0;
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;
  readonly #owner: WaiterOwner<T>;

  constructor(owner: WaiterOwner<T>) {
    this.#owner = owner;
  }

  /** Appends `w`, which must wait at most `ms` (> 0) from `t`; `own` when `ms` is its own timeout. */
  push(w: Waiter<T>, t: number, ms: number, own: boolean): void {
    w.queued = true;
    w.enqueuedAt = t;
    w.qPrev = this.tail;
    w.qNext = undefined;
    if (this.tail === undefined) this.head = w;
    else this.tail.qNext = w;
    this.tail = w;
    this.size++;
    w.ms = ms;
    w.deadline = t + ms;
    if (ms === Infinity) return;
    if (own) {
      w.own = true;
      schedule(w);
    } else if (this.index < 0) {
      this.deadline = w.deadline;
      schedule(this);
    }
  }

  /** Unlinks `w` and stops its own timer; the queue timer stops with the last waiter. */
  remove(w: Waiter<T>): void {
    w.queued = false;
    const { qPrev, qNext } = w;
    if (qPrev === undefined) this.head = qNext;
    else qPrev.qNext = qNext;
    if (qNext === undefined) this.tail = qPrev;
    else qNext.qPrev = qPrev;
    w.qPrev = w.qNext = undefined;
    if (w.index >= 0) unschedule(w);
    if (--this.size === 0 && this.index >= 0) unschedule(this);
  }

  /** The pool-wide deadline passed for the oldest waiters. */
  fire(): void {
    const t = now();
    let expired: Waiter<T>[] | undefined;
    for (let w = this.head; w !== undefined; w = w.qNext) {
      if (w.own || w.deadline === Infinity) continue;
      if (w.deadline > t) {
        this.deadline = w.deadline;
        schedule(this);
        break;
      }
      (expired ??= []).push(w);
    }
    // Time them out only after the walk: leaving changes the list.
    if (expired !== undefined) { for (const w of expired) this.#owner.leave(w, undefined, true); }
  }
}

// Pins Waiter's hidden class across full GCs (see pinnedLease in lease.ts).
/** @internal */
export const pinnedWaiter: Waiter<never> = new Waiter<never>(
  undefined as never,
  undefined as never,
  undefined as never,
  undefined,
);
