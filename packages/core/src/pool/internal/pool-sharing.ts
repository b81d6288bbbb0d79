// Shared leases: several leases on one resource at once (a connection that
// pipelines, an HTTP/2 session), up to `maxShared` each, never together
// with an exclusive lease.
//
// Placement. A shared acquire takes, in this order: an idle resource (the
// least loaded there is; warm first, as exclusive acquires); a new one,
// while every resource already has a sharer and there is room under `max`
// (the acquire then waits in the queue for it, so that work spreads over
// `max` resources before it piles up on one); else the least-loaded
// resource below `maxShared`. While creates are in flight, a resource takes
// a sharer only while it holds fewer than its fair part of the shared
// leases out and waiting (shared / (sharing resources + creates in flight),
// rounded up): when the resources arrive, 100 waiters over max 10 end up
// 10 a resource, not all on the first to arrive.
//
// Fairness. Shared acquires share the one FIFO queue with exclusive ones
// and take the fast path only while nobody queues: once an exclusive
// acquire waits, later shared ones queue behind it, the resources drain,
// and the first one whose last sharer leaves goes to the exclusive waiter.
//
// A resource's life: `validate` runs before its first sharer (when it comes
// off the idle stack, as for an exclusive lease), `reset` after its last
// sharer left; `setup` (one borrower's preparation of the resource) is not
// called for shared leases. A shared lease's `destroy(error)`, an `isAlive`
// that says no, an ended lifetime or `maxUses` retire it: nobody is lent it
// again, and it is destroyed (never reset) once its last sharer has left.
// `maxUses` counts every lease.

import { now } from "../../base/clock.ts";
import { PoolClosedError } from "../../base/errors.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import type { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { Lease, type LeaseOwner, type LeaseTarget } from "../lease.ts";
import type { Creator } from "./pool-creator.ts";
import { ACQUIRE_EVENT, type PoolEvents, RELEASE_EVENT } from "./pool-events.ts";
import type { Inventory } from "./pool-inventory.ts";
import type { Maintenance } from "./pool-maintenance.ts";
import type { PoolSettings } from "./pool-options.ts";
import { GONE, type LeaseRecord, type PooledResource, SHARED } from "./pool-resource.ts";
import { Share } from "./pool-share.ts";
import type { Upkeep } from "./pool-upkeep.ts";
import { reasonOf, type WaitQueue } from "./pool-waiters.ts";
import { DONE } from "./pool-done.ts";

/** What sharing needs from lending. */
export interface SharingHost<T> {
  readonly queue: WaitQueue<T>;
  /** False once the pool is closing. */
  readonly open: boolean;
  /** Queues an acquire (`shared`: for a shared lease). */
  enqueue(
    scope: CancelNode | AbortSignal | undefined,
    timeout: number | undefined,
    stack: string | undefined,
    shared: boolean,
  ): Promise<Lease<T>>;
  /** Destroys the dead resources on top of the idle stack; returns how many idle ones are left. */
  dropDead(): number;
  pump(): void;
  offer(pooled: PooledResource<T>): void;
  leaseSignal(record: LeaseRecord<T>): AbortSignal;
  announceRelease(pooled: PooledResource<T>, heldFor?: number): void;
}

/** The parts sharing works with. */
export interface SharingParts<T> {
  books: Inventory<T>;
  events: PoolEvents<T>;
  creator: Pick<Creator<T>, "creating" | "live" | "mayCreate">;
  maintenance: Pick<Maintenance<T>, "askAlive" | "reset" | "destroy">;
  upkeep: Pick<Upkeep<T>, "lent" | "noneBorrowed" | "needsValidation">;
  host: SharingHost<T>;
}

// TypeScript-private members, as Lender's (see the note there).
export class Sharing<T> implements LeaseOwner<T> {
  private readonly settings: PoolSettings<T>;
  private readonly books: Inventory<T>;
  private readonly events: PoolEvents<T>;
  private readonly creator: SharingParts<T>["creator"];
  private readonly maintenance: SharingParts<T>["maintenance"];
  private readonly upkeep: SharingParts<T>["upkeep"];
  private readonly host: SharingHost<T>;

