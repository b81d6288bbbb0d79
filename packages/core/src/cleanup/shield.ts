/**
 * Shielding: let cleanup finish after its surroundings were cancelled.
 *
 * @module
 */

import { now } from "../base/clock.ts";
import { Cancelled, TimeoutError } from "../base/errors.ts";
import { schedule, type TimerEntry, unschedule } from "../base/scheduler.ts";
import { CleanupNode, DEFAULT_GRACE } from "./internal/unwinder.ts";
import { checkFunction, checkNonNegativeTime, checkOptions } from "../base/validate.ts";
import { hooks } from "../base/runtime.ts";

/** Options for {@linkcode shield}. */
export interface ShieldOptions {
  /**
   * The grace period in milliseconds: the shield's own deadline. Default
   * 10,000. `Infinity`: no limit. `0`: already expired (`fn` still runs,
   * with an aborted signal). Negative or NaN: a `RangeError`.
   */
  timeout?: number;
}

/**
 * A shield's signal (no parent: outer cancellation never reaches it) and
 * its grace deadline. When the deadline passes the signal aborts and the
 * shield stops waiting for `fn`.
 */
class ShieldNode extends CleanupNode implements TimerEntry {
  deadline = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;
  readonly timeout: number;
  /** Rejects the shield's promise; set while it waits for `fn`. */
  expired: ((error: unknown) => void) | undefined = undefined;

  constructor(timeout: number) {
    super(undefined);
    this.timeout = timeout;
    if (timeout <= 0) this.cancel(new Cancelled("deadline", { message: `the shield's grace period is ${timeout} ms` }));
  }

  fire(): void {
    this.cancel(new Cancelled("deadline", { message: `the shield's grace period of ${this.timeout} ms passed` }));
    this.expired?.(this.timedOut());
  }

  timedOut(): TimeoutError {
    return new TimeoutError(`Cannot finish shielded work as its grace period of ${this.timeout} ms passed`, {
      cause: this.reason,
    });
  }

  /** `error` as the shield reports it: its own cancellation becomes a TimeoutError. */
  outcome(error: unknown): unknown {
    const reason = this.reason;
    if (reason === undefined) return error;
    let e = error;
    for (let i = 0; i < 16 && typeof e === "object" && e !== null; i++) {
      if (e === reason) return this.timedOut();
      e = (e as { cause?: unknown }).cause;
    }
    return (error as { name?: unknown } | null)?.name === "AbortError" ? this.timedOut() : error;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return ((typeof value === "object" && value !== null) || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Runs `fn(signal)` on a signal that ignores every outer cancellation and
 * aborts only when its own grace period (`timeout`) passes — Python's
 * `await asyncio.shield(conn.close())`, but bounded. Inside, `currentSignal()`
 * is the shield's signal, so waits that inherit it finish even when the
 * caller's scope is cancelled.
 *
 * When the grace period passes, the signal aborts and `shield` rejects with
 * `TimeoutError` at once, whether or not `fn` honours its signal: a hung
 * cleanup cannot hang its caller (what `fn` does later is ignored).
 *
 * @param fn the work to protect (usually cleanup)
 * @param options the grace period
 * @returns `fn`'s value, when it settles within the grace period
 * @throws {TimeoutError} (rejects) when the grace period passed first, or `fn` failed with the shield's cancellation
 * @throws {TypeError} (rejects) when `fn` is not a function or `timeout` not a number
 * @throws {RangeError} (rejects) when `timeout` is negative or NaN
 * @example Cleanup that survives cancellation, but not forever
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, shield, sleep } from "@corral/core";
 * const scope = new CancelScope();
 * scope.cancel();
 * // The scope is cancelled, yet the shielded cleanup still runs to completion.
 * const closed = await shield((signal) => sleep(1, { signal }).then(() => true), { timeout: 1000 });
 * assert(closed === true && scope.signal.aborted);
 * ```
 * @example A hung cleanup ends at its grace period
 * ```ts
 * import assert from "node:assert/strict";
 * import { shield, TimeoutError } from "@corral/core";
 * const error = await shield(() => new Promise(() => {}), { timeout: 10 }).catch((e) => e);
 * assert(error instanceof TimeoutError);
 * ```
 */
export async function shield<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: ShieldOptions,
): Promise<T> {
  const what = "shield";
  checkFunction(what, "fn", fn);
  checkOptions(what, options);
  const given = options?.timeout;
  const timeout = given === undefined ? DEFAULT_GRACE : checkNonNegativeTime(what, "timeout", given);
  const node = new ShieldNode(timeout);
  const signal = node.signal;
  const context = hooks.context;
  let result: T | PromiseLike<T>;
  try {
    result = context === undefined ? fn(signal) : context.run(node, () => fn(signal));
  } catch (error) {
    throw node.outcome(error);
  }
  if (!isThenable(result)) return result;
  if (timeout !== Infinity) {
    node.deadline = now() + timeout;
    schedule(node);
  }
  return await new Promise<T>((resolve, reject) => {
    node.expired = reject;
    const failed = (error: unknown) => {
      unschedule(node);
      reject(node.outcome(error));
    };
    try {
      result.then((value) => {
        unschedule(node);
        resolve(value);
      }, failed);
    } catch (error) {
      failed(error); // a thenable whose then() throws
    }
  });
}
