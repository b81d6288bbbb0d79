// pool.use(fn): a lease for the duration of fn, given back or destroyed.
//
// fn's signal is the lease's signal (it aborts when close() stops waiting
// for borrowers, and with the caller's signal: acquire() ties the two), and
// it is the ambient signal inside fn. The rule for a failure: fn's error
// destroys the resource unless the pool's isBroken(error, resource) returns
// false. A failing reset afterwards does not lose fn's value: release()
// never rejects.

import { hooks } from "../../base/runtime.ts";
import { describe } from "../../base/validate.ts";
import { nodeOf } from "../../cancellation/internal/cancel-node.ts";
import type { Lease } from "../lease.ts";

/** What use() borrows from: the pool's acquire and its `isBroken`. */
export interface Borrowing<T> {
  acquireWith(options: unknown): Promise<Lease<T>>;
  isBroken(error: unknown, resource: T): boolean;
}

export async function use<T, R>(
  pool: Borrowing<T>,
  fn: (resource: T, signal: AbortSignal) => R | PromiseLike<R>,
  options: { signal?: AbortSignal; timeout?: number } | undefined,
): Promise<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot use pool as 'fn' must be a function: received ${describe(fn)}`);
  }
  // The lease's signal is tied to the caller's signal (or the ambient one) by acquire().
  const lease = await pool.acquireWith(options);
  const resource = lease.resource;
  const signal = lease.signal;
  const node = nodeOf(signal)!;
  let value: Awaited<R>;
  try {
    const context = hooks.context;
    value = await (context === undefined ? fn(resource, signal) : context.run(node, () => fn(resource, signal)));
  } catch (error) {
    let broken = true;
    try {
      broken = pool.isBroken(error, resource) !== false;
    } catch { /* a failing isBroken counts as broken */ }
    await (broken ? lease.destroy(error) : lease.release());
    throw error;
  }
  await lease.release();
  return value;
}
