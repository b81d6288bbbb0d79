/**
 * `run()`: Python's `asyncio.run` for Deno.
 *
 * @module
 */

import { runMain, type RunOptions } from "@corral/core";
import { denoPlatform } from "./signals.ts";

/**
 * Runs `main(signal)` as the program's root scope and sets the exit code.
 * SIGINT/SIGTERM (or `options.signals`) cancel `signal` with a `Cancelled`
 * whose `cause` is the signal's name, so cleanup runs; a second signal, or
 * `gracePeriod` ms passing, ends the process at once. Exit code: 130 after
 * SIGINT, 143 after SIGTERM, 1 after a failure (printed once, with its
 * cause/suppressed chain) or an unhandled rejection/uncaught exception,
 * else 0. It resolves (never rethrows) and removes its listeners first.
 *
 * @param main the program; receives the root scope's signal, which is also `currentSignal()` inside
 * @param options `gracePeriod` (ms >= 0, default 10,000) and `signals` (default `["SIGINT", "SIGTERM"]`)
 * @returns the exit code it set
 * @throws {TypeError} when `main` is not a function or an option has the wrong type
 * @throws {RangeError} when `gracePeriod` is negative or NaN, or `signals` names an unsupported signal
 * @example A worker whose cleanup still runs after Ctrl-C
 * ```ts
 * import assert from "node:assert/strict";
 * import { run, shield, sleep } from "@corral/deno";
 * const code = await run(async () => {
 *   try {
 *     for (let job = 0; job < 3; job++) await sleep(1); // Ctrl-C rejects this sleep
 *   } finally {
 *     await shield(() => sleep(1), { timeout: 5_000 }); // flush, close: runs either way
 *   }
 * }, { gracePeriod: 10_000 });
 * assert(code === 0);
 * ```
 */
export function run(main: (signal: AbortSignal) => unknown, options?: RunOptions): Promise<number> {
  return runMain(denoPlatform, main, options);
}
