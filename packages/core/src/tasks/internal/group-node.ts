// The state of one task group, and its node in the cancellation tree.
//
// Invariants:
// - `pending` counts children that have not settled (queued, running,
//   starting); `running` counts those holding a slot (only `limit` reads it).
// - The group finishes exactly once: when it is closing (the body returned,
//   or join()/dispose was called) and `pending` is 0. Then it unlinks from
//   its parent, and nothing can be spawned any more.
// - The first failure cancels the group's node with a "sibling" Cancelled;
//   the node's cancel() walks the children linked under it once (O(N)) and
//   then aborts the group's shared signal.
// - Once the group is cancelled the queue is empty: queued children are
//   dropped at the cancel, and later ones are dropped at spawn when no slot
//   is free.
//
// The group never reads or writes a child's state. It decides when a child
// starts or is dropped; the child's class, which alone can change a child's
// state, hands it the steps to do so (`ChildSteps`) when the child is
// admitted. So each state machine is read in one place: the group's here,
// a task's in task.ts.

import { Cancelled, TaskGroupError } from "../../base/errors.ts";
import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { cancelledByParent, isAbortError, isCancellation } from "../../cancellation/internal/cancel-reason.ts";

/** What a group may do with a child it admitted: the child's class supplies these. */
export interface ChildSteps<C> {
  /** Starts `child` in the slot the group reserved for it. */
  start(child: C): void;
  /** Settles `child`, which never started, because its group was cancelled. */
  drop(child: C): void;
  /** True while `child` waits in the queue (false once it was cancelled there). */
  waiting(child: C): boolean;
}

/** @internal See the module comment. */
export class GroupNode<C> extends CancelNode {
  readonly name: string;
  readonly limit: number;
  pending = 0;
  #running = 0;
  /** Children waiting for a slot, from `#queueHead` on; `undefined` while none wait. */
  #queue: C[] | undefined = undefined;
  #queueHead = 0;
  /** The steps of the queued children (set when the first one is queued). */
  #steps: ChildSteps<C> | undefined = undefined;
  #pumping = false;
  /** The failures, in the order they happened. */
  failures: unknown[] | undefined = undefined;
  /** The parent's reason, once the parent was cancelled. */
  #parentReason: unknown = undefined;
  /** True once some error was a cancellation that belongs to the group. */
  #sawCancellation = false;
  #closing = false;
  finished = false;
  // A one-entry cache of `fn.length` (a native accessor, not free): a
  // group usually spawns the same function many times.
  #lastFn: unknown = undefined;
  #lastArity = 0;
  /** The group's signal, cached: every task without a node of its own is handed it. */
  sharedSignal: AbortSignal | undefined = undefined;
  #done: Promise<void> | undefined = undefined;
  #resolveDone: (() => void) | undefined = undefined;

  constructor(name: string, limit: number, parent: CancelNode | AbortSignal | undefined) {
    super();
    this.name = name;
    this.limit = limit;
    if (parent !== undefined) {
      const reason = this.attach(parent);
      if (reason !== undefined) this.onAbort(reason);
    }
  }

