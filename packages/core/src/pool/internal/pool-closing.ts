// The pool's end: close() (stop, drain, give borrowers a deadline, destroy
// everything) and terminate() (destroy now).
//
// close(timeout):
//   1. at once: no new acquires; pending acquires and ready() reject with
//      PoolClosedError; in-flight creates are cancelled through their
//      signal; idle resources are destroyed;
//   2. waits for borrowers to give their leases back, up to `timeout`;
//   3. then cancels the lease signals and waits `cleanupTimeout` more;
//   4. then revokes the leases still out (their resources are destroyed);
//   5. waits for the destroys (and resets, validations) to settle, each
//      bounded by `cleanupTimeout`.
// Creates are not waited for: each was cancelled at step 1, and one that
// settles late (it ignores its signal, or takes long to tear down) has its
// resource destroyed when it arrives. Waiting for it would only stall the
// close, up to a whole grace period, for a resource nobody will use.
// terminate() is close with no waiting at steps 2-3; called during a close it
// cuts that close short. Both return the one shutdown promise, which never
// rejects.
//
// Called from inside one of the pool's own hooks (validate, reset, destroy),
// close() and terminate() cannot wait for that hook: it is waiting for them.
// They return a promise that settles once everything but the hooks that
// called them has settled (step 5 without them); the shutdown promise still
// waits for those hooks too. A hook is recognised while it runs
// synchronously, and after an `await` through the ambient context (with an
// adapter installed); otherwise its own grace period ends the wait.

import { now } from "../../base/clock.ts";
import { PoolClosedError } from "../../base/errors.ts";
import { schedule, unschedule } from "../../base/scheduler.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import type { Creator } from "./pool-creator.ts";
import { Guard } from "./pool-guard.ts";
import type { Inventory } from "./pool-inventory.ts";
import type { Lender } from "./pool-lender.ts";
import type { Maintenance } from "./pool-maintenance.ts";
import { PoolTimer } from "./pool-timer.ts";
import type { Upkeep } from "./pool-upkeep.ts";
import { DONE } from "./pool-done.ts";

/** The parts a close stops and waits for. */
export interface ClosingParts<T> {
  books: Inventory<T>;
  lender: Pick<Lender<T>, "stop" | "cancelLeases" | "revokeAll">;
  creator: Pick<Creator<T>, "stop">;
  maintenance: Pick<Maintenance<T>, "running" | "hooksInClose" | "destroy">;
  upkeep: Pick<Upkeep<T>, "stop">;
}

export class Closing<T> {
  /** The one shutdown promise, once close() or terminate() has started. */
  shutdown: Promise<void> | undefined = undefined;
  #terminating = false;
  /** Set once the shutdown waits for nothing but hooks that called close(): close() from a hook settles. */
  #hooksFree = false;
  #hooksDone: Promise<void> | undefined = undefined;
  #freeHooks: (() => void) | undefined = undefined;
  readonly #cleanupTimeout: number;
  readonly #parts: ClosingParts<T>;

  constructor(cleanupTimeout: number, parts: ClosingParts<T>) {
    this.#cleanupTimeout = cleanupTimeout;
    this.#parts = parts;
  }

  close(timeout: number): Promise<void> {
    const shutdown = this.shutdown ?? this.#begin(timeout);
    return this.#parts.books.maintaining === 0 ? shutdown : this.#fromHook(shutdown);
  }

  terminate(): Promise<void> {
    this.#terminating = true;
    let shutdown = this.shutdown;
    if (shutdown === undefined) shutdown = this.#begin(0);
    else this.#parts.books.changed();
    return this.#parts.books.maintaining === 0 ? shutdown : this.#fromHook(shutdown);
  }

  /** Starts the shutdown: `shutdown` is set before step 1 runs, so a hook that step 1 calls sees it. */
  #begin(timeout: number): Promise<void> {
    let finish!: () => void;
    const shutdown = this.shutdown = new Promise<void>((resolve) => (finish = resolve));
    this.#stop();
    this.#drain(timeout).then(finish);
    return shutdown;
  }

  /** The guard of this pool whose hook is calling now, synchronously or (with an adapter) after an await. */
  #callingGuard(): Guard | undefined {
    const maintenance = this.#parts.maintenance;
    const running = maintenance.running;
    if (running !== undefined) return running;
    for (let node = ambientNode(); node !== undefined; node = node.host) {
      if (node instanceof Guard) return node.owner === maintenance ? node : undefined;
    }
    return undefined;
  }

  /** close()/terminate() as seen from inside a hook: the shutdown, less the hooks that called it. */
  #fromHook(shutdown: Promise<void>): Promise<void> {
    const guard = this.#callingGuard();
    if (guard === undefined || guard.settled) return shutdown;
    if (!guard.inClose) {
      guard.inClose = true;
      this.#parts.maintenance.hooksInClose++;
      this.#parts.books.changed();
    }
    if (this.#hooksFree) return DONE;
    return this.#hooksDone ??= new Promise<void>((resolve) => (this.#freeHooks = resolve));
  }

  /** Step 1: runs synchronously inside close()/terminate(). */
  #stop(): void {
    const { books, lender, creator, maintenance, upkeep } = this.#parts;
    const closed = () => new PoolClosedError("The pool is closing");
    lender.stop(closed);
    creator.stop(closed);
    upkeep.stop();
    const idle = books.idle;
    while (idle.length > 0) maintenance.destroy(idle.pop()!, false, undefined);
  }

  /** Steps 2-5. */
  async #drain(timeout: number): Promise<void> {
    const { books, lender, maintenance } = this.#parts;
    const grace = this.#cleanupTimeout;
    if (!(await this.#until(() => books.borrowed === 0, timeout))) {
      const why = this.#terminating ? "terminate() was called" : `its close timeout of ${timeout} ms passed`;
      lender.cancelLeases(new PoolClosedError(`The pool is closing: ${why} while this lease was held`));
      if (!(await this.#until(() => books.borrowed === 0, grace))) lender.revokeAll(why);
    }
    await this.#until(() => books.maintaining <= maintenance.hooksInClose, grace, false);
    this.#hooksFree = true;
    this.#freeHooks?.();
    await this.#until(() => books.maintaining === 0, grace, false);
  }

  /**
   * Resolves true once `done()` holds, false when `ms` passes first (or, when
   * `cut`, as soon as terminate() is called). The timer holds the process
   * open: the caller of close() is waiting on it.
   */
  #until(done: () => boolean, ms: number, cut = true): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    if (ms <= 0 || (cut && this.#terminating)) return Promise.resolve(false);
    const books = this.#parts.books;
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        books.onChange = undefined;
        if (timer.index >= 0) unschedule(timer);
        resolve(ok);
      };
      const timer = new PoolTimer(true, () => finish(false));
      books.onChange = () => {
        if (done()) finish(true);
        else if (cut && this.#terminating) finish(false);
      };
      if (ms !== Infinity) {
        timer.deadline = now() + ms;
        schedule(timer);
      }
    });
  }
}
