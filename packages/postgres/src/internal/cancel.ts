// What happens when a binding's signal aborts while its queries run, and
// at the end of a binding (its lease ended), which cancels what still runs.
//
// postgres 3 (the pipe): a connection pipelines the queries of all its
// bindings, and the protocol's cancel request stops whatever the session
// runs when it lands — maybe a neighbour's query. So, per connection:
// - a query whose signal aborts before it was handed to the connection is
//   never sent (the gate drops it); one sent and waiting behind others is
//   answered at once and cancelled when its turn comes;
// - a cancel request goes only for the query the driver marks active, one
//   request in flight at a time, again with backoff (50 ms, doubling, at
//   most 1 s apart) while that query has not stopped; past `cancelGrace`
//   the connection is terminated;
// - from the request until it is done and its query has stopped, no query
//   is written (the fence): a late request finds the session idle, where the
//   server ignores it, instead of stopping a query written after it. A query
//   already on the wire behind the target that a late request stopped by
//   mistake is sent again (query-function.ts): a cancelled statement has
//   rolled back.
// The caller of an aborted query is answered at once with the signal's
// reason; the cancellation goes on in the background (its timers counted).
//
// postgres 4 cancels a query itself (it drops a queued one, waits for a
// pipelined one's turn); corral asks it again, with the same backoff.

import { abortReasonOf, clearCountedTimeout, countedTimeout } from "@corral/core";
import type { Binding, Link, Pipe, Query } from "./binding.ts";
import { acknowledged, SPAN_MS } from "./silence.ts";
import { denseCursor } from "./rows.ts";

/** Terminates a connection whose session ignores acknowledged cancel requests (internal/silence.ts). */
function deaf(link: Link): void {
  link.kill(new Error("the server acknowledged cancel requests, the cancelled query never answered"));
}

/** True for postgres 4's queries, which cancel themselves (see {@linkcode Query}). */
function cancelsItself(q: Query): boolean {
  return !("canceller" in q);
}

/** Keeps a cancel's promise, so a reset can wait until the server has acted on it. */
function keep(link: Link, sent: Promise<unknown>): void {
  const done = sent.then(() => {}, () => {});
  link.cancels.add(done);
  void done.then(() => link.cancels.delete(done));
}

/** The first delay between two cancel requests for one query; it doubles up to {@linkcode MAX_BACKOFF}. */
const BACKOFF = 50;
const MAX_BACKOFF = 1000;

/** Passed to a query's reject to answer its caller now while the driver still has it. */
export const EARLY: unique symbol = Symbol("answer early");

/** The reason an aborted binding's queries reject with. */
export function reasonOf(b: Binding): unknown {
  return b.signal?.aborted ? abortReasonOf(b.signal) : new Error(`Cannot finish the query as ${b.closed}`);
}

// --- postgres 3: the pipe -------------------------------------------------

/** The pipe of `link`, made from its first tracked query (which carries the driver's handler and canceller). */
export function pipeOf(link: Link, q: Query): Pipe {
  return link.pipe ??= {
    handler: q.handler!,
    canceller: q.canceller ?? undefined,
    fence: undefined,
    held: [],
    aborted: new Set(),
    requesting: false,
    epoch: 0,
    attempts: 0,
    since: 0,
    timer: undefined,
    grace: undefined,
    calm: undefined,
    acks: { count: 0, first: 0 },
  };
}

/**
 * Every tracked postgres 3 query reaches the connection through here (it
 * replaces the query's `handler`): dropped if its binding aborted or
 * closed, held while a fence stands, else written.
 */
export function gate(this: unknown, q: Query): void {
  const b = q.binding!;
  if (q.stopped) return;
  if (b.signal?.aborted || b.closed) return void q.reject(reasonOf(b));
  if (q.cursorFn && !q.dense) denseCursor(q);
  const pipe = b.link.pipe!;
  if (pipe.fence !== undefined) pipe.held.push(q);
  else pipe.handler(q);
}

/** The driver is done with `q` (answered, failed or dropped): forget it, and let the pipe move on. */
export function stopped(q: Query): void {
  if (q.stopped) return;
  q.stopped = true;
  const b = q.binding!;
  finish(b, q);
  const link = b.link;
  const pipe = link.pipe;
  if (pipe === undefined) return;
  const mine = pipe.aborted.delete(q);
  // The driver marks the next query active after this one's answer: look then.
  if (pipe.fence === q) queueMicrotask(() => pipe.fence === q && !pipe.requesting && lift(link, pipe));
  else if (mine || pipe.aborted.size > 0) queueMicrotask(() => pump(link));
}

