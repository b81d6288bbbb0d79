// pool.use(fn): a lease for the duration of fn, given back or destroyed.
//
// fn's signal is the lease's signal (it aborts when close() stops waiting
// for borrowers), linked to the caller's signal too, and it is the ambient
// signal inside fn. The rule for a failure: fn's error destroys the
// resource unless the pool's isBroken(error, resource) returns false.

import { hooks } from "../../base/runtime.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import { type CancelNode, nodeOf, Watcher } from "../../cancellation/internal/cancel-node.ts";
import type { PoolCore } from "./pool-core.ts";
import { describe } from "../../base/validate.ts";

/** Cancels a use()'s signal when the caller's signal aborts. */
class Link extends Watcher {
  readonly #node: CancelNode;
  constructor(node: CancelNode) {
    super();
    this.#node = node;
  }
  onAbort(reason: unknown): void {
    this.#node.cancel(reason);
  }
}

export async function use<T, R>(
  core: PoolCore<T>,
  fn: (resource: T, signal: AbortSignal) => R | PromiseLike<R>,
  options: { signal?: AbortSignal; timeout?: number } | undefined,
): Promise<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot use pool as 'fn' must be a function: received ${describe(fn)}`);
  }
  const target = options?.signal ?? ambientNode();
  const lease = await core.acquireWith(options);
  const resource = lease.resource;
  const signal = lease.signal;
  const node = nodeOf(signal)!;
  let link: Link | undefined;
  if (target !== undefined) {
    link = new Link(node);
    const reason = link.attach(target);
    if (reason !== undefined) node.cancel(reason);
  }
  let value: Awaited<R>;
  try {
    const context = hooks.context;
    value = await (context === undefined ? fn(resource, signal) : context.run(node, () => fn(resource, signal)));
  } catch (error) {
    link?.detach();
    let broken = true;
    try {
      broken = core.s.isBroken(error, resource) !== false;
    } catch { /* a failing isBroken counts as broken */ }
    await (broken ? lease.destroy(error) : lease.release());
    throw error;
  }
  link?.detach();
  await lease.release();
  return value;
}
