/**
 * `@corral/node`: corral for Node.js. Re-exports every export of
 * `@corral/core` (the identical objects) and adds what is specific to
 * Node.js.
 *
 * @example
 * ```ts
 * import { moveOnAfter, runtime, sleep } from "@corral/node";
 * const value = await moveOnAfter(5, (signal) => sleep(1000, { signal }).then(() => "late"));
 * console.log(runtime.name, value); // "node" undefined
 * ```
 *
 * @module
 */

export * from "@corral/core";
export { runtime, type RuntimeInfo } from "./runtime.ts";
