/**
 * One dedicated PostgreSQL connection (what asyncpg's `connect()` returns): a `postgres`
 * query function bound to a single server session that is never silently
 * reopened, whose queries can be tied to an `AbortSignal` so that
 * cancellation reaches the server.
 *
 * @module
 */

import type postgres from "postgres";
import { type Binding, binding, type Pipe } from "./internal/binding.ts";
import { closeBinding } from "./internal/cancel.ts";
import { bindSql } from "./internal/query-function.ts";
import { RESET_SQL } from "./internal/session.ts";
import { probe, PROBE_AFTER } from "./internal/silence.ts";
import type { Query } from "./internal/binding.ts";
import { clearCountedTimeout, type CountedTimeout, countedTimeout } from "@corral/core";
import { ConnectionLostError } from "./errors.ts";
import type { ResolvedConnectionOptions } from "./options.ts";

/**
 * The query function a connection hands out: the `postgres` package's `sql`
 * (tagged templates, `sql.unsafe`, `sql(identifier)`, `sql.json`, …) bound
 * to one connection. Transactions go through corral's `transaction()`.
 */
export type PgSql = postgres.ISql;

/** A notification received on a connection that is listening. */
export interface Notification {
  /** The channel it was sent on. */
  channel: string;
  /** Its payload (`""` when none). */
  payload: string;
}

function bounded<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: CountedTimeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = countedTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearCountedTimeout(timer));
}

/**
 * One server connection. Open it with {@linkcode connect}; a pool from
 * `createPostgresPool` makes these for you. Queries through {@linkcode sql}
 * obey no signal; {@linkcode bind} gives a query function whose queries are
 * cancelled on the server when the signal aborts.
 */
export class PostgresConnection implements AsyncDisposable {
  /** @internal The `postgres` instance (max 1) behind this connection. */
  readonly raw: postgres.Sql;
  /** The server's process id for this session (`pg_backend_pid()`). */
  readonly pid: number;
  /** @internal */
  dirty = false;
  /** @internal */
  readonly cancels: Set<Promise<void>> = new Set();
  /** @internal */
  readonly cancelGrace: number;
  /** @internal */
  readonly traceStatements: boolean;
  /** @internal Its pipeline's cancellation state (internal/cancel.ts). */
  pipe: Pipe | undefined = undefined;
  /** Queries through this function obey no signal (asyncpg's plain `conn.fetch`). */
  readonly sql: PgSql;
  #options: ResolvedConnectionOptions;
  #lost: Error | undefined;
  #closed = false;
  #listeners = new Set<(n: Notification | Error) => void>();
  #ended: Promise<void> | undefined;

  /** @internal Use {@linkcode connect}. */
  constructor(raw: postgres.Sql, pid: number, options: ResolvedConnectionOptions) {
    this.raw = raw;
    this.pid = pid;
    this.#options = options;
    this.cancelGrace = options.cancelGrace;
    this.traceStatements = options.traceStatements;
    this.sql = bindSql(binding(this, undefined));
  }

  /** @internal How long a reset, a check or a teardown statement may take (ms). */
  get resetTimeout(): number {
    return this.#options.resetTimeout;
  }

  /** @internal The error that makes queries on this connection fail at once, if any. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  /** True once the connection was lost, terminated or closed: it can run no more queries. */
  get broken(): boolean {
    return this.#lost !== undefined;
  }

  /**
   * A query function on this connection whose queries obey `signal`: when it
   * aborts during a query, the cancel request goes to the server and the
   * query rejects with `signal.reason`.
   *
   * @param signal the signal the queries obey
   * @returns the bound query function
   * @example Cancel a slow query from a deadline
   * ```ts
   * import assert from "node:assert/strict";
   * import { moveOnAfter } from "@corral/core";
   * import { connect } from "@corral/postgres";
   * await using conn = await connect();
   * const rows = await moveOnAfter(100, (signal) => conn.bind(signal)`select pg_sleep(10)`);
   * assert(rows === undefined); // the server stopped the sleep after 100 ms
   * await conn.reset();
   * ```
   */
  bind(signal: AbortSignal): PgSql {
    return bindSql(binding(this, signal));
  }

  /** @internal A binding that a lease closes when it ends. */
  lease(signal: AbortSignal | undefined): { binding: Binding; sql: PgSql } {
    const b = binding(this, signal);
    return { binding: b, sql: bindSql(b) };
  }

  /** @internal Ends a lease's binding; queries still running are cancelled. */
  endLease(b: Binding): void {
    if (closeBinding(b, "its lease has ended")) this.dirty = true;
  }

