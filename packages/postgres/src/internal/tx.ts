// One transaction (or savepoint) on one connection: begin, commit, roll back.
//
// Depth lives on the connection: a transaction started while another is
// open on the same connection is a savepoint (asyncpg's nesting).

import postgres from "postgres";
import { abortable, abortReasonOf, describeValue as describe, onAbort, shield } from "@corral/core";
import { type Binding, binding as makeBinding } from "./binding.ts";
import { closeBinding } from "./cancel.ts";
import { bindingOf, bindSql } from "./query-function.ts";
import type { PgSql, PostgresConnection } from "../connection.ts";
import { checkTimer } from "../options.ts";

/** The isolation levels PostgreSQL accepts. */
export type Isolation = "read uncommitted" | "read committed" | "repeatable read" | "serializable";

const ISOLATION: ReadonlySet<string> = new Set([
  "read uncommitted",
  "read committed",
  "repeatable read",
  "serializable",
]);

/** Options for a transaction. */
export interface TxOptions {
  isolation?: Isolation;
  readOnly?: boolean;
  deferrable?: boolean;
  signal?: AbortSignal;
  /** How long the rollback may take after a cancellation, in ms. Default: 5000. */
  grace?: number;
}

const depths = new WeakMap<PostgresConnection, number>();

/** Validates transaction options (at the call, before anything is sent). */
export function checkTxOptions(what: string, options: TxOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describe(options)}`);
  }
  const { isolation, readOnly, deferrable, grace } = options;
  if (isolation !== undefined && !ISOLATION.has(isolation)) {
    throw new RangeError(
      `Cannot ${what} as 'isolation' must be "read uncommitted", "read committed", "repeatable read" or "serializable": received ${
        describe(isolation)
      }`,
    );
  }
  for (const [name, value] of [["readOnly", readOnly], ["deferrable", deferrable]] as const) {
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`Cannot ${what} as '${name}' must be a boolean: received ${describe(value)}`);
    }
  }
  // A bounded grace period: the rollback of a cancelled body must not hang.
  if (grace !== undefined) checkTimer(what, "grace", grace);
}

/** The binding of a query function made by corral, or a TypeError. */
export function bindingFor(what: string, sql: unknown): Binding {
  const b = bindingOf(sql);
  if (!b) {
    throw new TypeError(
      `Cannot ${what} as the target must be a pool, a lease, a connection or a query function from @corral/postgres: received ${
        describe(sql)
      }`,
    );
  }
  return b;
}

function beginSql(options: TxOptions | undefined): string {
  let text = "begin";
  if (options?.isolation) text += ` isolation level ${options.isolation}`;
  if (options?.readOnly !== undefined) text += options.readOnly ? " read only" : " read write";
  if (options?.deferrable !== undefined) text += options.deferrable ? " deferrable" : " not deferrable";
  return text;
}

/** An open transaction or savepoint. */
export interface Tx {
  /** The query function for the body (it obeys the transaction's signal). */
  readonly sql: PgSql;
  readonly signal: AbortSignal | undefined;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * Begins a transaction (or a savepoint when one is open) on the connection
 * behind `outer`. The statement obeys the signal: a cancelled begin rejects
 * with the signal's reason and leaves nothing open.
 */
export async function begin(outer: Binding, options: TxOptions | undefined): Promise<Tx> {
  const conn = outer.link as PostgresConnection;
  const signal = options?.signal ?? outer.signal;
  if (signal?.aborted) throw abortReasonOf(signal);
  if (outer.closed) throw new Error(`Cannot begin a transaction as ${outer.closed}`);
  const own = signal === outer.signal ? undefined : makeBinding(conn, signal);
  const sql = bindSql(own ?? outer);
  const depth = depths.get(conn) ?? 0;
  const name = `corral_savepoint_${depth}`;
  try {
    await sql.unsafe(depth === 0 ? beginSql(options) : `savepoint ${name}`);
  } catch (error) {
    if (own) closeBinding(own, "its transaction has ended");
    throw error;
  }
  depths.set(conn, depth + 1);
  const grace = options?.grace ?? 5000;
  let ended = false;
  const end = () => {
    if (ended) throw new Error("Cannot end a transaction twice");
    ended = true;
    depths.set(conn, depth);
    if (own) closeBinding(own, "its transaction has ended");
  };
  return {
    sql,
    signal,
    async commit() {
      end();
      // The body completed: commit even if a cancellation arrived meanwhile
      // (corral returns a completed body's value), within the grace period.
      const committing = shield(
        (s) => conn.bind(s).unsafe(depth === 0 ? "commit" : `release savepoint ${name}`),
        { timeout: grace },
      ).catch((error) => {
        // A server error (a serialization failure …) ended the transaction
        // and left the session usable; anything else leaves it unknown.
        // Recognised by its class, never by its name: a lookalike is not one.
        if (!(error instanceof postgres.PostgresError)) {
          conn.kill(error instanceof Error ? error : new Error(String(error)));
        }
        throw error;
      });
      const result = signal === undefined || signal.aborted
        ? await committing
        : await byDeadline(committing, signal, conn);
      if (depth === 0 && (result as { command?: string }).command === "ROLLBACK") {
        throw new Error(
          "the transaction was rolled back, not committed: a statement in it failed and the body went on",
        );
      }
    },
    async rollback() {
      end();
      try {
        await shield(async (s) => {
          const text = depth === 0 ? "rollback" : `rollback to savepoint ${name}; release savepoint ${name}`;
          // A cancel request meant for the body's last query can stop the
          // rollback instead (see PostgresConnection.reset): try again.
          for (let attempt = 1;; attempt++) {
            // Cancel requests travel on sockets of their own, which a hung
            // server or network never closes: wait for them within the grace only.
            if (conn.cancels.size) await abortable(Promise.all(conn.cancels), { signal: s });
            try {
              await conn.bind(s).unsafe(text);
              return;
            } catch (error) {
              if ((error as { code?: string }).code !== "57014" || attempt === 3 || s.aborted) throw error;
            }
          }
        }, { timeout: grace });
      } catch (error) {
        // A session that cannot roll back is ended: the server then rolls
        // the transaction back itself, and the pool destroys the connection.
        conn.kill(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/**
 * The commit's reply, or the caller's deadline: a commit sent while the
 * deadline held and still unanswered when it passes (a silent network) ends
 * the session — the caller gets the signal's reason at once, and whether the
 * transaction was applied is unknown, as after any lost connection.
 */
async function byDeadline<T>(committing: Promise<T>, signal: AbortSignal, conn: PostgresConnection): Promise<T> {
  const stop = onAbort(signal, () => conn.kill(new Error("the commit was not answered by the caller's deadline")));
  try {
    return await committing;
  } catch (error) {
    throw signal.aborted ? abortReasonOf(signal) : error;
  } finally {
    stop();
  }
}