/** The fence falls: held queries are written (or dropped), and the next aborted query's turn is looked at. */
function lift(link: Link, pipe: Pipe): void {
  pipe.fence = undefined;
  clearCountedTimeout(pipe.timer);
  clearCountedTimeout(pipe.grace);
  pipe.timer = pipe.grace = undefined;
  pump(link);
  const held = pipe.held;
  if (held.length === 0) return;
  pipe.held = [];
  // A fence raised by pump() or while writing these holds the rest again.
  for (const q of held) gate(q);
}

/** Sends a cancel request for the aborted query the server runs now, unless one is in flight or waiting out its backoff. */
function pump(link: Link): void {
  const pipe = link.pipe!;
  if (pipe.requesting || pipe.timer !== undefined) return;
  let target: Query | undefined;
  for (const q of pipe.aborted) {
    if (q.active && !q.stopped) {
      target = q;
      break;
    }
  }
  if (target === undefined) {
    if (pipe.fence === undefined && pipe.aborted.size === 0) calm(pipe);
    return; // the others wait for their turn: each stop looks again
  }
  if (pipe.fence !== target) {
    pipe.fence = target;
    pipe.attempts = 0;
    pipe.acks.count = 0;
    pipe.since = performance.now();
    clearCountedTimeout(pipe.grace);
    const stuck = target;
    pipe.grace = countedTimeout(() => {
      pipe.grace = undefined;
      if (!stuck.stopped) {
        link.kill(new Error(`a cancelled query did not stop within ${link.cancelGrace} ms`));
      } else if (pipe.fence === stuck) {
        // The query stopped but its request went unanswered (a hung network
        // path to the server): the queries held meanwhile go on. Should the
        // request land after all, the queries tracked before now count as
        // at risk (the epoch moves), and one it stops is sent again.
        pipe.epoch++;
        pipe.requesting = false;
        lift(link, pipe);
      }
    }, link.cancelGrace);
  }
  request(link, pipe, target);
}

/** One cancel request for `target`; when it is done, the fence falls if `target` stopped, else another follows after a backoff. */
function request(link: Link, pipe: Pipe, target: Query): void {
  pipe.requesting = true;
  const epoch = ++pipe.epoch;
  const attempt = pipe.attempts++;
  // The reset after this lease must run a round trip.
  link.dirty = true;
  let sent: Promise<void>;
  try {
    sent = Promise.resolve(pipe.canceller?.({ state: target.state, active: true } as unknown as Query));
  } catch {
    sent = Promise.resolve(); // the connection is gone: nothing to cancel
  }
  const done = (acked: boolean) => {
    if (pipe.epoch !== epoch) return; // given up on at the grace (see pump)
    pipe.requesting = false;
    if (target.stopped || link.lost) {
      if (pipe.fence === target) lift(link, pipe);
      else pump(link);
      return;
    }
    if (acked && acknowledged(pipe.acks)) return deaf(link);
    pipe.timer = countedTimeout(() => {
      pipe.timer = undefined;
      pump(link);
    }, Math.min(BACKOFF * 2 ** attempt, MAX_BACKOFF));
  };
  sent.then(() => done(true), () => done(false));
}

/** Opens the wait a reset does on `link.cancels` while aborted queries have not stopped. */
function unrest(link: Link, pipe: Pipe): void {
  if (pipe.calm) return;
  keep(link, new Promise<void>((resolve) => pipe.calm = resolve));
}

function calm(pipe: Pipe): void {
  const resolve = pipe.calm;
  pipe.calm = undefined;
  resolve?.();
}

/** postgres 3: answers the binding's queries now and cancels, on the connection, those the server has. */
function abortPiped(binding: Binding): void {
  const link = binding.link;
  const pipe = link.pipe!;
  const reason = reasonOf(binding);
  for (const q of [...binding.inflight!]) {
    if (q.stopped) continue;
    if (!q.executed) continue; // not started: the gate drops it when it is
    if (!q.state) {
      // Not handed to the connection: held here, or in the driver's queue.
      const i = pipe.held.indexOf(q);
      if (i !== -1) {
        pipe.held.splice(i, 1);
        q.reject(reason);
      } else if (pipe.canceller) {
        // The driver takes it out of its queue and rejects it (mapped to the reason).
        void pipe.canceller(q).catch(() => {});
      } else q.reject(reason);
      continue;
    }
    if (!q.cursorFn) {
      unrest(link, pipe);
      pipe.aborted.add(q);
      q.reject(EARLY);
    } else {
      // A cursor's reader is answered by its own iterator: cancel it on the server.
      unrest(link, pipe);
      pipe.aborted.add(q);
    }
  }
  sweep(binding);
  pump(link);
}

// --- postgres 4 -------------------------------------------------------------

/** postgres 4: when a binding of a connection last asked the driver to cancel (performance.now()). */
const asked = new WeakMap<Link, number>();

/**
 * postgres 4: true while a cancel request of ours may still land on the
 * connection — the driver sends them itself too, when a cancelled query's
 * turn comes — so a neighbour's query it stopped can be told apart: until
 * `cancelGrace` after the last time a binding of it asked.
 */
