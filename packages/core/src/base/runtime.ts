/**
 * The small interface a runtime adapter implements for the core. The core
 * works without one (explicit signals only, ordinary timers); an adapter
 * (`@corral/node`, `@corral/deno`, `@corral/bun`) installs one so that
 * cancellation is ambient and core timers do not hold the process open.
 *
 * @module
 */

import { installTracing, type TracingChannelLike } from "./tracing.ts";

/**
 * Async-context storage: `AsyncLocalStorage` from `node:async_hooks` has
 * exactly this shape on Node, Deno and Bun.
 */
export interface AmbientStorage {
  /** The value stored by the innermost enclosing `run()`, if any. */
  getStore(): unknown;
  /** Calls `fn` with `store` as the ambient value for everything it starts. */
  run<R>(store: unknown, fn: () => R): R;
}

/** What an adapter supplies. Every member is optional. */
export interface RuntimeHooks {
  /** Storage for the ambient cancellation context (`currentSignal()`). */
  context?: AmbientStorage;
  /**
   * Stops a host timer handle from keeping the process alive
   * (`timer.unref()` on Node and Bun, `Deno.unrefTimer(id)` on Deno).
   */
  unrefTimer?: (handle: unknown) => void;
  /**
   * `diagnostics_channel.tracingChannel` (from `node:diagnostics_channel`
   * on Node, Deno and Bun): the core publishes its tracing events
   * (`TRACING_CHANNELS`) on the channels it makes.
   */
  tracingChannel?: (name: string) => TracingChannelLike;
}

/** @internal The hooks in force. Read on hot paths: keep it a plain object. */
export const hooks: { context: AmbientStorage | undefined; unrefTimer: ((handle: unknown) => void) | undefined } = {
  context: undefined,
  unrefTimer: undefined,
};

/**
 * Installs a runtime adapter's hooks. Adapters call this once on import;
 * applications never need to.
 *
 * @param runtime the hooks to use from now on (omitted members are removed)
 * @throws {TypeError} when a member has the wrong shape
 * @example Installing AsyncLocalStorage by hand
 * ```ts
 * import { AsyncLocalStorage } from "node:async_hooks";
 * import { installRuntime } from "@corral/core";
 * installRuntime({ context: new AsyncLocalStorage() });
 * ```
 */
export function installRuntime(runtime: RuntimeHooks): void {
  const context = runtime.context;
  if (
    context !== undefined &&
    (typeof context !== "object" || context === null || typeof context.getStore !== "function" ||
      typeof context.run !== "function")
  ) {
    throw new TypeError("Cannot install runtime as 'context' must have getStore() and run(store, fn)");
  }
  if (runtime.unrefTimer !== undefined && typeof runtime.unrefTimer !== "function") {
    throw new TypeError("Cannot install runtime as 'unrefTimer' must be a function");
  }
  if (runtime.tracingChannel !== undefined && typeof runtime.tracingChannel !== "function") {
    throw new TypeError("Cannot install runtime as 'tracingChannel' must be a function");
  }
  hooks.context = context;
  hooks.unrefTimer = runtime.unrefTimer;
  installTracing(runtime.tracingChannel);
}
