// Cleanup a pool runs for its owner (destroy, reset, validate) runs shielded
// and bounded: its signal ignores every outer cancellation (it is a fresh
// root, and the ambient context inside is the guard itself) and aborts only
// when the grace period passes; at that moment the pool stops waiting and
// treats the call as failed with a TimeoutError. So a cancelled borrower
// neither skips the cleanup nor hangs in it.
//
// A guard also tells its pool that a hook is running, so that close() or
// terminate() called from inside the hook does not wait for the hook itself
// (see Closing): synchronously through `owner.running`, and
// after an `await` through the ambient context, whose node is the guard.

import { now } from "../../base/clock.ts";
import { TimeoutError } from "../../base/errors.ts";
import { hooks } from "../../base/runtime.ts";
import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { schedule, type TimerEntry, unschedule } from "../../base/scheduler.ts";

/** The pool a guard reports to. */
export interface GuardOwner {
  /** The guard whose callback is running synchronously right now, if any. */
  running: Guard | undefined;
  /** Guards whose callback called close() or terminate() and has not settled. */
  hooksInClose: number;
}

/** One guarded call. Once settled, `ok` says how and `value` holds the result or the error. */
export class Guard extends CancelNode implements TimerEntry {
  deadline: number = Infinity;
  index = -1;
  // Somebody awaits the outcome (release(), close()), and when the callback
  // hangs on nothing, only this timer will settle it: it must hold the
  // process open, for at most the grace period.
  readonly keepAlive: boolean = true;
  ok = false;
  value: unknown = undefined;
  settled = false;
  readonly owner: GuardOwner | undefined;
  /** True once its callback called close() or terminate() (counted in `owner.hooksInClose` until settled). */
  inClose = false;
  #what: string;
  #grace: number;
  #done: ((guard: Guard) => void) | undefined = undefined;

  constructor(owner: GuardOwner | undefined, what: string, grace: number) {
    super();
    this.owner = owner;
    this.#what = what;
    this.#grace = grace;
  }

  /** A promise of this guard once settled (made only for a callback that returned a promise). */
  settledPromise(): Promise<Guard> {
    if (this.settled) return Promise.resolve(this);
    return new Promise<Guard>((resolve) => (this.#done = resolve));
  }

  fire(): void {
    const error = new TimeoutError(`pool: ${this.#what} did not finish within its grace period of ${this.#grace} ms`);
    this.cancel(error);
    this.settle(false, error);
  }

  settle(ok: boolean, value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    unschedule(this);
    if (this.inClose) this.owner!.hooksInClose--;
    this.ok = ok;
    this.value = value;
    this.#done?.(this);
  }
}

/**
 * Calls `fn(resource, signal)` under a guard with `grace` ms and returns the
 * guard. A callback that returns synchronously (or throws) settles it at
 * once and costs no timer: the grace timer is armed only for a promise. The
 * signal (an AbortController: ~2 µs on Node 20) is made only for a callback
 * that declares it, as exit-stack callbacks get theirs; with an adapter,
 * currentSignal() inside is the guard's signal either way. `owner` (the
 * pool) hears which guard is running.
 */
export function runGuarded<T>(
  what: string,
  fn: (resource: T, signal: AbortSignal) => unknown,
  resource: T,
  grace: number,
  owner?: GuardOwner,
): Guard {
  const guard = new Guard(owner, what, grace);
  // A grace of 0 or less has already expired: the callback still runs, on
  // an aborted signal, and only a synchronous result counts.
  const expired = grace <= 0;
  if (expired) guard.cancel(new TimeoutError(`pool: ${what} had a grace period of ${grace} ms`));
  let result: unknown;
  const outer = owner?.running;
  if (owner !== undefined) owner.running = guard;
  try {
    const call = fn.length < 2 ? () => (fn as (resource: T) => unknown)(resource) : () => fn(resource, guard.signal);
    const context = hooks.context;
    result = context === undefined ? call() : context.run(guard, call);
  } catch (error) {
    guard.settle(false, error);
    return guard;
  } finally {
    if (owner !== undefined) owner.running = outer;
  }
  if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
    Promise.resolve(result).then((value) => guard.settle(true, value), (error) => guard.settle(false, error));
    if (expired) guard.fire();
    else if (grace !== Infinity && !guard.settled) {
      guard.deadline = now() + grace;
      schedule(guard);
    }
  } else {
    guard.settle(true, result);
  }
  return guard;
}
