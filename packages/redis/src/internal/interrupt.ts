// What happens to a dedicated connection when the call running on it is
// cancelled. The invariant: once `interrupt()` resolves, the command the call
// sent is no longer running on the server — either its reply has arrived
// (the connection is idle and reusable) or the connection is destroyed. A
// connection is never handed back while a command is still in flight.

import { abortReasonOf } from "@corral/core";
import type { Unblocker } from "./unblocker.ts";
import { clearCountedTimeout, type CountedTimeout, countedTimeout, onAbort } from "@corral/core";

/** The parts of a connection that an interruption needs. */
export interface Target {
  readonly id: number;
  readonly unblocker: Unblocker | undefined;
  readonly broken: boolean;
  destroy(reason?: unknown): void;
}

/** How long `interrupt` tries `CLIENT UNBLOCK` before it destroys the connection. */
export const UNBLOCK_GRACE = 2000;

/** Resolves after `ms` or when `settled` does, whichever comes first; never leaves a timer behind. */
function within(settled: Promise<void>, ms: number): Promise<void> {
  let timer: CountedTimeout | undefined;
  return Promise.race([
    settled,
    new Promise<void>((resolve) => {
      timer = countedTimeout(resolve, ms);
    }),
  ]).finally(() => clearCountedTimeout(timer));
}

/**
 * Ends the command behind `work` on `target`. Without an unblocker the
 * connection is destroyed at once (the pending command rejects). With one,
 * `CLIENT UNBLOCK` is sent from the control connection until the reply
 * arrives — a command that was not blocked yet (still on the wire) is retried
 * with backoff — and the connection is destroyed when the grace period ends
 * or the control connection fails.
 *
 * @returns once `work` has settled
 */
export async function interrupt(target: Target, work: Promise<unknown>, grace: number = UNBLOCK_GRACE): Promise<void> {
  let settled = false;
  const done = work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const unblocker = target.unblocker;
  if (unblocker === undefined || target.broken) {
    target.destroy(new Error("The blocking command was cancelled"));
    return done;
  }
  const deadline = performance.now() + grace;
  let pause = 5;
  while (!settled) {
    const left = deadline - performance.now();
    if (left <= 0) {
      target.destroy(new Error(`CLIENT UNBLOCK did not end the command within ${grace} ms`));
      break;
    }
    try {
      const sent = unblocker.unblock(target.id);
      // The unblock itself may stall (control connection lost): bound it too.
      await within(Promise.race([sent.then(() => {}), done]), left);
      sent.catch(() => {});
    } catch (error) {
      target.destroy(error);
      break;
    }
    if (settled) break;
    await within(done, Math.min(pause, Math.max(0, deadline - performance.now())));
    pause = Math.min(pause * 2, 100);
  }
  return done;
}

/**
 * `work`, unless `signal` aborts first: then the command is interrupted and
 * the result rejects with the signal's reason once `work` has settled — or
 * resolves with a late reply for which `keep(reply)` is true. The abort
 * listener is removed as soon as `work` settles.
 */
export function cancellable<T>(
  target: Target,
  work: Promise<T>,
  signal: AbortSignal,
  keep: ((value: T) => boolean) | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cancelled = false;
    const unlisten = onAbort(signal, () => {
      cancelled = true;
      interrupt(target, work).then(() =>
        work.then(
          (value) => (keep?.(value) ? resolve(value) : reject(abortReasonOf(signal))),
          () => reject(abortReasonOf(signal)),
        )
      );
    });
    work.then(
      (value) => {
        if (cancelled) return;
        unlisten();
        resolve(value);
      },
      (error) => {
        if (cancelled) return;
        unlisten();
        reject(error);
      },
    );
  });
}
