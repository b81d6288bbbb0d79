// Lending: acquiring (the idle fast path and the FIFO queue), starting and
// ending leases, giving back, and matching waiters with resources (pump).
// It is the hub the other parts report to: creation and maintenance hand it
// the resources that become available (`offer`), the queue its waiters
// that leave.
//
// Fast path: with nobody queued and a fresh idle resource on top of the
// stack, acquire() pops it and returns one resolved promise. No timer, no
// clock read (unless the pool validates or watches for leaks), no
// AbortController. A released resource goes straight to the oldest waiter
// (its promise resolves, so the waiter runs in a microtask) or back on the
// idle stack.

import { now } from "../../base/clock.ts";
import { PoolClosedError, PoolTimeoutError } from "../../base/errors.ts";
import { checkOptions, checkSignal, describe } from "../../base/validate.ts";
import { traced, tracing } from "../../base/tracing.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { Lease, type LeaseOwner } from "../lease.ts";
import type { Creator, CreatorHost } from "./pool-creator.ts";
import { ACQUIRE_EVENT, type PoolEvents, RELEASE_EVENT } from "./pool-events.ts";
import type { Inventory } from "./pool-inventory.ts";
import { DONE } from "./pool-done.ts";
import type { Maintenance, MaintenanceHost } from "./pool-maintenance.ts";
import { checkTimeout, type PoolSettings } from "./pool-options.ts";
import { BORROWED, BUSY, type LeaseRecord, type PooledResource } from "./pool-resource.ts";
import { callSetup } from "./pool-share.ts";
import type { Sharing, SharingHost } from "./pool-sharing.ts";
import type { Upkeep } from "./pool-upkeep.ts";
import { traceAcquire } from "./pool-trace.ts";
import type { Borrowing } from "./pool-use.ts";
import { reasonOf, Waiter, type WaiterOwner, WaitQueue } from "./pool-waiters.ts";

function captureStack(): string | undefined {
  return new Error("the lease was acquired here").stack;
}

/** What lending uses of the other parts. */
export interface LenderParts<T> {
  creator: Pick<
    Creator<T>,
    | "creating"
    | "cancelled"
    | "failures"
    | "lastError"
    | "live"
    | "mayCreate"
    | "start"
    | "nextTrigger"
    | "fill"
    | "trim"
  >;
  maintenance: Pick<Maintenance<T>, "askAlive" | "keepIfAlive" | "validate" | "reset" | "destroy">;
  upkeep: Pick<Upkeep<T>, "park" | "needsValidation" | "lent" | "noneBorrowed">;
  sharing: Pick<Sharing<T>, "acquire" | "place" | "lend" | "revokeAll">;
}

