// The pool's front: acquiring (the idle fast path and the FIFO queue),
// giving back, and matching waiters with resources (pump).
//
// Fast path: with nobody queued and a fresh idle resource on top of the
// stack, acquire() pops it and returns one resolved promise. No timer, no
// clock read (unless the pool validates or watches for leaks), no
// AbortController. A released resource goes straight to the oldest waiter
// (its promise resolves, so the waiter runs in a microtask) or back on the
// idle stack.

import { now } from "../../base/clock.ts";
import { PoolClosedError, TimeoutError } from "../../base/errors.ts";
import type { Lease } from "../lease.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import { abortReason, CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { BUSY, type Entry } from "./pool-entry.ts";
import { PoolLifecycle } from "./pool-lifecycle.ts";
import { OPEN } from "./pool-state.ts";
import { Waiter } from "./pool-waiters.ts";
import { checkTimeout } from "./pool-options.ts";
import { checkOptions, checkSignal } from "../../base/validate.ts";

function captureStack(): string | undefined {
  return new Error("the lease was acquired here").stack;
}

/** The early reason of a signal or node, if it is already aborted. */
export function reasonOf(target: CancelNode | AbortSignal | undefined): unknown {
  if (target === undefined) return undefined;
  if (target instanceof CancelNode) return target.reason;
  return target.aborted ? abortReason(target) : undefined;
}

export class PoolCore<T> extends PoolLifecycle<T> {
  acquire(signal: AbortSignal | undefined, timeout: number | undefined): Promise<Lease<T>> {
    if (this.state !== OPEN) return Promise.reject(new PoolClosedError());
    const target = signal ?? ambientNode();
    if (target !== undefined) {
      const reason = reasonOf(target);
      if (reason !== undefined) return Promise.reject(reason);
    }
    const stack = this.s.leakTimeout === Infinity ? undefined : captureStack();
    if (this.queue.size === 0) {
      const idle = this.idle;
      let n = idle.length;
      if (n > 0 && this.s.isAlive !== undefined) n = this.dropDead();
      if (n > 0) {
        const entry = idle[n - 1]!;
        if (this.s.validate === undefined || !this.needsValidation(entry)) {
          idle.pop();
          try {
            return Promise.resolve(this.lend(entry, stack, target));
          } catch (error) {
            return Promise.reject(error);
          }
        }
      }
    }
    return this.enqueue(target, timeout, stack);
  }

  /** Destroys the dead resources on top of the idle stack; returns how many idle ones are left. */
  dropDead(): number {
    const idle = this.idle;
    while (idle.length > 0) {
      const entry = idle.pop()!;
      if (this.keepIfAlive(entry)) {
        idle.push(entry);
        break;
      }
    }
    return idle.length;
  }

  /** acquire() with its options checked (a bad option rejects, it never throws). */
  acquireWith(options: unknown): Promise<Lease<T>> {
    if (options === undefined) return this.acquire(undefined, undefined);
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    try {
      checkOptions("acquire", options);
      const o = options as { signal?: unknown; timeout?: unknown };
      signal = checkSignal("acquire", o.signal);
      timeout = checkTimeout("acquire", o.timeout, "0 takes an idle resource or fails at once");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.acquire(signal, timeout);
  }

  enqueue(
    target: CancelNode | AbortSignal | undefined,
    timeout: number | undefined,
    stack: string | undefined,
  ): Promise<Lease<T>> {
    return new Promise<Lease<T>>((resolve, reject) => {
      const ms = timeout ?? this.s.acquireTimeout;
      if (ms <= 0) {
        this.timeouts++;
        reject(this.timeoutError(ms));
        return;
      }
      const w = new Waiter<T>(this, resolve as (value: never) => void, reject, stack);
      if (target !== undefined) {
        w.attach(target);
        w.scope = target;
      }
      this.queue.push(w, now(), ms, timeout !== undefined);
      this.pump();
    });
  }

  timeoutError(ms: number): TimeoutError {
    // Failing iff failures > 0; the error itself may be anything, `undefined` included.
    if (this.failures === 0) return new TimeoutError(`pool: no resource became available within ${ms} ms`);
    return new TimeoutError(
      `pool: no resource became available within ${ms} ms (creating one failed; see cause)`,
      { cause: this.lastCreateError },
    );
  }

  leave(w: Waiter<T>, reason: unknown, timedOut: boolean): void {
    if (!w.queued) return;
    this.queue.remove(w);
    w.detach();
    if (timedOut) {
      this.timeouts++;
      reason = this.timeoutError(w.ms);
    }
    w.reject(reason);
    if (this.state === OPEN) this.trimCreates(w, reason);
  }

  /** Serves queued waiters from the idle stack, or starts creates for them, within `max`. */
  pump(): void {
    if (this.state !== OPEN) return;
    const q = this.queue;
    const s = this.s;
    // Re-read everything each turn: serving dispatches events, and a
    // listener may acquire or release synchronously.
    while (q.size - (this.creating - this.cancelledCreates) - this.validating > 0) {
      const idle = this.idle;
      if (idle.length > 0) {
        const entry = idle.pop()!;
        if (s.isAlive !== undefined && !this.keepIfAlive(entry)) continue;
        if (s.validate !== undefined && this.needsValidation(entry)) this.validateEntry(entry);
        else this.serve(q.head!, entry);
        continue;
      }
      if (this.size() >= s.max || !this.mayCreate()) break;
      this.startCreate(this.nextTrigger());
    }
    this.fill();
  }

  /** The oldest waiter that no create was started for. */
  nextTrigger(): Waiter<T> | undefined {
    for (let w = this.queue.head; w !== undefined; w = w.qNext) {
      if (w.create === undefined) return w;
    }
    return undefined;
  }

  giveBack(entry: Entry<T>): Promise<void> {
    this.endLease(entry);
    if ((this.wants & 8) !== 0) this.announceRelease(entry);
    const s = this.s;
    let done: Promise<void> | undefined;
    if (this.state !== OPEN || entry.retired || entry.uses >= s.maxUses) done = this.destroy(entry, false, undefined);
    else if (s.reset === undefined) this.offer(entry);
    else {
      // A dead resource is not worth a reset (offer() checks the others).
      const dead = s.isAlive === undefined ? undefined : this.askAlive(entry);
      done = dead === undefined ? this.recycle(entry) : this.destroy(entry, "error" in dead, dead.error);
    }
    this.changed();
    return done ?? DONE;
  }

  destroyLeased(entry: Entry<T>, hasError: boolean, error: unknown): Promise<void> {
    this.endLease(entry);
    if ((this.wants & 8) !== 0) this.announceRelease(entry);
    const done = this.destroy(entry, hasError, error);
    this.changed();
    return done;
  }

  /** Dispatches `release` while the entry counts as in maintenance, so `stats` add up inside listeners. */
  announceRelease(entry: Entry<T>): void {
    entry.state = BUSY;
    this.maintaining++;
    this.emit("release", { resource: entry.resource });
    this.maintaining--;
  }
}

const DONE: Promise<void> = Promise.resolve();
