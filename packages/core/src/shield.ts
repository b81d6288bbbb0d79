/**
 * Shielding: let cleanup finish after its surroundings were cancelled.
 *
 * @module
 */

import { CancelScope } from "./cancel-scope.ts";
import { TimeoutError } from "./errors.ts";
import { checkOptionalTime, checkOptions } from "./internal/validate.ts";

/** Options for {@linkcode shield}. */
export interface ShieldOptions {
  /** A grace period in milliseconds: the shield's own deadline. Default: none. */
  timeout?: number;
}

/**
 * Runs `fn(signal)` on a signal that ignores every outer cancellation and
 * aborts only when its own grace period (`timeout`) passes — Python's
 * `await asyncio.shield(conn.close())`, but bounded. Inside, `currentSignal()`
 * is the shield's signal.
 *
 * @param fn the work to protect (usually cleanup)
 * @param options the grace period
 * @returns `fn`'s value
 * @throws {TimeoutError} when the grace period passed and `fn` failed with its cancellation
 * @throws {TypeError} / {RangeError} for a bad `timeout`
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
 */
export async function shield<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: ShieldOptions,
): Promise<T> {
  const what = "shield";
  if (typeof fn !== "function") throw new TypeError(`Cannot ${what} as 'fn' must be a function`);
  checkOptions(what, options);
  const timeout = checkOptionalTime(what, "timeout", options?.timeout);
  const scope = new CancelScope({ shield: true, timeout });
  const value = await scope.run(fn);
  if (scope.cancelledCaught) {
    throw new TimeoutError(`shield: the grace period of ${timeout} ms passed`, { cause: scope.signal.reason });
  }
  return value as T;
}
