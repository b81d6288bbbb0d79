// The caller's wait for the work its release started (a reset, a destroy)
// ends with the caller's deadline: the work goes on in the background,
// bounded by `cleanupTimeout` and counted against `max` until it ends, but
// the caller returns. A caller whose deadline had already passed when it
// released waits a short while (a healthy reset takes a round trip) and
// then returns too.

import { clearCountedTimeout, type CountedTimeout, countedTimeout } from "../../base/counted.ts";
import { CancelNode, Watcher } from "../../cancellation/internal/cancel-node.ts";

/** How long a caller past its deadline still waits for its release's work. */
export const LATE_RELEASE_WAIT = 50;

class CallerWait extends Watcher {
  resolve: () => void = noop;
  timer: CountedTimeout | undefined = undefined;
  onAbort(): void {
    this.resolve();
  }
  end = (): void => {
    this.detach();
    clearCountedTimeout(this.timer);
    this.resolve();
  };
}

function noop(): void {}

/**
 * `done`, or earlier: when `scope` (the caller's signal or scope) aborts, or
 * `LATE_RELEASE_WAIT` after now when it has already aborted.
 */
export function untilCallerLeaves(
  done: Promise<void>,
  scope: CancelNode | AbortSignal | undefined,
): Promise<void> {
  if (scope === undefined) return done;
  const wait = new CallerWait();
  return new Promise<void>((resolve) => {
    wait.resolve = resolve;
    const aborted = scope instanceof CancelNode ? scope.reason !== undefined : scope.aborted;
    if (aborted) wait.timer = countedTimeout(wait.end, LATE_RELEASE_WAIT);
    else if (wait.attach(scope) !== undefined) wait.timer = countedTimeout(wait.end, LATE_RELEASE_WAIT);
    done.then(wait.end);
  });
}
