// A binding: one connection, the signal its queries obey, and the queries
// in flight through it. A pooled connection keeps one binding for its whole
// life, opened for each lease; cancel.ts says what happens when the signal
// aborts, and query-function.ts makes the query function a binding hands out.

import type postgres from "postgres";
import type { CountedTimeout } from "@corral/core";

/** The `postgres` instance (max 1) behind a connection. */
export type Raw = postgres.Sql;
/**
 * The `postgres` package's Query object: a Promise subclass with driver
 * internals. postgres 3 gives each query its connection's `canceller`;
 * postgres 4 has none and cancels a query through `cancel()` itself (it
 * drops a queued query, waits for a pipelined one's turn, and sends the
 * protocol's cancel request for the running one).
 */
export type Query = postgres.PendingQuery<postgres.Row[]> & {
  canceller?: ((q: Query) => Promise<void>) | null;
  executed?: boolean;
  /** The session's backend key, set when the connection sends the query. */
  state?: unknown;
  /** True while the connection runs it (the driver's flag). */
  active?: boolean;
  reject: (error: unknown) => void;
  resolve: (value: unknown) => void;
  /** postgres 3: the function that hands the query to the connection (corral's gate once tracked). */
  handler?: (q: Query) => void;
  /** The binding that tracks it (postgres 3; set by query-function.ts). */
  binding?: Binding;
  /** The pipe's count of cancel requests when the query was made: a later one may have hit it by mistake. */
  epoch?: number;
  /** True once the driver has finished with it (answered, failed, or dropped it). */
  stopped?: boolean;
  /** True once its caller has been answered early (its signal aborted while the server still ran it). */
  answered?: boolean;
  /** How many times it was sent again after another query's cancel request stopped it by mistake. */
  retries?: number;
  /** True once its cursor callback packs the first chunk (internal/rows.ts). */
  dense?: boolean;
  /** postgres 3's own fields that corral reads. */
  cancelled?: unknown;
  cursorFn?: unknown;
  forEachFn?: unknown;
  onlyDescribe?: boolean;
  tagged?: boolean;
  strings?: readonly string[];
  args?: unknown[];
  options?: Record<string, unknown>;
  isRaw?: unknown;
};

/**
 * A connection's pipeline, as far as cancellation goes (postgres 3): which
 * query a cancel request was sent for, what waits behind it, and the
 * queries whose signal aborted while the server had them. See cancel.ts.
 */
export interface Pipe {
  /** The driver's own handler, that writes a query to the connection. */
  handler: (q: Query) => void;
  /** The driver's cancel function (opens a connection that sends the protocol's cancel request). */
  canceller: ((q: Query) => Promise<void>) | undefined;
  /**
   * The query the last cancel request was sent for, until the request is
   * done and the query has stopped. Meanwhile no query is written: a late
   * request then finds the session idle (and is ignored) instead of
   * stopping a query written after it.
   */
  fence: Query | undefined;
  /** Queries made while the fence stood, written once it falls (in order). */
  held: Query[];
  /** Queries that were sent and whose signal aborted, until the driver is done with them. */
  aborted: Set<Query>;
  /** A cancel request is in flight (never more than one per connection). */
  requesting: boolean;
  /** Cancel requests sent so far. */
  epoch: number;
  /** Requests sent for the current fence (the backoff doubles with each). */
  attempts: number;
  /** When the first request for the current stuck query went out (performance.now()). */
  since: number;
  /** The backoff before the next request. */
  timer: CountedTimeout | undefined;
  /** Terminates the connection when the fenced query has not stopped within `cancelGrace`. */
  grace: CountedTimeout | undefined;
  /** Resolves when no aborted query is left (reset waits on it through `link.cancels`). */
  calm: (() => void) | undefined;
  /** The acknowledged cancel requests for the fenced query (internal/silence.ts). */
  acks: Acks;
}

/** The cancel requests the server acknowledged for one statement still unanswered (internal/silence.ts). */
export interface Acks {
  count: number;
  /** When the first came (performance.now()). */
  first: number;
}

/** What a binding needs from its connection. */
export interface Link {
  readonly raw: Raw;
  readonly pid: number;
  /** Set once the connection is lost or being terminated: no query may start. */
  readonly lost: Error | undefined;
  /** Set when a query may have left session state behind. */
  dirty: boolean;
  /** Cancel requests sent and not yet acknowledged; reset waits for them. */
  readonly cancels: Set<Promise<void>>;
  /** How long a cancelled query may take to stop before the connection is terminated. */
  readonly cancelGrace: number;
  /** Whether the query channel's context carries the statement text. */
  readonly traceStatements: boolean;
  /** Terminates the connection (it is marked lost first). */
  kill(reason: Error): void;
  /** The error a query on a lost connection gets. */
  lostError(cause?: unknown): Error;
  /** Marks the connection lost (a query saw its socket fail before the driver's close event). */
  onClose(cause?: unknown): void;
  /** Its pipeline's cancellation state (postgres 3), made with its first tracked query. */
  pipe: Pipe | undefined;
}

/**
 * One binding: a connection, the signal its queries obey, and whether it may
 * still be used. A pooled connection keeps one binding for its whole life;
 * each lease opens it with the lease's signal and closes it at the end.
 */
export interface Binding {
  readonly link: Link;
  signal: AbortSignal | undefined;
  /** Why this binding can no longer run queries (its lease ended), or undefined. */
  closed: string | undefined;
  inflight: Set<Query> | undefined;
  /** Ends the wait for the signal's abort (set while queries are in flight). */
  quiet: Watch | undefined;
  /** Repeats the cancel request while the queries of an aborted binding run (counted in diagnostics()). */
  timer: CountedTimeout | undefined;
  /** True from an abort until its queries have all settled. */
  aborting: boolean;
  /** The driver's cancel function (the same for every query of a connection). */
  canceller: ((q: Query) => Promise<void>) | undefined;
  /** postgres 4: the acknowledged cancel requests for its running query since the abort (internal/silence.ts). */
  acks?: Acks | undefined;
  /** postgres 4: a cancel request for its running query is in flight. */
  asking?: boolean;
}

/**
 * The one wait for a signal's abort that all bindings with queries in
 * flight on that signal share (one per signal, not one per query: a pool's
 * queries often share their caller's signal). It ends when the last of
 * them has no query in flight.
 */
export interface Watch {
  readonly bindings: Set<Binding>;
  /** Ends the wait (the signal is no longer heard). */
  readonly end: () => void;
}

/** A binding of `link` to `signal` (or to none). */
export function binding(link: Link, signal: AbortSignal | undefined): Binding {
  return {
    link,
    signal,
    closed: undefined,
    inflight: undefined,
    quiet: undefined,
    timer: undefined,
    aborting: false,
    canceller: undefined,
  };
}

/** Opens a (pooled) binding for a new lease whose queries obey `signal`. */
export function openBinding(b: Binding, signal: AbortSignal | undefined): void {
  b.closed = undefined;
  b.signal = signal;
}
