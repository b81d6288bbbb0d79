// Keeping resources healthy: where an available resource goes, validation
// on borrow, reset on release, destruction, idle eviction and lifetimes.
// The owner's callbacks all run guarded (shielded, bounded by
// `cleanupTimeout`); their failures become `error` events.
//
// Idle eviction reads no clock on the hot path: a background timer ticks
// every idleTimeout/4 and counts epochs; a release stamps the current epoch.
// A resource stamped at epoch j has, at epoch k, been idle for at least
// (k - j - 1) ticks, so evicting once k - j >= ceil(idleTimeout / tick) + 1
// never evicts early and is at most one tick late.

import { now } from "../../base/clock.ts";
import { BUSY, type Entry, GONE, IDLE, PoolTimer } from "./pool-entry.ts";
import { PoolCreates } from "./pool-creates.ts";
import { type Guard, runGuarded } from "./pool-guard.ts";
import { OPEN } from "./pool-state.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";

const DONE: Promise<void> = Promise.resolve();
const DEAD: { error?: unknown } = Object.freeze({});

export abstract class PoolUpkeep<T> extends PoolCreates<T> {
  epoch = 0;
  readonly evictor: PoolTimer = new PoolTimer(false, () => this.evict());

  /**
   * A resource is available (released, reset, validated): destroyed when the
   * pool is closing, its lifetime is over or `isAlive` says it is dead;
   * otherwise to the oldest waiter, or idle.
   */
  offer(entry: Entry<T>): void {
    if (this.state !== OPEN || entry.retired) {
      this.destroy(entry, false, undefined);
      return;
    }
    if (this.s.isAlive !== undefined && !this.keepIfAlive(entry)) return;
    this.place(entry);
  }

  /** Gives a checked resource to the oldest waiter, or puts it on the idle stack. */
  place(entry: Entry<T>): void {
    const w = this.queue.head;
    if (w !== undefined) {
      this.serve(w, entry);
      return;
    }
    entry.state = IDLE;
    entry.idleEpoch = this.epoch;
    if (this.s.validate !== undefined) entry.idleAt = now();
    this.idle.push(entry);
    if (this.evictor.index < 0 && this.s.idleTimeout !== Infinity) this.armEvictor();
  }

  /**
   * Asks `isAlive` about `entry` (out of the idle stack): `undefined` when it
   * is alive, else why it is dead — `{}`, or `{ error }` when the check threw
   * (an `error` event).
   */
  askAlive(entry: Entry<T>): { error?: unknown } | undefined {
    try {
      return this.s.isAlive!(entry.resource) === false ? DEAD : undefined;
    } catch (error) {
      this.emit("error", { error, phase: "isAlive", resource: entry.resource });
      return { error };
    }
  }

  /** True when `entry` is alive; otherwise destroys it and returns false. */
  keepIfAlive(entry: Entry<T>): boolean {
    const dead = this.askAlive(entry);
    if (dead === undefined) return true;
    this.destroy(entry, "error" in dead, dead.error);
    return false;
  }

  needsValidation(entry: Entry<T>): boolean {
    return this.s.validate !== undefined && now() - entry.idleAt >= this.s.validateAfterIdle;
  }

  /** Checks an entry taken from the idle stack for the waiters; a bad one is destroyed and the pool tries again. */
  validateEntry(entry: Entry<T>): void {
    entry.state = BUSY;
    this.maintaining++;
    this.validating++;
    const guard = runGuarded("validate", this.s.validate!, entry.resource, this.s.cleanupTimeout, this);
    if (guard.settled) this.validated(entry, guard);
    else guard.settledPromise().then((g) => this.validated(entry, g));
  }

  validated(entry: Entry<T>, guard: Guard): void {
    this.maintaining--;
    this.validating--;
    if (guard.ok && guard.value !== false) {
      this.offer(entry);
    } else {
      if (!guard.ok) this.emit("error", { error: guard.value, phase: "validate", resource: entry.resource });
      this.destroy(entry, !guard.ok, guard.value);
    }
    this.pump();
    this.changed();
  }

  /** Resets a released resource, then offers it; a failing reset destroys it. */
  recycle(entry: Entry<T>): Promise<void> | undefined {
    entry.state = BUSY;
    this.maintaining++;
    const guard = runGuarded("reset", this.s.reset!, entry.resource, this.s.cleanupTimeout, this);
    if (guard.settled) return this.afterReset(entry, guard);
    return guard.settledPromise().then((g) => this.afterReset(entry, g));
  }

  afterReset(entry: Entry<T>, guard: Guard): Promise<void> | undefined {
    this.maintaining--;
    if (guard.ok) {
      this.offer(entry);
      this.changed();
      return undefined;
    }
    this.emit("error", { error: guard.value, phase: "reset", resource: entry.resource });
    return this.destroy(entry, true, guard.value);
  }

  /**
   * Destroys `entry` (no longer idle or borrowed); `hasError` when it goes
   * because something failed (`error` may be `undefined`). Resolves once
   * done; never rejects.
   */
  destroy(entry: Entry<T>, hasError: boolean, error: unknown): Promise<void> {
    entry.state = BUSY;
    this.maintaining++;
    this.destroying++;
    if (entry.index >= 0) unschedule(entry);
    const fn = this.s.destroy;
    if (fn === undefined) {
      this.destroyed_(entry, hasError, error);
      return DONE;
    }
    const guard = runGuarded("destroy", fn, entry.resource, this.s.cleanupTimeout, this);
    if (guard.settled) {
      this.afterDestroy(entry, guard, hasError, error);
      return DONE;
    }
    return guard.settledPromise().then((g) => this.afterDestroy(entry, g, hasError, error));
  }

  afterDestroy(entry: Entry<T>, guard: Guard, hasError: boolean, error: unknown): void {
    if (!guard.ok) this.emit("error", { error: guard.value, phase: "destroy", resource: entry.resource });
    this.destroyed_(entry, hasError, error);
  }

  destroyed_(entry: Entry<T>, hasError: boolean, error: unknown): void {
    this.maintaining--;
    this.destroying--;
    entry.state = GONE;
    this.destroyed++;
    this.emit("destroy", hasError ? { resource: entry.resource, error } : { resource: entry.resource });
    this.pump();
    this.changed();
  }

  /** A resource's lifetime ended: an idle one goes now; a busy or borrowed one when it comes back. */
  expire(expired: Entry<unknown>): void {
    const entry = expired as Entry<T>;
    if (entry.state !== IDLE) return;
    this.idle.splice(this.idle.indexOf(entry), 1);
    this.destroy(entry, false, undefined);
  }

  armEvictor(): void {
    if (this.state !== OPEN || this.idle.length === 0 || this.alive() <= this.s.min) return;
    this.evictor.deadline = now() + Math.max(1, this.s.idleTimeout / 4);
    schedule(this.evictor);
  }

  evict(): void {
    const tick = Math.max(1, this.s.idleTimeout / 4);
    const age = Math.ceil(this.s.idleTimeout / tick) + 1;
    const epoch = ++this.epoch;
    const idle = this.idle;
    while (idle.length > 0 && this.alive() > this.s.min && epoch - idle[0]!.idleEpoch >= age) {
      this.destroy(idle.shift()!, false, undefined);
    }
    if (this.evictor.index < 0) this.armEvictor();
  }
}
