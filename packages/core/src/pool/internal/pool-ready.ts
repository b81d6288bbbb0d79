// Callers of pool.ready() waiting for `min` resources to exist.

import { Watcher } from "../../cancellation/internal/cancel-node.ts";

export class ReadyWaiter extends Watcher {
  readonly set: Set<ReadyWaiter>;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;

  constructor(set: Set<ReadyWaiter>, resolve: () => void, reject: (reason: unknown) => void) {
    super();
    this.set = set;
    this.resolve = resolve;
    this.reject = reject;
  }

  onAbort(reason: unknown): void {
    this.set.delete(this);
    this.reject(reason);
  }
}

/** Settles and forgets every waiter in `set`. */
export function settleReady(set: Set<ReadyWaiter>, ok: boolean, reason: unknown): void {
  const waiters = [...set];
  set.clear();
  for (const w of waiters) {
    w.detach();
    if (ok) w.resolve();
    else w.reject(reason);
  }
}
