/**
 * Installs Node's runtime hooks into the core on import: the ambient
 * cancellation context on `AsyncLocalStorage` (so `currentSignal()` works and
 * scopes and waits created without a signal inherit the enclosing one), and
 * `timer.unref()` so background timers the core arms never hold the process
 * open, and `diagnostics_channel`'s tracing channels for the core's tracing
 * events. `@corral/node` imports this first; there is nothing to call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, currentSignal } from "@corral/node";
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
