/**
 * `@corral/node`: corral for Node.js. Re-exports every export of
 * `@corral/core` (the identical objects) and adds what is specific to
 * Node.js: `run()` with graceful shutdown on SIGINT/SIGTERM, the ambient
 * cancellation context (installed on import, on `AsyncLocalStorage`), and
 * core timers that never hold the process open on their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentSignal, moveOnAfter, run, runtime, sleep } from "@corral/node";
 * await run(async (signal) => {
 *   assert(currentSignal() === signal);
 *   const value = await moveOnAfter(5, () => sleep(1000).then(() => "late")); // sleep inherits the scope
 *   console.log(runtime.name, value); // "node" undefined
 * });
 * ```
 *
 * @module
 */

import "./context.ts";

export * from "@corral/core";
export { run } from "./run.ts";
export { runtime, type RuntimeInfo } from "./runtime.ts";
