// The pool's background timers: idle eviction, maximum lifetimes and leak
// detection. Each only reads the books and hands what it finds to
// maintenance (a destroy) or to the owner (a `leak` event).
//
// Idle eviction reads no clock on the hot path: a background timer ticks
// every idleTimeout/4 and counts epochs; parking a resource stamps the
// current epoch. A resource stamped at epoch j has, at epoch k, been idle
// for at least (k - j - 1) ticks, so evicting once k - j >= ceil(idleTimeout
// / tick) + 1 never evicts early and is at most one tick late.

import { now } from "../../base/clock.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";
import type { PoolEvents } from "./pool-events.ts";
import type { Inventory } from "./pool-inventory.ts";
import type { Maintenance } from "./pool-maintenance.ts";
import type { PoolSettings } from "./pool-options.ts";
import { BORROWED, IDLE, type LeaseRecord, type LifetimeOwner, type PooledResource } from "./pool-resource.ts";
import { PoolTimer } from "./pool-timer.ts";

// TypeScript-private members, not #private: park() runs on every release
// (see the note on Lender).
export class Upkeep<T> implements LifetimeOwner {
  /** Eviction ticks so far. */
  epoch = 0;
  private readonly evictor: PoolTimer = new PoolTimer(false, () => this.evict());
  private readonly leakTimer: PoolTimer = new PoolTimer(false, () => this.checkLeaks());
  private open = true;
  private readonly settings: PoolSettings<T>;
  private readonly books: Inventory<T>;
  private readonly events: PoolEvents<T>;
  private readonly maintenance: Pick<Maintenance<T>, "destroy">;

  constructor(
    settings: PoolSettings<T>,
    books: Inventory<T>,
    events: PoolEvents<T>,
    maintenance: Pick<Maintenance<T>, "destroy">,
  ) {
    this.settings = settings;
    this.books = books;
    this.events = events;
    this.maintenance = maintenance;
  }

  /** Puts a resource on the idle stack, stamped for eviction (and for validation when the pool validates). */
  park(pooled: PooledResource<T>): void {
    pooled.state = IDLE;
    pooled.idleEpoch = this.epoch;
    const settings = this.settings;
    if (settings.validate !== undefined) pooled.idleAt = now();
    this.books.idle.push(pooled);
    if (this.evictor.index < 0 && settings.idleTimeout !== Infinity) this.armEvictor();
  }

  /** True when an idle resource must be validated before it is lent. */
  needsValidation(pooled: PooledResource<T>): boolean {
    const settings = this.settings;
    return settings.validate !== undefined && now() - pooled.idleAt >= settings.validateAfterIdle;
  }

  /** Starts a new resource's lifetime (shortened by a random part up to `maxLifetimeJitter`). */
  born(pooled: PooledResource<T>): void {
    const { maxLifetime, maxLifetimeJitter } = this.settings;
    if (maxLifetime === Infinity) return;
    pooled.deadline = now() + maxLifetime * (1 - maxLifetimeJitter * Math.random());
    schedule(pooled);
  }

  /** A resource's lifetime ended: an idle one goes now; a busy or borrowed one when it comes back. */
  expired(expired: PooledResource<unknown>): void {
    const pooled = expired as PooledResource<T>;
    if (pooled.state !== IDLE) return;
    this.books.removeIdle(pooled);
    this.maintenance.destroy(pooled, false, undefined);
  }

  /** A lease started: remember when and where, for leak detection (only when `leakTimeout` is set). */
  lent(pooled: LeaseRecord<T>, acquireStack: string | undefined): void {
    pooled.lentAt = now();
    pooled.acquireStack = acquireStack;
    pooled.leakReported = false;
    const timer = this.leakTimer;
    if (timer.index < 0) {
      timer.deadline = pooled.lentAt + this.settings.leakTimeout;
      schedule(timer);
    }
  }

  /** Nothing is borrowed any more: no leak to look for. */
  noneBorrowed(): void {
    if (this.leakTimer.index >= 0) unschedule(this.leakTimer);
  }

  /** The pool is closing: no more evictions. */
  stop(): void {
    this.open = false;
    if (this.evictor.index >= 0) unschedule(this.evictor);
  }

  private armEvictor(): void {
    const books = this.books;
    if (!this.open || books.idle.length === 0 || books.alive() <= this.settings.min) return;
    this.evictor.deadline = now() + Math.max(1, this.settings.idleTimeout / 4);
    schedule(this.evictor);
  }

  private evict(): void {
    const { idleTimeout, min } = this.settings;
    const tick = Math.max(1, idleTimeout / 4);
    const age = Math.ceil(idleTimeout / tick) + 1;
    const epoch = ++this.epoch;
    const books = this.books;
    const idle = books.idle;
    while (idle.length > 0 && books.alive() > min && epoch - idle[0]!.idleEpoch >= age) {
      this.maintenance.destroy(idle.shift()!, false, undefined);
    }
    if (this.evictor.index < 0) this.armEvictor();
  }

  /** The leak timer fired: report every lease held past `leakTimeout`, re-arm for the next. */
  private checkLeaks(): void {
    const t = now();
    const found: LeaseRecord<T>[] = [];
    // Exclusive and shared leases are on two lists, each in lend order.
    const next = Math.min(
      this.overdue(this.books.firstBorrowed, t, found),
      this.overdue(this.books.firstShare, t, found),
    );
    if (next !== Infinity) {
      this.leakTimer.deadline = next;
      schedule(this.leakTimer);
    }
    // Reported after the walks: a listener may end leases (and unlink them).
    for (const p of found) {
      if (p.state === BORROWED) {
        this.events.emit("leak", { resource: p.resource, stack: p.acquireStack, heldFor: t - p.lentAt });
      }
    }
  }

  /** Collects the leases on the list from `first` held past `leakTimeout` at `t`; returns when the next one is due. */
  private overdue(first: LeaseRecord<T> | undefined, t: number, found: LeaseRecord<T>[]): number {
    const limit = this.settings.leakTimeout;
    for (let p = first; p !== undefined; p = p.nextBorrowed) {
      if (p.leakReported) continue;
      const due = p.lentAt + limit;
      if (due > t) return due;
      p.leakReported = true;
      found.push(p);
    }
    return Infinity;
  }
}
