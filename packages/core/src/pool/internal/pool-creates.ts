// Creating resources: for waiters, to keep `min`, with backoff after
// failures, and cancelled when nobody needs them any more.
//
// Failure policy. A failed create rejects one waiter with the create's own
// error: the one it was started for if that one still waits, else the
// oldest. The pool then backs off: no create starts before `retryDelay`
// (doubling per consecutive failure, capped at `maxRetryDelay`), and while
// it is failing only one create (a probe) is in flight at a time, so a dead
// backend is never hammered and the pool never spins. Creates that were
// already in flight when a failure arrived do not grow the delay. The first
// success ends the failing state. Waiters that time out meanwhile get a
// TimeoutError whose `cause` is the last create error.
//
// A create the pool cancelled (its waiter left, or the pool is closing) that
// then rejects with that cancellation is no failure; recognised by identity
// (see CreateOp.owns), never by name. Any other error it rejects with is its
// own failure: an `error` event, counted toward the backoff while the pool
// is open, but it fails no waiter (none was waiting for it).

import { now } from "../../base/clock.ts";
import { hooks } from "../../base/runtime.ts";
import { Entry, PoolTimer } from "./pool-entry.ts";
import { CreateOp } from "./pool-create-op.ts";
import { OPEN, PoolState } from "./pool-state.ts";
import type { Waiter } from "./pool-waiters.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";
import { type ReadyWaiter, settleReady } from "./pool-ready.ts";

export abstract class PoolCreates<T> extends PoolState<T> {
  readonly creates: Set<CreateOp> = new Set();
  /** Consecutive counted failures; 0 when the last create succeeded. */
  failures = 0;
  failureGeneration = 0;
  nextCreateAt = 0;
  lastCreateError: unknown = undefined;
  /** The last failure while below `min`, until a create succeeds (ready() rejects with it): set iff `hasFillError`. */
  fillError: unknown = undefined;
  hasFillError = false;
  readonly readyWaiters: Set<ReadyWaiter> = new Set();
  // Two backoff timers: one holds the process open while somebody waits for the retry.
  readonly backoffTimer: PoolTimer = new PoolTimer(true, () => this.pump());
  readonly backgroundBackoffTimer: PoolTimer = new PoolTimer(false, () => this.pump());

  abstract offer(entry: Entry<T>): void;
  abstract place(entry: Entry<T>): void;
  abstract pump(): void;

  /** True when a create may start now; when only the backoff is in the way, arms its timer. */
  mayCreate(): boolean {
    if (this.failures === 0) return true;
    if (this.creating - this.cancelledCreates > 0) return false;
    const at = this.nextCreateAt;
    if (now() >= at) return true;
    const waiting = this.queue.size > 0 || this.readyWaiters.size > 0;
    const timer = waiting ? this.backoffTimer : this.backgroundBackoffTimer;
    if (timer.index < 0) {
      timer.deadline = at;
      schedule(timer);
    }
    return false;
  }

  stopBackoff(): void {
    if (this.backoffTimer.index >= 0) unschedule(this.backoffTimer);
    if (this.backgroundBackoffTimer.index >= 0) unschedule(this.backgroundBackoffTimer);
  }

  /** Creates toward `min`, within `max`. */
  fill(): void {
    const s = this.s;
    if (s.min === 0 || this.state !== OPEN) return;
    while (this.size() - this.destroying < s.min && this.size() < s.max && this.mayCreate()) {
      this.startCreate(undefined);
    }
  }

