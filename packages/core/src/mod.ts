/**
 * `@corral/core`: async resource management that cannot leak, hang or lose
 * work — cancel scopes with deadlines and shields, timeouts that cancel the
 * work, and cancellable waits. Runtime-agnostic, zero dependencies.
 *
 * @example Time out a step, but let its cleanup finish
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveOnAfter, shield, sleep } from "@corral/core";
 * let cleaned = false;
 * const result = await moveOnAfter(5, async (signal) => {
 *   try {
 *     await sleep(1000, { signal });
 *     return "done";
 *   } finally {
 *     await shield(async () => {
 *       await sleep(1);
 *       cleaned = true;
 *     }, { timeout: 1000 });
 *   }
 * });
 * assert(result === undefined && cleaned);
 * ```
 *
 * @module
 */

export {
  type CancelKind,
  Cancelled,
  type CancelledOptions,
  PoolClosedError,
  SuppressedError,
  type SuppressedErrorConstructor,
  type SuppressedErrorLike,
  TaskGroupError,
  TimeoutError,
} from "./errors.ts";
export { now } from "./clock.ts";
export { CancelScope, type CancelScopeOptions } from "./cancel-scope.ts";
export { failAfter, moveOnAfter, type TimeoutOptions } from "./timeouts.ts";
export { shield, type ShieldOptions } from "./shield.ts";
export { abortable, sleep, type WaitOptions } from "./sleep.ts";
export { type SpawnOptions, type Started, TaskGroup, taskGroup, type TaskGroupOptions } from "./task-group.ts";
export { Task } from "./task.ts";
export { currentSignal } from "./context.ts";
export { type ExitCallback, ExitStack, type ExitStackOptions, withExitStack } from "./exit-stack.ts";
export { type ContextManager, contextManager, GeneratorContextManager, withContext } from "./context-manager.ts";
export { createPool, Pool } from "./pool.ts";
export { Lease } from "./lease.ts";
export { type PoolErrorPhase, PoolEvent, type PoolEventInit, type PoolEventType } from "./pool-event.ts";
export type { AcquireOptions, CloseOptions, PoolOptions, PoolStats, ReadyOptions, UseOptions } from "./pool-types.ts";
export { countLive, type Diagnostics, diagnostics } from "./diagnostics.ts";
export { type AmbientStorage, installRuntime, type RuntimeHooks } from "./runtime.ts";
export { runMain, type RunOptions, type RunPlatform, type ShutdownSignal } from "./run-main.ts";
