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
};

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
  quiet: (() => void) | undefined;
  /** Repeats the cancel request while the queries of an aborted binding run (counted in diagnostics()). */
  timer: CountedTimeout | undefined;
  /** True from an abort until its queries have all settled. */
  aborting: boolean;
  /** The driver's cancel function (the same for every query of a connection). */
  canceller: ((q: Query) => Promise<void>) | undefined;
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
