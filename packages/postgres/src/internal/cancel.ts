// What happens when a binding's signal aborts while its queries run: the
// protocol's cancel request, repeated until every query of ours has
// stopped, then, past the grace period, the connection terminated. And the
// end of a binding (its lease ended), which cancels what still runs.

import { clearCountedTimeout, countedTimeout } from "@corral/core";
import type { Binding, Link, Query } from "./binding.ts";

/** True for postgres 4's queries, which cancel themselves (see {@linkcode Query}). */
function cancelsItself(q: Query): boolean {
  return !("canceller" in q);
}

/** Keeps a cancel request's promise, so a reset can wait until the server has acted on it. */
function keep(link: Link, sent: Promise<unknown>): void {
  const done = sent.then(() => {}, () => {});
  link.cancels.add(done);
  void done.then(() => link.cancels.delete(done));
}

/**
 * postgres 3: sends one protocol cancel request for the session (it stops
 * whatever the server runs for it right now). The driver's canceller sends
 * it only for an active query; for a pipelined one it would defer it (and
 * its deferral cancels the wrong query). So it is always asked for "the
 * active query" of the session, and called again each time one of ours stops.
 */
function sendCancel(link: Link, q: Query, canceller: (q: Query) => Promise<void>): void {
  // The reset after this lease must run a round trip: it queues behind the
  // cancelled queries, so they have all stopped before the next borrower. A
  // query dropped before it was sent (nothing of ours runs) needs no reset.
  link.dirty = true;
  try {
    keep(link, canceller({ state: q.state, active: true } as unknown as Query));
  } catch {
    // the connection is gone: nothing to cancel
  }
}

/**
 * postgres 4: asks the driver to cancel each query of ours that has not
 * settled. It drops a queued one, stops a pipelined one before it runs (or
 * when its turn comes), and sends the protocol's cancel request for the
 * running one — again at each call, since a request that lands while the
 * server is between two queries is ignored. Only a running query's request
 * is kept for the reset to wait on: a waiting query's promise is replaced
 * by the driver at the next call and may never settle.
 */
function cancelOwn(binding: Binding): void {
  for (const q of binding.inflight!) {
    const settled = (q as { settled?: boolean }).settled;
    if (settled) continue;
    const active = q.active;
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(q.cancel());
    } catch {
      continue;
    }
    if (active) keep(binding.link, sent);
    else sent.catch(() => {});
  }
}

/** Forgets a query that has stopped; the last one ends the wait for the signal. */
export function finish(binding: Binding, q: Query): void {
  const inflight = binding.inflight!;
  if (!inflight.delete(q)) return;
  if (inflight.size > 0) {
    // Pipelined queries run one after another: cancel the next one now.
    if (binding.aborting) cancelNext(binding);
    return;
  }
  binding.aborting = false;
  if (binding.quiet) {
    binding.quiet();
    binding.quiet = undefined;
  }
  clearCountedTimeout(binding.timer);
  binding.timer = undefined;
}

/** Cancels the query of ours the server is running now, if any. */
export function cancelNext(binding: Binding): void {
  const inflight = binding.inflight!;
  // Every query of a binding comes from the same driver.
  const first = inflight.values().next().value;
  if (first === undefined) return;
  if (cancelsItself(first)) {
    // The cancel marks the session for a reset, which queues behind the
    // cancelled queries: they have all stopped before the next borrower.
    binding.link.dirty = true;
    cancelOwn(binding);
    sweep(binding);
    return;
  }
  for (const q of inflight) {
    // The driver marks the query it is running `active` (the first one sent,
    // then each pipelined one in turn, in the same tick the previous ends).
    if (q.active && binding.canceller) return sendCancel(binding.link, q, binding.canceller);
  }
  sweep(binding);
}

/**
 * Forgets the queries of ours that finished without settling their promise
 * (a cursor read to its end replaces the driver's resolvers): postgres 4
 * marks them `settled`; postgres 3 leaves them sent and no longer active.
 */
function sweep(binding: Binding): void {
  for (const q of [...binding.inflight!]) {
    const settled = (q as { settled?: boolean }).settled;
    if (cancelsItself(q) ? settled : q.executed && q.state && !q.active) finish(binding, q);
  }
}

/** Between two cancel requests while the queries of an aborted binding have not all stopped. */
const NUDGE = 50;

/**
 * Keeps cancelling until every query of the binding has settled. One
 * request is not always enough: it stops whatever the session runs when it
 * arrives, and it is ignored while the server is between two pipelined
 * queries (reading the next one). After `cancelGrace`, the connection is
 * terminated (one last request still stops the query on the server).
 */
function nudge(binding: Binding, started: number): void {
  binding.timer = countedTimeout(() => {
    binding.timer = undefined;
    if (!binding.inflight?.size) return;
    if (performance.now() - started < binding.link.cancelGrace) {
      cancelNext(binding);
      if (binding.inflight.size) nudge(binding, started);
      return;
    }
    cancelNext(binding);
    binding.link.kill(new Error(`a cancelled query did not stop within ${binding.link.cancelGrace} ms`));
  }, NUDGE);
}

export function abortAll(binding: Binding): void {
  const { inflight } = binding;
  if (!inflight?.size || binding.aborting) return;
  binding.aborting = true;
  for (const q of inflight) {
    if (cancelsItself(q)) break; // postgres 4: cancelNext cancels every query itself
    binding.canceller ??= q.canceller ?? undefined;
    q.canceller = null;
    // Not yet handed to the connection: the driver drops it from its queue.
    if (q.executed && !q.state) void binding.canceller?.(q)?.catch(() => {});
  }
  cancelNext(binding);
  if (inflight.size) nudge(binding, performance.now());
}

/**
 * Ends a binding: later queries through it throw, and queries still running
 * (nobody awaits them any more) are cancelled. Returns true if it cancelled
 * any, so the caller resets the connection with care.
 */
export function closeBinding(b: Binding, why: string): boolean {
  b.closed = why;
  if (!b.inflight?.size) return false;
  abortAll(b);
  return true;
}
