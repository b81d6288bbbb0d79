/**
 * Timeouts as scopes: `moveOnAfter` gives up quietly, `failAfter` fails
 * loudly. Both cancel the work (through its signal), not just the wait.
 *
 * @module
 */

import { CancelScope } from "./cancel-scope.ts";
import { TimeoutError } from "../base/errors.ts";
import { checkOptions, checkSignal, checkTime } from "../base/validate.ts";

/** Options for {@linkcode moveOnAfter} and {@linkcode failAfter}. */
export interface TimeoutOptions {
  /** The parent signal. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
}

function scopeFor(what: string, ms: unknown, fn: unknown, options: TimeoutOptions | undefined): CancelScope {
  const timeout = checkTime(what, "ms", ms);
  if (typeof fn !== "function") throw new TypeError(`Cannot ${what} as 'fn' must be a function`);
  checkOptions(what, options);
  return new CancelScope({ signal: checkSignal(what, options?.signal), timeout });
}

/**
 * Runs `fn(signal)` with a time limit (Trio's `move_on_after`). When the
 * limit passes, `signal` aborts; if `fn` then fails with that cancellation,
 * `moveOnAfter` resolves with `undefined`. If `fn` completes anyway, its
 * value is returned. An outer cancellation propagates unchanged.
 *
 * @param ms the limit in milliseconds (`0` or less: already expired, `fn` still runs)
 * @param fn the work
 * @param options the parent signal
 * @returns `fn`'s value, or `undefined` on timeout
 * @throws {TypeError} when `ms` is not a number or `fn` not a function
 * @throws {RangeError} when `ms` is NaN
 * @example Give up on a slow step
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveOnAfter, sleep } from "@corral/core";
 * const value = await moveOnAfter(5, async (signal) => {
 *   await sleep(1000, { signal });
 *   return "slow";
 * });
 * assert(value === undefined);
 * ```
 */
export function moveOnAfter<T>(
  ms: number,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T | undefined> {
  let scope: CancelScope;
  try {
    scope = scopeFor("moveOnAfter", ms, fn, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return scope.run(fn);
}

/**
 * Runs `fn(signal)` with a time limit and fails when it passes (Trio's
 * `fail_after`): a {@linkcode TimeoutError} (whose `cause` is the deadline's
 * `Cancelled`) is thrown only when *this* deadline cancelled `fn`; an outer
 * cancellation propagates as itself.
 *
 * @param ms the limit in milliseconds
 * @param fn the work
 * @param options the parent signal
 * @returns `fn`'s value
 * @throws {TimeoutError} when the limit passed and `fn` failed with the cancellation
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failAfter, sleep, TimeoutError } from "@corral/core";
 * const error = await failAfter(5, (signal) => sleep(1000, { signal })).catch((e) => e);
 * assert(error instanceof TimeoutError);
 * ```
 */
export async function failAfter<T>(
  ms: number,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T> {
  const scope = scopeFor("failAfter", ms, fn, options);
  const value = await scope.run(fn);
  if (scope.cancelledCaught) {
    throw new TimeoutError(`failAfter: the operation did not finish within ${ms} ms`, {
      cause: scope.signal.reason,
    });
  }
  return value as T;
}
