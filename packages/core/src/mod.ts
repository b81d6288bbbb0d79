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
  PoolTimeoutError,
  SuppressedError,
  type SuppressedErrorConstructor,
  type SuppressedErrorLike,
  TaskGroupError,
  TimeoutError,
} from "./base/errors.ts";
export { now } from "./base/clock.ts";
export { CancelScope, type CancelScopeOptions } from "./cancellation/cancel-scope.ts";
export { failAfter, moveOnAfter, type TimeoutOptions } from "./cancellation/timeouts.ts";
export { shield, type ShieldOptions } from "./cleanup/shield.ts";
export { abortable, sleep, type WaitOptions } from "./cancellation/sleep.ts";
export { type SpawnOptions, type Started, TaskGroup, taskGroup, type TaskGroupOptions } from "./tasks/task-group.ts";
export { Task } from "./tasks/task.ts";
export { currentSignal } from "./cancellation/context.ts";
export { type ExitCallback, ExitStack, type ExitStackOptions, withExitStack } from "./cleanup/exit-stack.ts";
export {
  type AnyGenerator,
  type ContextManager,
  contextManager,
  GeneratorContextManager,
  withContext,
} from "./cleanup/context-manager.ts";
export { createPool, observePool, Pool } from "./pool/pool.ts";
export { Lease } from "./pool/lease.ts";
export {
  type PoolErrorPhase,
  PoolEvent,
  type PoolEventInit,
  type PoolEventListener,
  type PoolEventType,
  type PoolListenerOptions,
  type PoolObserver,
} from "./pool/pool-event.ts";
export type {
  AcquireOptions,
  CloseOptions,
  PoolOptions,
  PoolStats,
  ReadyOptions,
  UseOptions,
} from "./pool/pool-types.ts";
export { countLive, type Diagnostics, diagnostics } from "./base/diagnostics.ts";
export { clearCountedTimeout, type CountedTimeout, countedTimeout, onAbort } from "./base/counted.ts";
export { type AmbientStorage, installRuntime, type RuntimeHooks } from "./base/runtime.ts";
export { type TraceChannelLike, TRACING_CHANNELS, type TracingChannelLike } from "./base/tracing.ts";
export { abortReasonOf } from "./base/abort-reason.ts";
export { describe as describeValue } from "./base/validate.ts";
export { checkOptionNames } from "./base/option-names.ts";
export { runMain, type RunOptions, type RunPlatform, type ShutdownSignal } from "./run/run-main.ts";