export function cancelling(link: Link): boolean {
  const at = asked.get(link);
  return at !== undefined && performance.now() - at < link.cancelGrace;
}

/**
 * Asks the driver to cancel each query of ours that has not settled. It
 * drops a queued one, stops a pipelined one before it runs (or when its
 * turn comes), and sends the protocol's cancel request for the running one.
 * Only a running query's request is kept for the reset to wait on: a
 * waiting query's promise is replaced by the driver at the next call and
 * may never settle.
 */
function cancelOwn(binding: Binding): void {
  const link = binding.link;
  asked.set(link, performance.now());
  for (const q of binding.inflight!) {
    const settled = (q as { settled?: boolean }).settled;
    if (settled) continue;
    const active = q.active;
    // One request in flight for the running query (a network that swallows them gets no storm).
    if (active && binding.asking) continue;
    // The second request goes `SPAN_MS` after the first acknowledgement at the soonest (silence.ts): sent
    // sooner, its acknowledgement proves nothing more, and a third request (a third connection) would follow.
    const acks = binding.acks;
    if (active && acks !== undefined && acks.count === 1 && performance.now() - acks.first < SPAN_MS) continue;
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(q.cancel());
    } catch {
      continue;
    }
    if (active) {
      binding.asking = true;
      const over = () => void (binding.asking = false);
      sent.then(over, over);
      keep(binding.link, sent);
      const counted = binding.acks ??= { count: 0, first: 0 };
      sent.then(() => {
        const settled = (q as { settled?: boolean }).settled;
        if (!settled && binding.inflight?.has(q) && acknowledged(counted)) deaf(binding.link);
      }, () => {});
    } else sent.catch(() => {});
  }
}

/**
 * postgres 4: asks again, with backoff, until every query has settled; a
 * request that lands while the server is between two queries is ignored.
 * After `cancelGrace` the connection is terminated.
 */
function nudge(binding: Binding, started: number, attempt: number): void {
  binding.timer = countedTimeout(() => {
    binding.timer = undefined;
    if (!binding.inflight?.size) return;
    cancelOwn(binding);
    sweep(binding);
    if (!binding.inflight.size) return;
    if (performance.now() - started < binding.link.cancelGrace) return nudge(binding, started, attempt + 1);
    binding.link.kill(new Error(`a cancelled query did not stop within ${binding.link.cancelGrace} ms`));
  }, Math.min(BACKOFF * 2 ** attempt, MAX_BACKOFF));
}

// --- both -------------------------------------------------------------------

/** Forgets a query that has stopped; the last one ends the wait for the signal. */
export function finish(binding: Binding, q: Query): void {
  const inflight = binding.inflight!;
  if (!inflight.delete(q) || inflight.size > 0) return;
  binding.aborting = false;
  binding.acks = undefined;
  const watch = binding.quiet;
  if (watch !== undefined) {
    binding.quiet = undefined;
    watch.bindings.delete(binding);
    if (watch.bindings.size === 0) watch.end();
  }
  clearCountedTimeout(binding.timer);
  binding.timer = undefined;
}

/**
 * Forgets the queries of ours that finished without settling their promise
 * (a cursor read to its end replaces the driver's resolvers): postgres 4
 * marks them `settled`; postgres 3 leaves them sent and no longer active.
 */
function sweep(binding: Binding): void {
  for (const q of [...binding.inflight!]) {
    if (cancelsItself(q)) {
      if ((q as { settled?: boolean }).settled) finish(binding, q);
    } else if (q.executed && q.state && !q.active && !q.stopped && q.cursorFn) {
      q.stopped = true;
      finish(binding, q);
      const pipe = binding.link.pipe;
      if (pipe?.aborted.delete(q) && pipe.fence === q && !pipe.requesting) lift(binding.link, pipe);
    }
  }
}

/** Cancels every query of the binding: its signal aborted, or it was closed with queries still running. */
export function abortAll(binding: Binding): void {
  const { inflight } = binding;
  if (!inflight?.size || binding.aborting) return;
  binding.aborting = true;
  const first = inflight.values().next().value!;
  if (!cancelsItself(first)) return abortPiped(binding);
  // The cancel marks the session for a reset, which queues behind the
  // cancelled queries: they have all stopped before the next borrower.
  binding.link.dirty = true;
  cancelOwn(binding);
  // Answer the callers now (the driver's own rejection comes later and changes nothing).
  const reason = reasonOf(binding);
  for (const q of inflight) {
    const p4 = q as unknown as { settled?: boolean; fail?: (e: unknown) => void };
    if (!p4.settled) p4.fail?.(reason);
  }
  sweep(binding);
  if (inflight.size) nudge(binding, performance.now(), 0);
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
