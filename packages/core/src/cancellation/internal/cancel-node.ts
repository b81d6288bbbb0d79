// The cancellation tree, in plain JS. A CancelNode is cheap (no
// AbortController until someone asks for `.signal`); parties interested in
// its cancellation are Watchers threaded on an intrusive doubly-linked list,
// so linking and unlinking allocate nothing and cost O(1), and cancelling
// N children walks N links once (one abort listener per child on a shared
// AbortSignal would make that O(N^2) on every runtime).

import { abortReasonOf } from "../../base/abort-reason.ts";
import { live } from "../../base/live.ts";

// The pool still imports the reason helper from here under its old name;
// pool/internal/pool-core.ts switches to base/abort-reason.ts with the
// pool's rewrite (issue #12), and then this re-export goes.
export { abortReasonOf as abortReason };

// The node behind a signal is kept in a private field stamped onto the
// signal itself (a base constructor that returns its argument lets a
// subclass add its private fields to any object), not in a WeakMap: every
// key of a WeakMap is an ephemeron the GC must trace, which cost more than
// the AbortController itself — ~1.1 µs per signal on Node 24 and ~0.8 µs
// on Deno, measured with 10,000 signals made per round (issue #16). A
// private field is invisible to the signal's users (no property, no symbol).
class Stamp {
  constructor(target: object) {
    return target;
  }
}
class NodeOfSignal extends Stamp {
  #node: CancelNode;
  constructor(signal: AbortSignal, node: CancelNode) {
    super(signal);
    this.#node = node;
  }
  static get(signal: AbortSignal): CancelNode | undefined {
    return #node in signal ? (signal as unknown as NodeOfSignal).#node : undefined;
  }
}

/** The corral node behind a signal corral handed out, if it is one. */
export function nodeOf(signal: AbortSignal): CancelNode | undefined {
  return NodeOfSignal.get(signal);
}

/**
 * Something that wants to hear, once, that a signal aborted. It is attached
 * either to a corral node (linked into its list) or to a foreign
 * AbortSignal (as its `abort` listener: the watcher itself, through
 * `handleEvent`, so attaching makes no closure and a watcher holds no
 * listener field — every task's node is a watcher, and on JavaScriptCore
 * each field a constructor initialises shows in the spawn cost).
 */
//
// Watcher and CancelNode declare their fields (`declare`: no class-field
// definition) and set them in the constructor by plain assignment. Every
// task makes one node, and on V8 a three-level chain of class fields
// (Watcher → CancelNode → TaskNode) cost ~25 ns per construction against
// ~14 ns with plain assignments (Node 20 and 24; JavaScriptCore: no
// difference), measured for issue #16. The same holds for subclasses on a
// hot path (TaskNode, Sleeper).
export abstract class Watcher {
  declare prev: Watcher | undefined;
  declare next: Watcher | undefined;
  /** The node this watcher is linked into, while linked. */
  declare host: CancelNode | undefined;
  /** The foreign signal this watcher listens to, while listening. */
  declare foreign: AbortSignal | undefined;

  constructor() {
    this.prev = undefined;
    this.next = undefined;
    this.host = undefined;
    this.foreign = undefined;
  }

  /** Called once when the watched node or signal aborts. */
  abstract onAbort(reason: unknown): void;

  /**
   * Starts watching `target`. Returns the reason at once (without attaching)
   * when it is already aborted; `undefined` otherwise.
   */
  attach(target: CancelNode | AbortSignal): unknown {
    if (target instanceof CancelNode) {
      const reason = target.reason;
      if (reason !== undefined) return reason;
      target.link(this);
      return undefined;
    }
    const node = NodeOfSignal.get(target);
    if (node !== undefined) return this.attach(node);
    if (target.aborted) return abortReasonOf(target);
    this.foreign = target;
    live.listeners++;
    target.addEventListener("abort", this, { once: true });
    return undefined;
  }

  /** The foreign signal aborted (the EventListener protocol: the watcher is its own listener). */
  handleEvent(): void {
    const target = this.foreign;
    if (target === undefined) return;
    this.foreign = undefined;
    live.listeners--;
    this.onAbort(abortReasonOf(target));
  }

  /** Stops watching. Safe to call at any time, any number of times. */
  detach(): void {
    const host = this.host;
    if (host !== undefined) {
      host.unlink(this);
      return;
    }
    const foreign = this.foreign;
    if (foreign !== undefined) {
      foreign.removeEventListener("abort", this);
      this.foreign = undefined;
      live.listeners--;
    }
  }
}

/**
 * A point in the cancellation tree. Once cancelled it stays cancelled with
 * its first reason. It is itself a Watcher so that it can hang under a
 * parent node.
 */
export class CancelNode extends Watcher {
  declare reason: unknown;
  /** The AbortController behind `signal`, once someone asked for it. */
  declare controller: AbortController | undefined;
  /** The watchers linked under this node, first and last. */
  declare watchHead: Watcher | undefined;
  declare watchTail: Watcher | undefined;

  constructor() {
    super();
    this.reason = undefined;
    this.controller = undefined;
    this.watchHead = undefined;
    this.watchTail = undefined;
  }

  /** The AbortSignal for this node, created on first use. */
  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = this.controller = new AbortController();
      new NodeOfSignal(controller.signal, this);
      if (this.reason !== undefined) controller.abort(this.reason);
    }
    return controller.signal;
  }

  /** True once a real AbortSignal exists for this node. */
  get hasSignal(): boolean {
    return this.controller !== undefined;
  }

  /** A parent node or foreign signal aborted: subclasses decide what that means. */
  onAbort(reason: unknown): void {
    this.cancel(reason);
  }

  /**
   * Cancels this node and everything watching it. Returns false (doing
   * nothing) when it was already cancelled.
   */
  cancel(reason: unknown): boolean {
    if (this.reason !== undefined) return false;
    this.reason = reason;
    // Detach the whole list first. Unlinking while cancelled is a no-op (see
    // unlink), so watchers that react by detaching others cannot break the
    // walk; each watcher's links are cleared just before it is told.
    let w = this.watchHead;
    this.watchHead = this.watchTail = undefined;
    while (w !== undefined) {
      const next = w.next;
      w.prev = w.next = undefined;
      w.host = undefined;
      live.links--;
      w.onAbort(reason);
      w = next;
    }
    this.controller?.abort(reason);
    return true;
  }

  link(w: Watcher): void {
    w.host = this;
    w.prev = this.watchTail;
    w.next = undefined;
    if (this.watchTail === undefined) this.watchHead = w;
    else this.watchTail.next = w;
    this.watchTail = w;
    live.links++;
  }

  unlink(w: Watcher): void {
    // While cancel() walks the list, the walk owns every link.
    if (w.host !== this || this.reason !== undefined) return;
    const { prev, next } = w;
    if (prev === undefined) this.watchHead = next;
    else prev.next = next;
    if (next === undefined) this.watchTail = prev;
    else next.prev = prev;
    w.prev = w.next = undefined;
    w.host = undefined;
    live.links--;
  }
}
