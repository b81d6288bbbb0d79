/**
 * `@corral/deno`: corral for Deno. Re-exports every export of
 * `@corral/core` (the identical objects) and adds what is specific to
 * Deno.
 *
 * @example
 * ```ts
 * import { moveOnAfter, runtime, sleep } from "@corral/deno";
 * const value = await moveOnAfter(5, (signal) => sleep(1000, { signal }).then(() => "late"));
 * console.log(runtime.name, value); // "deno" undefined
 * ```
 *
 * @module
 */

export * from "@corral/core";
export { runtime, type RuntimeInfo } from "./runtime.ts";
