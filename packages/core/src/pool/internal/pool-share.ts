// One shared lease's record: what a PooledResource keeps about its one
// exclusive lease (generation, signal, scope, leak data, place in the
// books' list), kept per lease when several leases share one resource.

import type { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { BORROWED, type LeaseRecord, type PooledResource } from "./pool-resource.ts";

export class Share<T> implements LeaseRecord<T> {
  readonly resource: T;
  /** The resource this share is a lease on. */
  readonly host: PooledResource<T>;
  /** Leases on it are shared (a lease reads this). */
  readonly shared: boolean = true;
  /** 0 while the lease is out, 1 once it ended (a Lease is active while its generation matches). */
  generation = 0;
  /** BORROWED while out, GONE once ended. */
  state: number = BORROWED;
  signalNode: CancelNode | undefined = undefined;
  scope: CancelNode | AbortSignal | undefined = undefined;
  /** Neighbours in the books' list of shares (in lend order). */
  prevBorrowed: Share<T> | undefined = undefined;
  nextBorrowed: Share<T> | undefined = undefined;
  lentAt = 0;
  acquireStack: string | undefined = undefined;
  leakReported = false;

  constructor(host: PooledResource<T>, scope: CancelNode | AbortSignal | undefined) {
    this.host = host;
    this.resource = host.resource;
    this.scope = scope;
  }
}

/**
 * Calls the pool's `setup` for a lease starting on `record` (with its
 * signal, made only when `setup` declares it). Throws what `setup` throws,
 * and a TypeError when it returns a promise (it must not wait).
 */
export function callSetup<T>(
  setup: (resource: T, signal: AbortSignal) => void,
  record: LeaseRecord<T>,
  signalOf: { leaseSignal(record: LeaseRecord<T>): AbortSignal },
): void {
  const result: unknown = setup.length < 2
    ? (setup as (resource: T) => unknown)(record.resource)
    : setup(record.resource, signalOf.leaseSignal(record));
  if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
    Promise.resolve(result).then(undefined, () => {});
    throw new TypeError(
      "Cannot lend a resource as 'setup' must return synchronously (prepare it in create or validate): " +
        "received a promise",
    );
  }
}
