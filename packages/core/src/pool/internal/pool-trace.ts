// Tracing a pool (see base/tracing.ts): the acquire, create and destroy
// channels. Reached only when somebody subscribes.

import { now } from "../../base/clock.ts";
import { traceCall, tracing, type TracingChannelLike } from "../../base/tracing.ts";
import type { Lease } from "../lease.ts";
import type { Inventory } from "./pool-inventory.ts";

/** What tracing an acquire needs of the lender. */
export interface TracedLender<T> {
  readonly queue: { readonly size: number };
  acquireWith(options: unknown, untraced: boolean): Promise<Lease<T>>;
}

/**
 * An acquire on the `corral:pool:acquire` channel. Its context: `pool`;
 * `queued` (it waited in the queue) and `waitTime` (ms) once it settles;
 * `result` (the lease) or `error`.
 */
export function traceAcquire<T>(
  lender: TracedLender<T>,
  books: Inventory<T>,
  pool: object,
  options: unknown,
): Promise<Lease<T>> {
  const context: Record<string, unknown> = { pool, queued: false, waitTime: 0 };
  const start = now();
  return traceCall(tracing.acquire!, context, () => {
    const queued = lender.queue.size;
    const acquires = books.acquires;
    const lease = lender.acquireWith(options, true);
    context.queued = books.acquires === acquires && lender.queue.size > queued;
    const settled = () => (context.waitTime = now() - start);
    lease.then(settled, settled);
    return lease;
  }) as Promise<Lease<T>>;
}

/**
 * The owner's `destroy` (or another hook) wrapped in a trace of `channel`
 * with `context`, keeping its arity (the pool makes a signal only for a
 * hook that declares one).
 */
export function traceHook<T>(
  channel: TracingChannelLike,
  fn: (resource: T, signal: AbortSignal) => unknown,
  context: Record<string, unknown>,
): (resource: T, signal: AbortSignal) => unknown {
  if (fn.length < 2) return (resource: T) => traceCall(channel, context, () => (fn as (r: T) => unknown)(resource));
  return (resource: T, signal: AbortSignal) => traceCall(channel, context, () => fn(resource, signal));
}
