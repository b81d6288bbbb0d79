// The host timers and `abort` listeners the driver holds itself, counted in
// corral's diagnostics() while they are live, so the leak check that ends
// every test sees them as it sees the core's own.

import { countLive } from "@corral/core";

/** A host timer, counted while it is armed. */
export interface LiveTimer {
  /** The host's handle; undefined once fired or stopped. */
  handle: ReturnType<typeof setTimeout> | undefined;
}

/** Arms a counted host timer that calls `fn` after `ms`. */
export function startTimer(fn: () => void, ms: number): LiveTimer {
  const timer: LiveTimer = { handle: undefined };
  countLive("timers", 1);
  timer.handle = setTimeout(() => {
    timer.handle = undefined;
    countLive("timers", -1);
    fn();
  }, ms);
  return timer;
}

/** Disarms a timer from {@linkcode startTimer}; a no-op once it fired or was stopped. */
export function stopTimer(timer: LiveTimer | undefined): void {
  if (timer?.handle === undefined) return;
  clearTimeout(timer.handle);
  timer.handle = undefined;
  countLive("timers", -1);
}

/**
 * Calls `fn` once when `signal` aborts, through one counted listener.
 * Returns the function that removes it (a no-op after the abort or a first call).
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
