/**
 * Installs Deno's runtime hooks into the core on import: the ambient
 * cancellation context on `AsyncLocalStorage` from `node:async_hooks`
 * (Deno implements it on V8's continuation-preserved data, so it follows
 * awaits, timers and microtasks), and `Deno.unrefTimer` so background timers
 * the core arms never hold the process open. `@corral/deno` imports this
 * first; there is nothing to call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, currentSignal } from "@corral/deno";
 * await new CancelScope().run((signal) => assert(currentSignal() === signal));
 * ```
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { installRuntime } from "@corral/core";

// Through globalThis, so that the npm build (tsc, without Deno's types) compiles it too.
const deno = (globalThis as unknown as { Deno: { unrefTimer(id: number): void } }).Deno;

installRuntime({
  context: new AsyncLocalStorage(),
  // The core's tracing channels (TRACING_CHANNELS) are diagnostics_channel's.
  tracingChannel: (name: string) => tracingChannel(name),
  unrefTimer: (handle: unknown) => deno.unrefTimer(handle as number),
});