  startCreate(trigger: Waiter<T> | undefined): void {
    const op = new CreateOp(trigger as Waiter<unknown> | undefined, this.failureGeneration);
    if (trigger !== undefined) trigger.create = op;
    this.creating++;
    this.creates.add(op);
    let result: unknown;
    try {
      const signal = op.signal;
      const create = this.s.create;
      const context = hooks.context;
      result = context === undefined ? create(signal) : context.run(op, () => create(signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (resource) => this.createSettled(op, true, resource),
      (error) => this.createSettled(op, false, error),
    );
  }

  abstract askAlive(entry: Entry<T>): { error?: unknown } | undefined;

  createSettled(op: CreateOp, ok: boolean, value: unknown): void {
    this.creates.delete(op);
    this.creating--;
    const cancelled = op.reason !== undefined;
    if (cancelled) this.cancelledCreates--;
    const trigger = op.trigger as Waiter<T> | undefined;
    if (trigger !== undefined && trigger.create === op) trigger.create = undefined;
    if (ok) {
      const entry = new Entry<T>(this, value as T);
      this.created++;
      this.emit("create", { resource: entry.resource });
      const dead = this.s.isAlive === undefined || this.state !== OPEN ? undefined : this.askAlive(entry);
      if (dead === undefined) this.created_(entry);
      else {
        // A new resource found dead is a failed create: counted toward the
        // backoff like any other (before its destroy lets the pool create
        // again), so a backend that hands out dead connections is not
        // hammered in a loop. A throwing check was already an error event.
        const threw = "error" in dead;
        const error = threw ? dead.error : new Error("pool: create() returned a resource that isAlive() says is dead");
        this.countFailure(op, error);
        this.destroy(entry, true, error);
        if (!threw) this.emit("error", { error, phase: "create" });
        this.failWaiters(trigger, cancelled, error);
      }
    } else if (cancelled && op.owns(value)) {
      // Our own cancellation (nobody needed it, or the pool is closing): not a failure.
    } else if (this.state !== OPEN) {
      // Its own failure, after close() cancelled it: nobody waits any more, but the owner hears of it.
      this.emit("error", { error: value, phase: "create" });
    } else {
      this.countFailure(op, value);
      this.emit("error", { error: value, phase: "create" });
      // A create cancelled because nobody needed it fails nobody; its failure
      // still counts toward the backoff and is the cause of later timeouts.
      this.failWaiters(trigger, cancelled, value);
    }
    this.pump();
    this.changed();
  }

  /** A create failed while the pool is open: the backoff grows once per generation of creates. */
  countFailure(op: CreateOp, error: unknown): void {
    this.lastCreateError = error;
    if (op.generation === this.failureGeneration) {
      this.failureGeneration++;
      const delay = Math.min(this.s.maxRetryDelay, this.s.retryDelay * 2 ** this.failures);
      this.failures++;
      this.nextCreateAt = now() + delay;
    }
  }

  /** A failed create fails one waiter (`trigger` if it still waits, else the oldest; none when cancelled) and ready(). */
  failWaiters(trigger: Waiter<T> | undefined, cancelled: boolean, error: unknown): void {
    const victim = cancelled ? undefined : trigger !== undefined && trigger.queued ? trigger : this.queue.head;
    if (victim !== undefined) this.leave(victim, error, false);
    if (this.alive() < this.s.min) {
      this.fillError = error;
      this.hasFillError = true;
      if (this.readyWaiters.size > 0) settleReady(this.readyWaiters, false, error);
    }
  }

  /** A new resource arrived alive: the failing state ends, and it is offered. */
  created_(entry: Entry<T>): void {
    this.failures = 0;
    this.hasFillError = false;
    this.fillError = undefined;
    this.lastCreateError = undefined;
    this.stopBackoff();
    const s = this.s;
    if (s.maxLifetime !== Infinity) {
      entry.deadline = now() + s.maxLifetime * (1 - s.maxLifetimeJitter * Math.random());
      schedule(entry);
    }
    this.offer(entry);
    if (this.readyWaiters.size > 0 && this.alive() >= s.min) settleReady(this.readyWaiters, true, undefined);
  }

  /**
   * A waiter left: cancel the creates nobody needs any more (the one started
   * for it first, then the youngest), so a timed-out acquire does not leave
   * a connection attempt running for nothing.
   */
  trimCreates(w: Waiter<T>, reason: unknown): void {
    const live = this.creating - this.cancelledCreates;
    if (live === 0) return;
    const deficit = Math.max(0, this.s.min - this.alive());
    let surplus = Math.min(live, live + this.validating - this.queue.size - deficit);
    if (surplus <= 0) return;
    const own = w.create;
    if (own !== undefined && own.reason === undefined) {
      this.cancelCreate(own, reason);
      surplus--;
    }
    if (surplus > 0) {
      const ops = [...this.creates];
      for (let i = ops.length - 1; i >= 0 && surplus > 0; i--) {
        const op = ops[i]!;
        if (op.reason === undefined) {
          this.cancelCreate(op, reason);
          surplus--;
        }
      }
    }
  }

  cancelCreate(op: CreateOp, reason: unknown): void {
    this.cancelledCreates++;
    op.cancel(reason);
  }
}
