/**
 * Installs Bun's runtime hooks into the core on import: the ambient
 * cancellation context on `AsyncLocalStorage` from `node:async_hooks` (Bun
 * implements it natively; it follows awaits, timers and microtasks), and
 * `timer.unref()` so background timers the core arms never hold the process
 * open, and `diagnostics_channel`'s tracing channels for the core's tracing
 * events. `@corral/bun` imports this first; there is nothing to call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, currentSignal } from "@corral/bun";
 * await new CancelScope().run((signal) => assert(currentSignal() === signal));
 * ```
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { installRuntime } from "@corral/core";

installRuntime({
  context: new AsyncLocalStorage(),
  // The core's tracing channels (TRACING_CHANNELS) are diagnostics_channel's.
  tracingChannel: (name: string) => tracingChannel(name),
  unrefTimer: (handle: unknown) => (handle as { unref(): unknown }).unref(),
});
