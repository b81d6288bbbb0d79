// Creating resources: for waiters, to keep `min` (and ready() waits for
// that), with backoff after failures, and cancelled when nobody needs them
// any more.
//
// Failure policy. A failed create rejects one waiter with the create's own
// error: the one it was started for if that one still waits, else the
// oldest. The pool then backs off: no create starts before `retryDelay`
// (doubling per consecutive failure, capped at `maxRetryDelay`), and while
// it is failing only one create (a probe) is in flight at a time, so a dead
// backend is never hammered and the pool never spins. Creates that were
// already in flight when a failure arrived do not grow the delay. The first
// success ends the failing state. Waiters that time out meanwhile get a
// TimeoutError whose `cause` is the last create error. A new resource that
// `isAlive` says is dead is a failed create too.
//
// A create the pool cancelled (its waiter left, or the pool is closing) that
// then rejects with that cancellation is no failure; recognised by identity
// (see CreateOp.owns), never by name. Any other error it rejects with is its
// own failure: an `error` event, counted toward the backoff while the pool
// is open, but it fails no waiter (none was waiting for it).

import { now } from "../../base/clock.ts";
import { PoolClosedError } from "../../base/errors.ts";
import { hooks } from "../../base/runtime.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";
import { traceCall, traced, tracing } from "../../base/tracing.ts";
import type { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { CreateOp } from "./pool-create-op.ts";
import { CREATE_EVENT, type PoolEvents } from "./pool-events.ts";
import type { Inventory } from "./pool-inventory.ts";
import type { Maintenance } from "./pool-maintenance.ts";
import type { PoolSettings } from "./pool-options.ts";
import { ReadyWaiter, settleReady } from "./pool-ready.ts";
import { PooledResource } from "./pool-resource.ts";
import { PoolTimer } from "./pool-timer.ts";
import type { Upkeep } from "./pool-upkeep.ts";
import { reasonOf, type Waiter, type WaitQueue } from "./pool-waiters.ts";

/** What creation needs from the rest of the pool. */
export interface CreatorHost<T> {
  /** A new resource, alive (`isAlive` was asked): lend it or park it. */
  offerAlive(pooled: PooledResource<T>): void;
  /** A failed create reaches this queued waiter. */
  leave(waiter: Waiter<T>, reason: unknown, timedOut: boolean): void;
  /** Something settled (or the backoff passed): serve the waiters, create what they need. */
  pump(): void;
}

/** The parts creation works with. */
export interface CreatorParts<T> {
  books: Inventory<T>;
  queue: WaitQueue<T>;
  events: PoolEvents<T>;
  maintenance: Pick<Maintenance<T>, "askAlive" | "destroy">;
  upkeep: Pick<Upkeep<T>, "born" | "expired">;
  host: CreatorHost<T>;
}

export class Creator<T> {
  /** Creates in flight, counted toward `max` until they settle. */
  creating = 0;
  /** Those of them the pool cancelled because nobody needs them (they hold their slot until they settle). */
  cancelled = 0;
  /** Consecutive counted failures; 0 when the last create succeeded. */
  failures = 0;
  /** The last create error while `failures > 0` (it may be any value, `undefined` included). */
  lastError: unknown = undefined;
  readonly #ops: Set<CreateOp> = new Set();
  #failureGeneration = 0;
  #nextCreateAt = 0;
  /** The last failure while below `min`, until a create succeeds (ready() rejects with it): set iff `#hasFillError`. */
  #fillError: unknown = undefined;
  #hasFillError = false;
  readonly #readyWaiters: Set<ReadyWaiter> = new Set();
  // Two backoff timers: one holds the process open while somebody waits for the retry.
  readonly #backoffTimer: PoolTimer;
  readonly #backgroundBackoffTimer: PoolTimer;
  #open = true;
  readonly #settings: PoolSettings<T>;
  readonly #books: Inventory<T>;
  readonly #queue: WaitQueue<T>;
  readonly #events: PoolEvents<T>;
  readonly #maintenance: CreatorParts<T>["maintenance"];
  readonly #upkeep: CreatorParts<T>["upkeep"];
  readonly #host: CreatorHost<T>;

  constructor(
    settings: PoolSettings<T>,
    parts: CreatorParts<T>,
  ) {
    this.#settings = settings;
    this.#books = parts.books;
    this.#queue = parts.queue;
    this.#events = parts.events;
    this.#maintenance = parts.maintenance;
    this.#upkeep = parts.upkeep;
    this.#host = parts.host;
    const pump = () => this.#host.pump();
    this.#backoffTimer = new PoolTimer(true, pump);
    this.#backgroundBackoffTimer = new PoolTimer(false, pump);
  }

  /** Creates in flight that somebody still needs. */
  live(): number {
    return this.creating - this.cancelled;
  }

  /** True when a create may start now; when only the backoff is in the way, arms its timer. */
  mayCreate(): boolean {
    if (this.failures === 0) return true;
    if (this.live() > 0) return false;
    const at = this.#nextCreateAt;
    if (now() >= at) return true;
    const waiting = this.#queue.size > 0 || this.#readyWaiters.size > 0;
    const timer = waiting ? this.#backoffTimer : this.#backgroundBackoffTimer;
    if (timer.index < 0) {
      timer.deadline = at;
      schedule(timer);
    }
    return false;
  }

  /** Creates toward `min`, within `max`. */
  fill(): void {
    const { min, max } = this.#settings;
    if (min === 0 || !this.#open) return;
    const books = this.#books;
    while (this.creating + books.alive() < min && this.creating + books.held() < max && this.mayCreate()) {
      this.start(undefined);
    }
  }

  /** Starts a create (for `trigger`, the oldest waiter no create was started for, if any). */
  start(trigger: Waiter<T> | undefined): void {
    const op = new CreateOp(trigger as Waiter<unknown> | undefined, this.#failureGeneration);
    if (trigger !== undefined) trigger.create = op;
    this.creating++;
    this.#ops.add(op);
    op.startedAt = now();
    let result: unknown;
    try {
      const signal = op.signal;
      const create = this.#settings.create;
      const context = hooks.context;
      const ch = tracing.create;
      if (traced(ch)) {
        const call = context === undefined ? () => create(signal) : () => context.run(op, () => create(signal));
        result = traceCall(ch, { pool: this.#events.owner }, call);
      } else result = context === undefined ? create(signal) : context.run(op, () => create(signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (resource) => this.#settled(op, true, resource),
      (error) => this.#settled(op, false, error),
    );
  }

  /** The oldest queued waiter that no create was started for. */
  nextTrigger(): Waiter<T> | undefined {
    for (let w = this.#queue.head; w !== undefined; w = w.queueNext) {
      if (w.create === undefined) return w;
    }
    return undefined;
  }

  #settled(op: CreateOp, ok: boolean, value: unknown): void {
    this.#ops.delete(op);
    this.creating--;
    const cancelled = op.reason !== undefined;
    if (cancelled) this.cancelled--;
    const trigger = op.trigger as Waiter<T> | undefined;
    if (trigger !== undefined && trigger.create === op) trigger.create = undefined;
    if (ok) this.#arrived(op, cancelled, trigger, value as T);
    else if (cancelled && op.owns(value)) {
      // Our own cancellation (nobody needed it, or the pool is closing): not a failure.
    } else if (!this.#open) {
      // Its own failure, after close() cancelled it: nobody waits any more, but the owner hears of it.
      this.#events.emit("error", { error: value, phase: "create" });
    } else {
      this.#countFailure(op, value);
      this.#events.emit("error", { error: value, phase: "create" });
      // A create cancelled because nobody needed it fails nobody; its failure
      // still counts toward the backoff and is the cause of later timeouts.
      this.#failWaiters(cancelled ? undefined : this.#victim(trigger), value);
    }
    this.#host.pump();
    this.#books.changed();
  }

  #arrived(op: CreateOp, cancelled: boolean, trigger: Waiter<T> | undefined, resource: T): void {
    const pooled = new PooledResource<T>(this.#upkeep, resource);
    this.#books.created++;
    if (this.#events.hears(CREATE_EVENT)) this.#events.emit("create", { resource, duration: now() - op.startedAt });
    const dead = this.#settings.isAlive === undefined || !this.#open ? undefined : this.#maintenance.askAlive(pooled);
    if (dead === undefined) {
      this.failures = 0;
      this.#hasFillError = false;
      this.#fillError = this.lastError = undefined;
      this.#stopBackoff();
      this.#upkeep.born(pooled);
      this.#host.offerAlive(pooled);
      if (this.#readyWaiters.size > 0 && this.#books.alive() >= this.#settings.min) {
        settleReady(this.#readyWaiters, true, undefined);
      }
      return;
    }
    // Dead on arrival: a failed create, counted before its destroy lets the
    // pool create again, so a backend that hands out dead connections is
    // not hammered in a loop. A throwing check was already an error event.
    const threw = "error" in dead;
    const error = threw ? dead.error : new Error("pool: create() returned a resource that isAlive() says is dead");
    this.#countFailure(op, error);
    this.#maintenance.destroy(pooled, true, error);
    if (!threw) this.#events.emit("error", { error, phase: "create" });
    this.#failWaiters(cancelled ? undefined : this.#victim(trigger), error);
  }

  /** A create failed while the pool is open: the backoff grows once per generation of creates. */
  #countFailure(op: CreateOp, error: unknown): void {
    this.lastError = error;
    if (op.generation === this.#failureGeneration) {
      this.#failureGeneration++;
      const { retryDelay, maxRetryDelay } = this.#settings;
      const delay = Math.min(maxRetryDelay, retryDelay * 2 ** this.failures);
      this.failures++;
      this.#nextCreateAt = now() + delay;
    }
  }

  /** The waiter a failed create fails: the one it was started for while that one waits, else the oldest. */
  #victim(trigger: Waiter<T> | undefined): Waiter<T> | undefined {
    return trigger !== undefined && trigger.queued ? trigger : this.#queue.head;
  }

  /** A failed create fails `victim` (if any) and, below `min`, ready(). */
  #failWaiters(victim: Waiter<T> | undefined, error: unknown): void {
    if (victim !== undefined) this.#host.leave(victim, error, false);
    if (this.#books.alive() < this.#settings.min) {
      this.#fillError = error;
      this.#hasFillError = true;
      if (this.#readyWaiters.size > 0) settleReady(this.#readyWaiters, false, error);
    }
  }

  /**
   * A waiter left (`validating` resources are on their way to the queue):
   * cancel the creates nobody needs any more (the one started for it first,
   * then the youngest), so a timed-out acquire does not leave a connection
   * attempt running for nothing.
   */
  trim(w: Waiter<T>, reason: unknown, validating: number): void {
    const live = this.live();
    if (live === 0 || !this.#open) return;
    const deficit = Math.max(0, this.#settings.min - this.#books.alive());
    let surplus = Math.min(live, live + validating - this.#queue.size - deficit);
    if (surplus <= 0) return;
    const own = w.create as CreateOp | undefined;
    if (own !== undefined && own.reason === undefined) {
      this.#cancel(own, reason);
      surplus--;
    }
    if (surplus > 0) {
      const ops = [...this.#ops];
      for (let i = ops.length - 1; i >= 0 && surplus > 0; i--) {
        const op = ops[i]!;
        if (op.reason === undefined) {
          this.#cancel(op, reason);
          surplus--;
        }
      }
    }
  }

  /** Waits until `min` resources exist, or `target` aborts. */
  ready(target: CancelNode | AbortSignal | undefined): Promise<void> {
    if (!this.#open) return Promise.reject(new PoolClosedError());
    const early = reasonOf(target);
    if (early !== undefined) return Promise.reject(early);
    if (this.#books.alive() >= this.#settings.min) return Promise.resolve();
    if (this.#hasFillError) return Promise.reject(this.#fillError);
    return new Promise<void>((resolve, reject) => {
      const waiter = new ReadyWaiter(this.#readyWaiters, resolve, reject);
      if (target !== undefined) waiter.attach(target);
      this.#readyWaiters.add(waiter);
      this.fill();
    });
  }

  /** The pool is closing: ready() fails, creates in flight are cancelled (not waited for), no backoff. */
  stop(closed: () => PoolClosedError): void {
    this.#open = false;
    if (this.#readyWaiters.size > 0) settleReady(this.#readyWaiters, false, closed());
    for (const op of this.#ops) if (op.reason === undefined) this.#cancel(op, closed());
    this.#stopBackoff();
  }

  #cancel(op: CreateOp, reason: unknown): void {
    this.cancelled++;
    // A create's signal needs a reason to abort with; a failure that was `undefined` is none.
    op.cancel(reason === undefined ? new Error("pool: nobody needs this create any more") : reason);
  }

  #stopBackoff(): void {
    if (this.#backoffTimer.index >= 0) unschedule(this.#backoffTimer);
    if (this.#backgroundBackoffTimer.index >= 0) unschedule(this.#backgroundBackoffTimer);
  }
}
