// One call of the owner's `create(signal)`: a cancel node whose signal the
// create receives, so that the pool can cancel it when nobody needs the
// resource any more (the acquire that wanted it timed out or was aborted, or
// the pool is closing).

import { CancelNode } from "./cancel-node.ts";
import type { Waiter } from "./pool-waiters.ts";

export class CreateOp extends CancelNode {
  /** The waiter it was started for (first to hear of its failure), if any. */
  readonly trigger: Waiter<unknown> | undefined;
  /** The pool's failure generation when it started (see PoolCreates.createSettled). */
  readonly generation: number;

  constructor(trigger: Waiter<unknown> | undefined, generation: number) {
    super();
    this.trigger = trigger;
    this.generation = generation;
  }
}
