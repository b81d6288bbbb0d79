/**
 * The clock deadlines are measured on.
 *
 * @module
 */

/**
 * Milliseconds on a monotonic clock (`performance.now()`). Deadlines
 * (`CancelScope.deadline`) are points on this clock.
 *
 * @returns the current time in milliseconds
 * @example A deadline one second from now
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, now } from "@corral/core";
 * using scope = new CancelScope({ deadline: now() + 1000 });
 * assert(scope.deadline > now());
 * ```
 */
export function now(): number {
  return performance.now();
}
