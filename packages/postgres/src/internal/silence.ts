// Telling a dead session from a slow one without waiting out a grace.
//
// A peer that vanished (no FIN, no RST) looks like a slow server: nothing
// comes back. The protocol's cancel request tells them apart. It goes on a
// new connection, and the server closes that connection once it has passed
// the request on (the acknowledgement). A backend running the statement
// stops it within milliseconds and answers; a backend the statement never
// reached (the session's connection is dead) is idle, ignores the request,
// and nothing comes back. A request can also land before the backend has
// read the statement (it is then ignored too), so one acknowledgement proves
// nothing: only `ACKS` acknowledged requests over at least `SPAN_MS`, with
// the statement still unanswered, mark the session dead.

import { clearCountedTimeout, type CountedTimeout, countedTimeout } from "@corral/core";
import type { Acks, Query } from "./binding.ts";

/** How many acknowledged cancel requests, with the statement still unanswered, mark a session dead. */
export const ACKS = 2;
/** …over at least this long (ms) from the first acknowledgement. */
export const SPAN_MS = 50;

/** One more acknowledged request; true when the session now counts as dead. */
export function acknowledged(acks: Acks): boolean {
  const now = performance.now();
  if (acks.count++ === 0) acks.first = now;
  return acks.count >= ACKS && now - acks.first >= SPAN_MS;
}

/** How long a statement the driver runs itself (a ping, a reset) may stay unanswered before it is probed. */
export const PROBE_AFTER = 200;
const BACKOFF = 50;
/** The most cancel requests one probe sends (no storm on a network that swallows them). */
const MAX_REQUESTS = ACKS + 1;

/**
 * Probes a statement the driver runs on its own (a ping, a reset, which no
 * caller's signal bounds), once it has gone unanswered for
 * {@linkcode PROBE_AFTER} ms: a cancel request, again with backoff, at most
 * {@linkcode MAX_REQUESTS}; `dead` is called once the server has
 * acknowledged enough of them (see {@linkcode acknowledged}) while the
 * statement still has not answered. Returns the function that stops it.
 */
export function probe(q: Query, dead: () => void): () => void {
  // postgres 3 forgets its canceller after the first cancel(): keep it and call it directly.
  const canceller = q.canceller ?? undefined;
  const acks: Acks = { count: 0, first: 0 };
  let timer: CountedTimeout | undefined;
  let stopped = false;
  let sent = 0;
  const send = () => {
    timer = undefined;
    if (stopped || sent >= MAX_REQUESTS) return;
    let request: Promise<unknown>;
    try {
      if (canceller) {
        if (!q.state || !q.active) return again();
        request = Promise.resolve(canceller({ state: q.state, active: true } as unknown as Query));
      } else request = Promise.resolve(q.cancel());
    } catch {
      return;
    }
    sent++;
    request.then(() => {
      if (stopped) return;
      if (acknowledged(acks)) return dead();
      again();
    }, () => {}); // unacknowledged: the path to the server is broken too, and more requests prove nothing
  };
  const again = () => {
    if (!stopped) timer = countedTimeout(send, BACKOFF * 2 ** sent);
  };
  send();
  return () => {
    stopped = true;
    clearCountedTimeout(timer);
    timer = undefined;
  };
}
