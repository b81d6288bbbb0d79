/**
 * `LISTEN` as an async iterator (asyncpg's `add_listener`): a dedicated
 * connection that yields each notification and ends when its scope is
 * cancelled.
 *
 * @module
 */

import { abortReasonOf, currentSignal, describeValue, shield } from "@corral/core";
import { bindingFor } from "./internal/tx.ts";
import { type Notification, PostgresConnection } from "./connection.ts";
import { onAbort } from "@corral/core";
import { isPool, type PostgresLeaseLike, type PostgresPoolLike } from "./transaction.ts";

export type { Notification };

/** Options for {@linkcode listen}. */
export interface ListenOptions {
  /** The iteration ends (normally) when this aborts. Default: the ambient signal. */
  signal?: AbortSignal;
}

function checkChannels(channels: unknown): string[] {
  const list = typeof channels === "string" ? [channels] : channels;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === "string" && c.length > 0)) {
    throw new TypeError(
      `Cannot listen as 'channels' must be a channel name or a non-empty array of them: received ${
        describeValue(channels)
      }`,
    );
  }
  return list;
}

async function* iterate(
  target: PostgresPoolLike | PostgresConnection,
  channels: string[],
  signal: AbortSignal | undefined,
): AsyncGenerator<Notification, void, undefined> {
  if (signal?.aborted) return;
  let lease: PostgresLeaseLike | undefined;
  try {
    lease = isPool(target) ? await target.acquire({ signal }) : undefined;
  } catch (error) {
    if (signal?.aborted && error === abortReasonOf(signal)) return;
    throw error;
  }
  const sql = lease ? lease.resource : (target as PostgresConnection).sql;
  const conn = bindingFor("listen", sql).link as PostgresConnection;
  const queue: (Notification | Error)[] = [];
  let wake: (() => void) | undefined;
  const want = new Set(channels);
  const unsubscribe = conn.onNotification((n) => {
    if (n instanceof Error || want.has(n.channel)) {
      queue.push(n);
      wake?.();
    }
  });
  const unlisten = signal && onAbort(signal, () => wake?.());
  try {
    for (const channel of channels) await sql`listen ${sql(channel)}`;
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next instanceof Error) throw next;
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => wake = resolve);
      wake = undefined;
    }
  } catch (error) {
    // Cancellation ends the iteration; it is not an error of the consumer's loop.
    if (!(signal?.aborted && error === abortReasonOf(signal))) throw error;
  } finally {
    unlisten?.();
    unsubscribe();
    if (lease) await lease.release(); // the pool's reset unlistens
    else if (!conn.broken) {
      // Shielded from the cancellation that may have ended the loop, and
      // bounded: past resetTimeout the statement is cancelled and the
      // connection, still listening for all we know, is terminated.
      await shield(async (s) => {
        const sql = conn.bind(s);
        for (const channel of channels) await sql`unlisten ${sql(channel)}`;
      }, { timeout: conn.resetTimeout }).catch((error) => {
        conn.kill(error instanceof Error ? error : new Error(String(error)));
      });
    }
  }
}

/**
 * Listens on one or more channels and yields each notification, in order.
 * Given a pool, it borrows a dedicated connection for as long as the
 * iteration runs and gives it back (unlistened) when the loop ends — by
 * `break`, by an error, or by cancellation. When `signal` aborts, the
 * iteration simply ends. A connection lost meanwhile throws
 * `ConnectionLostError` from the loop.
 *
 * @param target a pool (borrows a connection) or a dedicated connection
 * @param channels one channel name or several
 * @param options the signal that ends the iteration
 * @returns an async iterator of notifications
 * @throws {TypeError} for bad channels (at the call)
 * @example Handle notifications until the scope is cancelled
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope } from "@corral/core";
 * import { createPostgresPool, listen } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 2 });
 * const scope = new CancelScope({ timeout: 10_000 });
 * const seen: string[] = [];
 * const sending = setInterval(() => pool.use((sql) => sql.notify("jobs", "job 1")).catch(() => {}), 20);
 * for await (const { payload } of listen(pool, "jobs", { signal: scope.signal })) {
 *   seen.push(payload);
 *   scope.cancel(); // or let the timeout end the loop
 * }
 * clearInterval(sending);
 * scope[Symbol.dispose]();
 * assert(seen[0] === "job 1");
 * ```
 */
export function listen(
  target: PostgresPoolLike | PostgresConnection,
  channels: string | readonly string[],
  options?: ListenOptions,
): AsyncGenerator<Notification, void, undefined> {
  const list = checkChannels(channels);
  if (!isPool(target) && !(target instanceof PostgresConnection)) {
    throw new TypeError("Cannot listen as 'target' must be a pool from createPostgresPool or a connection");
  }
  return iterate(target, list, options?.signal ?? currentSignal());
}
