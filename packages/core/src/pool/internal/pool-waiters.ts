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
import { abortReason, CancelNode, Watcher } from "../../cancellation/internal/cancel-node.ts";
import { schedule, type TimerEntry, unschedule } from "../../base/scheduler.ts";

/** The reason of a signal or node that has already aborted; `undefined` while it has not (a reason never is). */
export function reasonOf(target: CancelNode | AbortSignal | undefined): unknown {
  if (target === undefined) return undefined;
  if (target instanceof CancelNode) return target.reason;
  return target.aborted ? abortReason(target) : undefined;
}

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
  readonly acquireStack: string | undefined;
  /** Neighbours in the queue (a Watcher's own `prev`/`next` link it under its signal). */
  queuePrev: Waiter<T> | undefined = undefined;
  queueNext: Waiter<T> | undefined = undefined;
  /** It wants a shared lease. */
  shared = false;
  /** True iff on the queue; a waiter leaves the queue exactly once (served, aborted, timed out, closed). */
  queued = false;
  enqueuedAt = 0;
  /** How long it may wait, in ms (for the TimeoutError's message: deadline - enqueuedAt is not exact in floating point). */
  timeoutMs: number = Infinity;
  /** True when it has its own timeout (and so its own timer entry, itself). */
  hasOwnTimer = false;
  /** The create started on its behalf (a CreateOp), while in flight. */
  create: CancelNode | undefined = undefined;
  /** The caller's signal or ambient node: the lease it gets is tied to it. */
  scope: CancelNode | AbortSignal | undefined = undefined;
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;

  constructor(
    owner: WaiterOwner<T>,
    resolve: (value: never) => void,
    reject: (reason: unknown) => void,
    acquireStack: string | undefined,
  ) {
    super();
    this.owner = owner;
    this.resolve = resolve;
    this.reject = reject;
    this.acquireStack = acquireStack;
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
  /** How many of the queued waiters want a shared lease. */
  sharedCount = 0;
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;
  readonly #owner: WaiterOwner<T>;

  constructor(owner: WaiterOwner<T>) {
    this.#owner = owner;
  }

  /** Appends `w`, which must wait at most `ms` (> 0) from `t`; `ownTimeout` when `ms` is its own, not the pool's. */
  push(w: Waiter<T>, t: number, ms: number, ownTimeout: boolean): void {
    w.queued = true;
    w.enqueuedAt = t;
    w.queuePrev = this.tail;
    w.queueNext = undefined;
    if (this.tail === undefined) this.head = w;
    else this.tail.queueNext = w;
    this.tail = w;
    this.size++;
    if (w.shared) this.sharedCount++;
    w.timeoutMs = ms;
    w.deadline = t + ms;
    if (ms === Infinity) return;
    if (ownTimeout) {
      w.hasOwnTimer = true;
      schedule(w);
    } else if (this.index < 0) {
      this.deadline = w.deadline;
      schedule(this);
    }
  }

  /** Unlinks `w` and stops its own timer; the queue timer stops with the last waiter. */
  remove(w: Waiter<T>): void {
    w.queued = false;
    const { queuePrev, queueNext } = w;
    if (queuePrev === undefined) this.head = queueNext;
    else queuePrev.queueNext = queueNext;
    if (queueNext === undefined) this.tail = queuePrev;
    else queueNext.queuePrev = queuePrev;
    w.queuePrev = w.queueNext = undefined;
    if (w.shared) this.sharedCount--;
    if (w.index >= 0) unschedule(w);
    if (--this.size === 0 && this.index >= 0) unschedule(this);
  }

  /** The pool-wide deadline passed for the oldest waiters. */
  fire(): void {
    const t = now();
    let expired: Waiter<T>[] | undefined;
    for (let w = this.head; w !== undefined; w = w.queueNext) {
      if (w.hasOwnTimer || w.deadline === Infinity) continue;
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