  constructor(settings: PoolSettings<T>, parts: SharingParts<T>) {
    this.settings = settings;
    this.books = parts.books;
    this.events = parts.events;
    this.creator = parts.creator;
    this.maintenance = parts.maintenance;
    this.upkeep = parts.upkeep;
    this.host = parts.host;
  }

  /** acquire({ shared: true }), its options checked. */
  acquire(signal: AbortSignal | undefined, timeout: number | undefined): Promise<Lease<T>> {
    const host = this.host;
    if (!host.open) return Promise.reject(new PoolClosedError());
    const scope = signal ?? ambientNode();
    if (scope !== undefined) {
      const reason = reasonOf(scope);
      if (reason !== undefined) return Promise.reject(reason);
    }
    const settings = this.settings;
    const stack = settings.leakTimeout === Infinity ? undefined : new Error("the lease was acquired here").stack;
    if (host.queue.size === 0) {
      let pooled: PooledResource<T> | undefined;
      const idle = this.books.idle;
      let n = idle.length;
      if (n > 0 && settings.isAlive !== undefined) n = host.dropDead();
      if (n > 0) {
        // A resource that needs validating is validated by the queue's pump.
        if (settings.validate === undefined || !this.upkeep.needsValidation(idle[n - 1]!)) pooled = idle.pop();
      } else pooled = this.place(1, (timeout ?? settings.acquireTimeout) > 0);
      if (pooled !== undefined) return Promise.resolve(this.lend(pooled, stack, scope));
    }
    return host.enqueue(scope, timeout, stack, true);
  }

  /**
   * The resource already lent shared that may take one more sharer now,
   * the least loaded, with `waiting` shared acquires (this one included)
   * wanting one; `undefined` when the acquire should wait (for a new
   * resource, or for a sharer to leave). An acquire that may not wait
   * (`patient` false: a timeout of 0) takes any place there is.
   */
  place(waiting: number, patient = true): PooledResource<T> | undefined {
    const books = this.books;
    const sharing = books.sharing;
    if (sharing.length === 0) return undefined;
    const { maxShared, maxUses, max } = this.settings;
    for (;;) {
      let best: PooledResource<T> | undefined;
      for (let i = 0; i < sharing.length; i++) {
        const p = sharing[i]!;
        if (p.retired || p.sharers >= maxShared || p.uses >= maxUses) continue;
        if (best === undefined || p.sharers < best.sharers) best = p;
      }
      if (best === undefined) return undefined;
      const creator = this.creator;
      if (patient) {
        // Room for a new resource: the acquire waits for it rather than pile on.
        if (creator.creating + books.held() < max && creator.mayCreate()) return undefined;
        // Resources on their way: take only up to the fair part (see the top of the file).
        const live = creator.live();
        if (live > 0 && best.sharers * (sharing.length + live) >= books.shared + waiting) return undefined;
      }
      if (this.settings.isAlive === undefined) return best;
      const dead = this.maintenance.askAlive(best);
      if (dead === undefined) return best;
      this.retire(best, "error" in dead, dead.error);
    }
  }

  /**
   * Starts a shared lease on `pooled` (off the idle stack, new, or already
   * shared), tied to `scope`. The pool's `setup` is not called: it prepares
   * a resource for one borrower, and a shared resource is one object for
   * all its sharers (each sharer's own state is its lease's: `lease.signal`).
   */
  lend(
    pooled: PooledResource<T>,
    stack: string | undefined,
    scope: CancelNode | AbortSignal | undefined,
    waited = 0,
  ): Lease<T> {
    const books = this.books;
    if (pooled.sharers++ === 0) {
      pooled.state = SHARED;
      books.startSharing(pooled);
    }
    pooled.uses++;
    const share = new Share<T>(pooled, scope);
    books.addShare(share);
    const settings = this.settings;
    const lease = new Lease<T>(this, share);
    books.acquires++;
    if (settings.leakTimeout !== Infinity) this.upkeep.lent(share, stack);
    const events = this.events;
    if (events.hears(RELEASE_EVENT)) share.startedAt = now();
    if (events.hears(ACQUIRE_EVENT)) events.emit("acquire", { resource: pooled.resource, duration: waited });
    return lease;
  }

