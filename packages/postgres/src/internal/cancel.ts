// What happens when a binding's signal aborts while its queries run: the
// protocol's cancel request, repeated until every query of ours has
// stopped, then, past the grace period, the connection terminated. And the
// end of a binding (its lease ended), which cancels what still runs.

import { startTimer, stopTimer } from "./live.ts";
import type { Binding, Link, Query } from "./binding.ts";

/**
 * Sends one protocol cancel request for the session (it stops whatever the
 * server runs for it right now) and keeps its promise, so a reset can wait
 * until the server has acted on it.
 */
function sendCancel(link: Link, q: Query, canceller: (q: Query) => Promise<void>): void {
  // The reset after this lease must run a round trip: it queues behind the
  // cancelled queries, so they have all stopped before the next borrower.
  link.dirty = true;
  let sent: Promise<void>;
  try {
    // The driver's canceller sends the request only for an active query;
    // for a pipelined one it would defer it (and its deferral cancels the
    // wrong query). So it is always asked for "the active query" of the
    // session, and called again each time one of ours stops.
    sent = Promise.resolve(canceller({ state: q.state, active: true } as unknown as Query)).catch(() => {});
  } catch {
    return;
  }
  link.cancels.add(sent);
  void sent.then(() => link.cancels.delete(sent));
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
  stopTimer(binding.timer);
  binding.timer = undefined;
}

/** Cancels the query of ours the server is running now, if any; returns whether it sent a request. */
export function cancelNext(binding: Binding): boolean {
  const inflight = binding.inflight!;
  for (const q of inflight) {
    // The driver marks the query it is running `active` (the first one sent,
    // then each pipelined one in turn, in the same tick the previous ends).
    if (q.active && binding.canceller) {
      sendCancel(binding.link, q, binding.canceller);
      return true;
    }
  }
  // Nothing of ours runs: a sent query still here finished without settling
  // its promise (a cursor read to its end replaces the driver's resolvers).
  for (const q of [...inflight]) if (q.executed && q.state && !q.active) finish(binding, q);
  return false;
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
  binding.timer = startTimer(() => {
    binding.timer = undefined;
    if (!binding.inflight?.size) return;
    if (performance.now() - started < binding.link.cancelGrace) {
      cancelNext(binding);
      nudge(binding, started);
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