  /** @internal */
  lostError(cause?: unknown): Error {
    if (this.#closed) return new Error("Cannot run a query as the connection is closed", { cause });
    return cause instanceof ConnectionLostError ? cause : new ConnectionLostError(this.pid, { cause });
  }

  /** @internal Called by the driver when the socket closes, or by a query that saw it fail first. */
  onClose(cause?: unknown): void {
    if (this.#lost) return;
    this.#lost = this.lostError(cause);
    // Stop the driver from reopening a session for queued queries.
    this.#end(0);
    for (const listener of this.#listeners) listener(this.#lost);
  }

  /** @internal Called by the driver for each NOTIFY. */
  onNotify(channel: string, payload: string): void {
    for (const listener of this.#listeners) listener({ channel, payload });
  }

  /** @internal Subscribes to notifications (and to the loss of the connection, as an Error); returns the unsubscribe function. */
  onNotification(listener: (n: Notification | Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal */
  kill(reason: Error): void {
    this.#lost ??= new ConnectionLostError(this.pid, { cause: reason });
    this.#end(0);
  }

  #end(timeout: number | null): Promise<void> {
    return this.#ended ??= this.raw.end({ timeout: timeout as number }).catch(() => {});
  }

  /** @internal True when a release must go through {@linkcode reset} (else it is clean, or lost). */
  get needsReset(): boolean {
    return this.#lost !== undefined || this.dirty || this.cancels.size > 0 || this.#options.sessionReset === "always";
  }

  /**
   * Restores a clean session when one of its queries may have changed it
   * (see `sessionReset`): rolls back an open transaction, closes cursors,
   * unlistens, releases advisory locks, resets settings and drops temporary
   * tables. Waits first for cancel requests still on their way.
   *
   * @param options `always` resets even a session that looks clean
   * @returns once the session is clean
   * @throws {ConnectionLostError} when the connection is lost, or the reset fails or times out (it is then terminated)
   */
  async reset(options?: { always?: boolean }): Promise<void> {
    if (this.#lost) throw this.#lost;
    const { resetTimeout, sessionReset } = this.#options;
    const fail = (cause: unknown): never => {
      this.kill(cause instanceof Error ? cause : new Error(String(cause)));
      throw this.lostError(cause);
    };
    const settled = () =>
      this.cancels.size === 0 ? undefined : bounded(
        Promise.all(this.cancels),
        this.cancelGrace,
        () => new Error("a cancel request went unanswered"),
      ).catch(fail);
    await settled();
    if (!this.dirty && sessionReset !== "always" && !options?.always) return;
    // A cancel request that arrives after the query it was meant for has
    // stopped cancels the next statement: the reset. The reset is
    // idempotent, so it is tried again (a request stops one statement).
    for (let attempt = 1;; attempt++) {
      try {
        await this.#probed(this.raw.unsafe(RESET_SQL), resetTimeout, "the reset timed out");
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "57014" || attempt === 3 || this.#lost) fail(error);
      }
      await settled();
    }
    // Requests still on their way must reach the server before the next
    // borrower's first query does.
    await settled();
    this.dirty = false;
  }

  /**
   * Checks the connection is alive with `select 1`.
   *
   * @returns true when the server answered within `resetTimeout`
   */
  async ping(): Promise<boolean> {
    if (this.#lost) return false;
    try {
      await this.#probed(this.raw`select 1`, this.#options.resetTimeout, "no answer");
      return true;
    } catch (error) {
      // Cancelled by its probe: the server is there.
      return (error as { code?: unknown }).code === "57014" && !this.#lost;
    }
  }

  /**
   * Runs a statement of the driver's own within `ms` (one timer). One left
   * unanswered for `PROBE_AFTER` ms is probed (internal/silence.ts): when
   * the server acknowledges cancel requests for it and the session still
   * says nothing, the session is gone and the connection is terminated.
   */
  #probed(query: postgres.PendingQuery<postgres.Row[]>, ms: number, timedOut: string): Promise<void> {
    let timer: CountedTimeout | undefined;
    let stop: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const late = () => reject(new Error(timedOut));
      if (ms <= PROBE_AFTER) return void (timer = countedTimeout(late, ms));
      timer = countedTimeout(() => {
        timer = countedTimeout(late, ms - PROBE_AFTER);
        stop = probe(query as unknown as Query, () => this.kill(new Error("the session never answered")));
      }, PROBE_AFTER);
    });
    return Promise.race([query.then(() => {}), timeout]).finally(() => {
      clearCountedTimeout(timer);
      stop?.();
    });
  }

  /**
   * Closes the connection: waits for queries already sent (up to `timeout`
   * ms, default unlimited), then ends the session.
   *
   * @param options how long queries in flight may take
   * @returns once the socket is closed
   */
  close(options?: { timeout?: number }): Promise<void> {
    this.#closed = true;
    this.#lost ??= this.lostError();
    const ms = options?.timeout;
    return this.#end(ms === undefined || ms === Infinity ? null : Math.max(0, ms) / 1000);
  }

  /** Terminates the connection at once; queries in flight fail. */
  terminate(): Promise<void> {
    this.#closed = true;
    this.#lost ??= this.lostError();
    return this.#end(0);
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