  /** How many parameters `fn` declares. */
  arity(fn: (...args: never[]) => unknown): number {
    if (fn === this.#lastFn) return this.#lastArity;
    this.#lastFn = fn;
    return this.#lastArity = fn.length;
  }

  /** `task group "name"`, or `task group` when it has none. */
  get label(): string {
    return this.name === "" ? "task group" : `task group "${this.name}"`;
  }

  /** The parent was cancelled. */
  override onAbort(reason: unknown): void {
    if (this.#parentReason === undefined) this.#parentReason = reason;
    this.cancel(cancelledByParent(reason));
  }

  override cancel(reason: unknown): boolean {
    if (!super.cancel(reason)) return false;
    const queue = this.#queue;
    if (queue !== undefined) {
      const steps = this.#steps!;
      this.#queue = undefined;
      for (let i = this.#queueHead; i < queue.length; i++) {
        const child = queue[i]!;
        if (steps.waiting(child)) steps.drop(child);
      }
      this.#queueHead = 0;
    }
    return true;
  }

  /** Throws when the group can take no more children. */
  checkOpen(what: string): void {
    if (this.finished) throw new Error(`Cannot ${what} as the ${this.label} has finished`);
  }

  /** Takes in a new child: starts it now, queues it behind `limit`, or (cancelled and full) drops it. */
  admit(child: C, steps: ChildSteps<C>): void {
    this.pending++;
    if (this.#queue === undefined && this.#running < this.limit) {
      this.#running++;
      steps.start(child);
    } else if (this.reason !== undefined) {
      steps.drop(child);
    } else {
      // FIFO: behind whatever is queued, even if a slot is free (the queue
      // may hold only children cancelled while queued).
      this.#steps = steps;
      (this.#queue ??= []).push(child);
      if (this.#running < this.limit) this.#pump();
    }
  }

  /** A child settled; `heldSlot` when it had started. */
  childSettled(heldSlot: boolean): void {
    this.pending--;
    if (heldSlot) {
      this.#running--;
      if (this.#queue !== undefined) this.#pump();
    }
    if (this.pending === 0 && this.#closing && !this.finished) this.#finish();
  }

  // Starts queued children while slots are free. A loop, not recursion: a
  // child that settles synchronously frees its slot inside start().
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    const steps = this.#steps!;
    try {
      let queue = this.#queue;
      while (queue !== undefined && this.#running < this.limit) {
        if (this.#queueHead === queue.length) {
          this.#queue = undefined;
          this.#queueHead = 0;
          break;
        }
        const child = queue[this.#queueHead]!;
        queue[this.#queueHead++] = undefined as C;
        if (!steps.waiting(child)) continue;
        // Cancelled meanwhile (the cancel normally empties the queue itself).
        if (this.reason !== undefined) {
          steps.drop(child);
          continue;
        }
        this.#running++;
        steps.start(child);
        queue = this.#queue;
      }
      if (queue !== undefined && this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
        queue.splice(0, this.#queueHead);
        this.#queueHead = 0;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * True when `error` is a cancellation that belongs to the group, by
   * identity (see cancel-reason.ts): the group's own reason, the task's own
   * `cancel()` (`taskReason`), or the enclosing scope's reason — or any
   * reason those were derived from — on the error's cause chain; or an
   * `AbortError` while the task's signal is aborted. Such errors are not
   * failures. Anything else is, whatever its name: a child's own error
   * called "Cancelled" is never mistaken for the group's cancellation.
   */
  isOwnCancellation(error: unknown, taskReason: unknown): boolean {
    const reason = this.reason;
    const parentReason = this.#parentReason;
    const owned = (reason !== undefined && isCancellation(error, reason)) ||
      (taskReason !== undefined && taskReason !== reason && isCancellation(error, taskReason)) ||
      (parentReason !== undefined && isCancellation(error, parentReason)) ||
      ((reason !== undefined || taskReason !== undefined) && isAbortError(error));
    if (owned) this.#sawCancellation = true;
    return owned;
  }

  /** Records a failure (`what` failed with `error`); the first one cancels the group. */
  recordFailure(error: unknown, what: string): void {
    (this.failures ??= []).push(error);
    if (this.reason === undefined) this.cancel(new Cancelled("sibling", { message: what, cause: error }));
  }

  /** Resolves once the group has finished; from now on it finishes when its last child settles. */
  close(): Promise<void> {
    this.#closing = true;
    if (this.pending === 0 && !this.finished) this.#finish();
    if (this.finished) return this.#done ?? Promise.resolve();
    return this.#done ??= new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  #finish(): void {
    this.finished = true;
    this.#lastFn = undefined;
    this.detach();
    this.#resolveDone?.();
  }

  /**
   * What the group throws once finished: a TaskGroupError with every
   * failure, or the parent's reason when the parent cancelled it and the
   * only errors were cancellations; `undefined` when nothing failed.
   */
  outcome(): unknown {
    const failures = this.failures;
    if (failures !== undefined) {
      const first = failures[0];
      const text = first instanceof Error ? `${first.name}: ${first.message}` : String(first);
      const count = failures.length === 1 ? "1 failure" : `${failures.length} failures`;
      return new TaskGroupError(failures, `${count} in ${this.label} (first: ${text})`);
    }
    if (this.#parentReason !== undefined && this.#sawCancellation) return this.#parentReason;
    return undefined;
  }
}
