// One call of the owner's `create(signal)`: a cancel node whose signal the
// create receives, so that the pool can cancel it when nobody needs the
// resource any more (the acquire that wanted it timed out or was aborted, or
// the pool is closing).

import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import type { Waiter } from "./pool-waiters.ts";

export class CreateOp extends CancelNode {
  /** The waiter it was started for (first to hear of its failure), if any. */
  readonly trigger: Waiter<unknown> | undefined;
  /** The pool's failure generation when it started (see Creator.countFailure). */
  readonly generation: number;
  /** When it started, on the now() clock (for the `create` event's duration). */
  startedAt = 0;

  constructor(trigger: Waiter<unknown> | undefined, generation: number) {
    super();
    this.trigger = trigger;
    this.generation = generation;
  }

  /**
   * True when `error` is this create's cancellation, recognised by identity:
   * the reason the pool cancelled it with, an error whose `cause` chain holds
   * that reason, or an `AbortError` raised once it was cancelled (what
   * `fetch` and sockets throw for an aborted signal). Anything else is the
   * create's own failure, whatever its `name`.
   */
  owns(error: unknown): boolean {
    const reason = this.reason;
    if (reason === undefined) return false;
    let e = error;
    for (let i = 0; i < 16 && e !== undefined && e !== null; i++) {
      if (e === reason) return true;
      if (typeof e !== "object") return false;
      e = (e as { cause?: unknown }).cause;
    }
    return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
  }
}
