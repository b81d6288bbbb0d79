/**
 * Host timers and `abort` listeners held outside the core (by a driver or an
 * integration), counted in {@linkcode diagnostics} while they are live, so the
 * leak checks that end every test see them as they see the core's own.
 *
 * @module
 */

import { countLive } from "./diagnostics.ts";

/** A host timer from {@linkcode countedTimeout}, counted while it is armed. */
export interface CountedTimeout {
  /** The host's handle; `undefined` once it fired or was cleared. */
  handle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Arms a host timer that calls `fn` after `ms`, counted in `diagnostics().timers`
 * until it fires or {@linkcode clearCountedTimeout} clears it.
 *
 * @param fn what to run
 * @param ms the delay in milliseconds (as `setTimeout` takes it)
 * @returns the timer
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clearCountedTimeout, countedTimeout, diagnostics } from "@corral/core";
 * const before = diagnostics().timers;
 * const timer = countedTimeout(() => {}, 1000);
 * assert.equal(diagnostics().timers, before + 1);
 * clearCountedTimeout(timer);
 * assert.equal(diagnostics().timers, before);
 * ```
 */
export function countedTimeout(fn: () => void, ms: number): CountedTimeout {
  const timer: CountedTimeout = { handle: undefined };
  countLive("timers", 1);
  timer.handle = setTimeout(() => {
    timer.handle = undefined;
    countLive("timers", -1);
    fn();
  }, ms);
  return timer;
}

/**
 * Clears a timer from {@linkcode countedTimeout}; a no-op once it fired or was cleared.
 *
 * @param timer the timer, or `undefined`
 */
export function clearCountedTimeout(timer: CountedTimeout | undefined): void {
  if (timer?.handle === undefined) return;
  clearTimeout(timer.handle);
  timer.handle = undefined;
  countLive("timers", -1);
}

/**
 * Calls `fn` once when `signal` aborts, through one listener counted in
 * `diagnostics().listeners` while it is attached.
 *
 * @param signal the signal to hear
 * @param fn what to run on the abort
 * @returns the function that removes the listener (a no-op after the abort or a first call)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagnostics, onAbort } from "@corral/core";
 * const controller = new AbortController();
 * let heard = 0;
 * onAbort(controller.signal, () => heard++);
 * controller.abort();
 * assert.equal(heard, 1);
 * assert.equal(diagnostics().listeners, 0);
 * ```
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let live = true;
  const listener = () => {
    if (!live) return;
    live = false;
    countLive("listeners", -1);
    fn();
  };
  countLive("listeners", 1);
  signal.addEventListener("abort", listener, { once: true });
  return () => {
    if (!live) return;
    live = false;
    countLive("listeners", -1);
    signal.removeEventListener("abort", listener);
  };
}