  /** Nobody is lent `pooled` again; it is destroyed (with this error, if any) once its last sharer has left. */
  private retire(pooled: PooledResource<T>, hasError: boolean, error: unknown): void {
    pooled.retired = true;
    if (pooled.broken) return;
    pooled.broken = true;
    pooled.brokenHasError = hasError;
    pooled.brokenError = error;
  }

  /** Ends a shared lease; true when it was the resource's last (which is then the caller's to place). */
  private endShare(share: Share<T>): boolean {
    const books = this.books;
    books.removeShare(share);
    share.generation = 1;
    share.state = GONE;
    const node = share.signalNode;
    if (node !== undefined) {
      node.detach();
      share.signalNode = undefined;
    }
    share.scope = undefined;
    const pooled = share.host;
    if (--pooled.sharers > 0) return false;
    books.stopSharing(pooled);
    if (books.borrowed === 0) this.upkeep.noneBorrowed();
    return true;
  }

  giveBack(target: LeaseTarget<T>): Promise<void> {
    const share = target as Share<T>;
    const pooled = share.host;
    const books = this.books;
    if (!this.endShare(share)) {
      if (this.events.hears(RELEASE_EVENT)) {
        this.events.emit("release", { resource: pooled.resource, duration: heldFor(share) });
      }
      // A place for a waiting sharer (the pump serves nobody past an exclusive waiter).
      if (this.host.queue.size > 0) this.host.pump();
      books.changed();
      return DONE;
    }
    if (this.events.hears(RELEASE_EVENT)) this.host.announceRelease(pooled, heldFor(share));
    const done = this.afterLast(pooled);
    books.changed();
    return done ?? DONE;
  }

  /** The last sharer left `pooled`: destroy it when retired, else reset it or offer it. */
  private afterLast(pooled: PooledResource<T>): Promise<void> | undefined {
    const settings = this.settings;
    const maintenance = this.maintenance;
    if (pooled.broken) return maintenance.destroy(pooled, pooled.brokenHasError, pooled.brokenError);
    if (!this.host.open || pooled.retired || pooled.uses >= settings.maxUses) {
      return maintenance.destroy(pooled, false, undefined);
    }
    if (settings.reset === undefined) {
      this.host.offer(pooled);
      return undefined;
    }
    const dead = settings.isAlive === undefined ? undefined : maintenance.askAlive(pooled);
    return dead === undefined ? maintenance.reset(pooled) : maintenance.destroy(pooled, "error" in dead, dead.error);
  }

  destroyLeased(target: LeaseTarget<T>, hasError: boolean, error: unknown): Promise<void> {
    const share = target as Share<T>;
    const pooled = share.host;
    this.retire(pooled, hasError, error);
    const last = this.endShare(share);
    const hears = this.events.hears(RELEASE_EVENT);
    let done = DONE;
    if (!last) {
      if (hears) this.events.emit("release", { resource: pooled.resource, duration: heldFor(share) });
    } else {
      if (hears) this.host.announceRelease(pooled, heldFor(share));
      done = this.maintenance.destroy(pooled, pooled.brokenHasError, pooled.brokenError);
    }
    this.books.changed();
    return done;
  }

  leaseSignal(target: LeaseTarget<T>): AbortSignal {
    return this.host.leaseSignal(target as Share<T>);
  }

  /** close() gave up on the borrowers: every shared lease ends; each resource is destroyed when its last one does. */
  revokeAll(why: string): void {
    const books = this.books;
    for (let share = books.firstShare; share !== undefined; share = books.firstShare) {
      const pooled = share.host;
      const error = new PoolClosedError(`The pool revoked this lease: ${why}`);
      this.retire(pooled, true, error);
      if (this.endShare(share)) this.maintenance.destroy(pooled, pooled.brokenHasError, pooled.brokenError);
    }
  }
}

/** How long a shared lease was held (the `release` event's duration), when its start was noted. */
function heldFor<T>(share: Share<T>): number | undefined {
  return share.startedAt === 0 ? undefined : now() - share.startedAt;
}
