// What the task-group case files share: the instance types they name, and
// small helpers built on the adapter module under test.
import { AssertionError } from "../assert.ts";
import type { Corral } from "../harness.ts";

export type TaskGroupErrorT = InstanceType<Corral["TaskGroupError"]>;
export type CancelledT = InstanceType<Corral["Cancelled"]>;
export type TaskGroupT = InstanceType<Corral["TaskGroup"]>;

/**
 * Helpers on `c`: `until(signal)` waits until the signal aborts;
 * `isCancelled(e, kind?)` tells a corral `Cancelled` (of that kind);
 * `failOnAbort(error)` is a task that fails with `error` once its signal
 * aborts (a task's own error raised during a cancellation).
 */
export function groupHelpers(c: Corral): {
  until: (signal: AbortSignal) => Promise<void>;
  isCancelled: (e: unknown, kind?: string) => e is CancelledT;
  failOnAbort: (error: unknown) => (signal: AbortSignal) => Promise<void>;
} {
  const { Cancelled } = c;
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });
  const isCancelled = (e: unknown, kind?: string): e is CancelledT =>
    e instanceof Cancelled && (kind === undefined || e.kind === kind);
  const failOnAbort = (error: unknown) => async (signal: AbortSignal) => {
    try {
      await until(signal);
    } catch {
      throw error;
    }
  };
  return { until, isCancelled, failOnAbort };
}

/**
 * Settles like `promise`, or fails after `ms` on a host timer: a deadlock
 * fails its case (with a message) instead of hanging the whole run.
 */
export function noHang<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what} still hung after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** Every error inside `error`, TaskGroupErrors (AggregateErrors) opened. */
export function leaves(error: unknown): unknown[] {
  return error instanceof AggregateError ? error.errors.flatMap(leaves) : [error];
}
