// The pool's beginning and end: ready() (min resources exist), close()
// (stop, drain, give borrowers a deadline, destroy everything) and
// terminate() (destroy now).
//
// close(timeout):
//   1. at once: no new acquires; pending acquires and ready() reject with
//      PoolClosedError; in-flight creates are cancelled; idle resources are
//      destroyed;
//   2. waits for borrowers to give their leases back, up to `timeout`;
//   3. then cancels the lease signals and waits `cleanupTimeout` more;
//   4. then revokes the leases still out (their resources are destroyed);
//   5. waits for destroys and cancelled creates to settle, at most
//      `cleanupTimeout` (a create that ignores its signal is not waited for:
//      its resource is destroyed whenever it arrives).
// terminate() is close with no waiting at steps 2-3; called during a close it
// cuts that close short. Both return the one shutdown promise, which never
// rejects.

import { now } from "../clock.ts";
import { PoolClosedError } from "../errors.ts";
import type { CancelNode } from "./cancel-node.ts";
import { PoolTimer } from "./pool-entry.ts";
import { ReadyWaiter, settleReady } from "./pool-ready.ts";
import { CLOSING, OPEN } from "./pool-state.ts";
import { PoolUpkeep } from "./pool-upkeep.ts";
import { schedule, unschedule } from "./scheduler.ts";

export abstract class PoolLifecycle<T> extends PoolUpkeep<T> {
  shutdown: Promise<void> | undefined = undefined;
  terminating = false;

  ready(target: CancelNode | AbortSignal | undefined, early: unknown): Promise<void> {
    if (this.state !== OPEN) return Promise.reject(new PoolClosedError());
    if (early !== undefined) return Promise.reject(early);
    if (this.alive() >= this.s.min) return Promise.resolve();
    if (this.fillError !== undefined) return Promise.reject(this.fillError);
    return new Promise<void>((resolve, reject) => {
      const waiter = new ReadyWaiter(this.readyWaiters, resolve, reject);
      if (target !== undefined) waiter.attach(target);
      this.readyWaiters.add(waiter);
      this.fill();
    });
  }

  close(timeout: number): Promise<void> {
    return this.shutdown ??= this.runClose(timeout);
  }

  terminate(): Promise<void> {
    this.terminating = true;
    if (this.shutdown !== undefined) {
      this.changed();
      return this.shutdown;
    }
    return this.shutdown = this.runClose(0);
  }

  /** Step 1: runs synchronously inside close()/terminate(). */
  stop(): void {
    this.state = CLOSING;
    const closed = () => new PoolClosedError("The pool is closing");
    for (let w = this.queue.head; w !== undefined; w = this.queue.head) this.leave(w, closed(), false);
    if (this.readyWaiters.size > 0) settleReady(this.readyWaiters, false, closed());
    for (const op of this.creates) if (op.reason === undefined) this.cancelCreate(op, closed());
    this.stopBackoff();
    if (this.evictor.index >= 0) unschedule(this.evictor);
    const idle = this.idle;
    while (idle.length > 0) this.destroy(idle.pop()!, undefined);
  }

  async runClose(timeout: number): Promise<void> {
    this.stop();
    const s = this.s;
    if (!(await this.until(() => this.borrowed === 0, timeout))) {
      const why = this.terminating ? "terminate() was called" : `its close timeout of ${timeout} ms passed`;
      this.closeNode.cancel(new PoolClosedError(`The pool is closing: ${why} while this lease was held`));
      if (!(await this.until(() => this.borrowed === 0, s.cleanupTimeout))) this.revokeAll(why);
    }
    await this.until(() => this.maintaining === 0 && this.creating === 0, s.cleanupTimeout, false);
  }

  /** Destroys the resources of the leases still out; those leases end (release() becomes a no-op). */
  revokeAll(why: string): void {
    for (let entry = this.bHead; entry !== undefined; entry = this.bHead) {
      this.endLease(entry);
      this.destroy(entry, new PoolClosedError(`The pool revoked this lease: ${why}`));
    }
  }

  /**
   * Resolves true once `done()` holds, false when `ms` passes first (or, when
   * `cut`, as soon as terminate() is called). The timer holds the process
   * open: the caller of close() is waiting on it.
   */
  until(done: () => boolean, ms: number, cut = true): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    if (ms <= 0 || (cut && this.terminating)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        this.onChange = undefined;
        if (timer.index >= 0) unschedule(timer);
        resolve(ok);
      };
      const timer = new PoolTimer(true, () => finish(false));
      this.onChange = () => {
        if (done()) finish(true);
        else if (cut && this.terminating) finish(false);
      };
      if (ms !== Infinity) {
        timer.deadline = now() + ms;
        schedule(timer);
      }
    });
  }
}