// Its members are TypeScript-private rather than #private, as Upkeep's:
// JavaScriptCore reads them on every acquire and release, and #private
// fields cost Bun ~15% there (pool benchmark, uncontended: ~61 ns a cycle
// with plain fields, 64-79 ns with #private; V8 runs both alike).
export class Lender<T>
  implements LeaseOwner<T>, WaiterOwner<T>, CreatorHost<T>, MaintenanceHost<T>, Borrowing<T>, SharingHost<T> {
  readonly queue: WaitQueue<T> = new WaitQueue<T>(this);
  /** Set once close() stopped waiting for borrowers: every lease signal aborts with `leaseCancelReason`. */
  private leasesCancelled = false;
  private leaseCancelReason: unknown = undefined;
  /** False once the pool is closing. */
  open = true;
  private readonly settings: PoolSettings<T>;
  private readonly books: Inventory<T>;
  private readonly events: PoolEvents<T>;
  // The parts that report back here; set once by attach().
  private creator!: LenderParts<T>["creator"];
  private maintenance!: LenderParts<T>["maintenance"];
  private upkeep!: LenderParts<T>["upkeep"];
  private sharing!: LenderParts<T>["sharing"];

  constructor(settings: PoolSettings<T>, books: Inventory<T>, events: PoolEvents<T>) {
    this.settings = settings;
    this.books = books;
    this.events = events;
  }

  attach(parts: LenderParts<T>): void {
    this.creator = parts.creator;
    this.maintenance = parts.maintenance;
    this.upkeep = parts.upkeep;
    this.sharing = parts.sharing;
  }

  /** The pool's `isBroken` (for use()). */
  isBroken(error: unknown, resource: T): boolean {
    return this.settings.isBroken(error, resource);
  }

  /** acquire() with its options checked (a bad option rejects, it never throws). */
  acquireWith(options: unknown, untraced?: boolean): Promise<Lease<T>> {
    if (untraced !== true && traced(tracing.acquire)) return traceAcquire(this, this.books, this.events.owner, options);
    if (options === undefined) return this.acquire(undefined, undefined);
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    let shared: unknown;
    try {
      checkOptions("acquire", options);
      const o = options as { signal?: unknown; timeout?: unknown; shared?: unknown };
      signal = checkSignal("acquire", o.signal);
      timeout = checkTimeout("acquire", o.timeout, "0 takes an idle resource or fails at once");
      shared = o.shared;
      if (shared !== undefined && typeof shared !== "boolean") {
        throw new TypeError(`Cannot acquire as 'shared' must be a boolean: received ${describe(shared)}`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return shared === true ? this.sharing.acquire(signal, timeout) : this.acquire(signal, timeout);
  }

  acquire(signal: AbortSignal | undefined, timeout: number | undefined): Promise<Lease<T>> {
    if (!this.open) return Promise.reject(new PoolClosedError());
    const scope = signal ?? ambientNode();
    if (scope !== undefined) {
      const reason = reasonOf(scope);
      if (reason !== undefined) return Promise.reject(reason);
    }
    const settings = this.settings;
    const stack = settings.leakTimeout === Infinity ? undefined : captureStack();
    if (this.queue.size === 0) {
      const idle = this.books.idle;
      let n = idle.length;
      if (n > 0 && settings.isAlive !== undefined) n = this.dropDead();
      if (n > 0) {
        const pooled = idle[n - 1]!;
        if (settings.validate === undefined || !this.upkeep.needsValidation(pooled)) {
          idle.pop();
          // lend() throws only from `setup`; JavaScriptCore runs the hot path faster without the try.
          if (settings.setup === undefined) return Promise.resolve(this.lend(pooled, stack, scope));
          try {
            return Promise.resolve(this.lend(pooled, stack, scope));
          } catch (error) {
            return Promise.reject(error);
          }
        }
      }
    }
    return this.enqueue(scope, timeout, stack, false);
  }

  /** Destroys the dead resources on top of the idle stack; returns how many idle ones are left. */
  dropDead(): number {
    const idle = this.books.idle;
    while (idle.length > 0) {
      const pooled = idle.pop()!;
      if (this.maintenance.keepIfAlive(pooled)) {
        idle.push(pooled);
        break;
      }
    }
    return idle.length;
  }

  /** Queues an acquire (`shared`: for a shared lease) and pumps. */
  enqueue(
    scope: CancelNode | AbortSignal | undefined,
    timeout: number | undefined,
    stack: string | undefined,
    shared: boolean,
  ): Promise<Lease<T>> {
    return new Promise<Lease<T>>((resolve, reject) => {
      const ms = timeout ?? this.settings.acquireTimeout;
      if (ms <= 0) {
        this.books.timeouts++;
        reject(this.timeoutError(ms));
        return;
      }
      const w = new Waiter<T>(this, resolve as (value: never) => void, reject, stack);
      if (shared) w.shared = true;
      if (scope !== undefined) {
        w.attach(scope);
        w.scope = scope;
      }
      this.queue.push(w, now(), ms, timeout !== undefined);
      this.pump();
    });
  }

  private timeoutError(ms: number): PoolTimeoutError {
    const creator = this.creator;
    // Failing iff failures > 0; the error itself may be anything, `undefined` included.
    if (creator.failures === 0) return new PoolTimeoutError(`pool: no resource became available within ${ms} ms`);
    return new PoolTimeoutError(
      `pool: no resource became available within ${ms} ms (creating one failed; see cause)`,
      { cause: creator.lastError },
    );
  }

  /** A waiter leaves the queue: its signal aborted, its deadline passed (`timedOut`), a create failed for it, or close. */
  leave(w: Waiter<T>, reason: unknown, timedOut: boolean): void {
    if (!w.queued) return;
    this.queue.remove(w);
    w.detach();
    if (timedOut) {
      this.books.timeouts++;
      reason = this.timeoutError(w.timeoutMs);
    }
    w.reject(reason);
    if (!this.open) return;
    this.creator.trim(w, reason, this.books.validating);
    // A waiter that leaves from the head may have held shared waiters back.
    if (this.queue.sharedCount > 0) this.pump();
  }

  /** Serves queued waiters from the idle stack, or starts creates for them, within `max`. */
  pump(): void {
    if (!this.open) return;
    const q = this.queue;
    const settings = this.settings;
    const books = this.books;
    const creator = this.creator;
    // Re-read everything each turn: serving dispatches events, and a
    // listener may acquire or release synchronously.
    for (let w = q.head; w !== undefined; w = q.head) {
      if (w.shared && books.idle.length === 0) {
        // Nothing idle: a shared waiter tries the resources already shared (pool-sharing.ts places it).
        const shared = this.sharing.place(q.sharedCount);
        if (shared !== undefined) {
          this.serve(w, shared);
          continue;
        }
      }
      if (q.size - creator.live() - books.validating <= 0) break;
      const idle = books.idle;
      if (idle.length > 0) {
        const pooled = idle.pop()!;
        if (settings.isAlive !== undefined && !this.maintenance.keepIfAlive(pooled)) continue;
        if (settings.validate !== undefined && this.upkeep.needsValidation(pooled)) this.maintenance.validate(pooled);
        else this.serve(w, pooled);
        continue;
      }
      if (creator.creating + books.held() >= settings.max || !creator.mayCreate()) break;
      creator.start(creator.nextTrigger());
    }
    creator.fill();
  }

  /**
   * A resource is available (created, released, reset, validated): destroyed
   * when the pool is closing, its lifetime is over or `isAlive` says it is
   * dead; otherwise to the oldest waiter, or idle.
   */
  offer(pooled: PooledResource<T>): void {
    if (this.settings.isAlive === undefined || !this.open || this.maintenance.keepIfAlive(pooled)) {
      this.offerAlive(pooled);
    }
  }

  /** {@linkcode offer} for a resource `isAlive` has just answered for (a new one). */
  offerAlive(pooled: PooledResource<T>): void {
    if (!this.open || pooled.retired) {
      this.maintenance.destroy(pooled, false, undefined);
      return;
    }
    const w = this.queue.head;
    if (w === undefined) this.upkeep.park(pooled);
    else {
      this.serve(w, pooled);
      // More shared waiters may fit on what is lent shared now.
      if (this.queue.sharedCount > 0) this.pump();
    }
  }

  /** Hands `pooled` to the queued waiter `w` (a failing `setup` of an exclusive lease rejects it instead). */
  private serve(w: Waiter<T>, pooled: PooledResource<T>): void {
    this.queue.remove(w);
    w.detach();
    const waited = now() - w.enqueuedAt;
    let lease: Lease<T>;
    if (w.shared) lease = this.sharing.lend(pooled, w.acquireStack, w.scope, waited);
    else if (this.settings.setup === undefined) lease = this.lend(pooled, w.acquireStack, w.scope, waited);
    else {
      try {
        lease = this.lend(pooled, w.acquireStack, w.scope, waited);
      } catch (error) {
        w.reject(error);
        return;
      }
    }
    this.books.recordWait(waited);
    w.resolve(lease as never);
  }

  /**
   * Starts a lease on `pooled` (already out of the idle stack), tied to
   * `scope`. Throws the error of a failing `setup` (the resource is then
   * destroyed and no lease started).
   */
  private lend(
    pooled: PooledResource<T>,
    stack: string | undefined,
    scope: CancelNode | AbortSignal | undefined,
    waited = 0,
  ): Lease<T> {
    pooled.state = BORROWED;
    pooled.uses++;
    const books = this.books;
    books.addBorrowed(pooled);
    if (scope !== undefined) pooled.scope = scope;
    const settings = this.settings;
    if (settings.setup !== undefined) this.setup(pooled);
    const lease = new Lease<T>(this, pooled);
    books.acquires++;
    if (settings.leakTimeout !== Infinity) this.upkeep.lent(pooled, stack);
    else if (this.events.hears(RELEASE_EVENT)) pooled.lentAt = now();
    if (this.events.hears(ACQUIRE_EVENT)) this.events.emit("acquire", { resource: pooled.resource, duration: waited });
    return lease;
  }

  /** Calls `setup` for a lease starting on `pooled`; when it fails, ends the lease, destroys the resource and throws. */
  private setup(pooled: PooledResource<T>): void {
    let failed = false;
    let error: unknown;
    try {
      callSetup(this.settings.setup!, pooled, this);
    } catch (e) {
      failed = true;
      error = e;
    }
    if (!failed) return;
    this.endLease(pooled);
    this.events.emit("error", { error, phase: "setup", resource: pooled.resource });
    this.maintenance.destroy(pooled, true, error);
    throw error;
  }

  /** Ends the active lease on `pooled` (the resource is then the caller's to place). */
  private endLease(pooled: PooledResource<T>): void {
    const books = this.books;
    books.removeBorrowed(pooled);
    pooled.generation = (pooled.generation + 1) | 0;
    const node = pooled.signalNode;
    if (node !== undefined) {
      node.detach();
      pooled.signalNode = undefined;
    }
    if (pooled.scope !== undefined) pooled.scope = undefined;
    if (books.borrowed === 0) this.upkeep.noneBorrowed();
  }

  giveBack(pooled: PooledResource<T>): Promise<void> {
    this.endLease(pooled);
    if (this.events.hears(RELEASE_EVENT)) this.announceRelease(pooled);
    const settings = this.settings;
    let done: Promise<void> | undefined;
    if (!this.open || pooled.retired || pooled.uses >= settings.maxUses) {
      done = this.maintenance.destroy(pooled, false, undefined);
    } else if (settings.reset === undefined) this.offer(pooled);
    else {
      // A dead resource is not worth a reset (offer() checks the others).
      const dead = settings.isAlive === undefined ? undefined : this.maintenance.askAlive(pooled);
      done = dead === undefined
        ? this.maintenance.reset(pooled)
        : this.maintenance.destroy(pooled, "error" in dead, dead.error);
    }
    this.books.changed();
    return done ?? DONE;
  }

  destroyLeased(pooled: PooledResource<T>, hasError: boolean, error: unknown): Promise<void> {
    this.endLease(pooled);
    if (this.events.hears(RELEASE_EVENT)) this.announceRelease(pooled);
    const done = this.maintenance.destroy(pooled, hasError, error);
    this.books.changed();
    return done;
  }

  /** Dispatches `release` while the resource counts as in maintenance, so `stats` add up inside listeners. */
  announceRelease(pooled: PooledResource<T>, heldFor?: number): void {
    pooled.state = BUSY;
    this.books.maintaining++;
    const lentAt = pooled.lentAt;
    const duration = heldFor ?? (lentAt === 0 ? undefined : now() - lentAt);
    this.events.emit("release", { resource: pooled.resource, duration });
    pooled.lentAt = 0;
    this.books.maintaining--;
  }

  /**
   * The lease's signal: a node under the borrower's scope (so it aborts when
   * the borrower's signal does) that close() cancels when it stops waiting.
   */
  leaseSignal(pooled: LeaseRecord<T>): AbortSignal {
    let node = pooled.signalNode;
    if (node === undefined) {
      node = pooled.signalNode = new CancelNode();
      if (this.leasesCancelled) node.cancel(this.leaseCancelReason);
      else if (pooled.scope !== undefined) {
        const reason = node.attach(pooled.scope);
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
    for (let p = this.books.firstBorrowed; p !== undefined; p = p.nextBorrowed) {
      if (p.signalNode !== undefined) nodes.push(p.signalNode);
    }
    for (let p = this.books.firstShare; p !== undefined; p = p.nextBorrowed) {
      if (p.signalNode !== undefined) nodes.push(p.signalNode);
    }
    for (const node of nodes) node.cancel(reason);
  }

  /** Destroys the resources of the leases still out; those leases end (release() becomes a no-op). */
  revokeAll(why: string): void {
    const books = this.books;
    for (let pooled = books.firstBorrowed; pooled !== undefined; pooled = books.firstBorrowed) {
      this.endLease(pooled);
      this.maintenance.destroy(pooled, true, new PoolClosedError(`The pool revoked this lease: ${why}`));
    }
    this.sharing.revokeAll(why);
  }

  /** The pool is closing: no more acquires; the queued ones reject with PoolClosedError. */
  stop(closed: () => PoolClosedError): void {
    this.open = false;
    for (let w = this.queue.head; w !== undefined; w = this.queue.head) this.leave(w, closed(), false);
  }
}
