/**
 * The ambient cancellation context.
 *
 * @module
 */

import { ambientNode } from "./internal/ambient.ts";

/**
 * The signal of the innermost enclosing scope, task or `run()`, when a
 * runtime adapter provides async context (`@corral/node`, `@corral/deno`,
 * `@corral/bun` do); `undefined` otherwise. Scopes and waits created without
 * an explicit `signal` inherit it.
 *
 * @returns the ambient signal, or `undefined`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, currentSignal } from "@corral/core";
 * const scope = new CancelScope();
 * await scope.run((signal) => {
 *   // With an adapter installed, currentSignal() === signal here.
 *   const ambient = currentSignal();
 *   assert(ambient === undefined || ambient === signal);
 * });
 * ```
 */
export function currentSignal(): AbortSignal | undefined {
  return ambientNode()?.signal;
}
