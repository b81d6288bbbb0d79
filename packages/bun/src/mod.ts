/**
 * `@corral/bun`: corral for Bun. Re-exports every export of
 * `@corral/core` (the identical objects) and adds what is specific to
 * Bun.
 *
 * @example
 * ```ts
 * import { moveOnAfter, runtime, sleep } from "@corral/bun";
 * const value = await moveOnAfter(5, (signal) => sleep(1000, { signal }).then(() => "late"));
 * console.log(runtime.name, value); // "bun" undefined
 * ```
 *
 * @module
 */

export * from "@corral/core";
export { runtime, type RuntimeInfo } from "./runtime.ts";
