/**
 * Optimistic transactions: `WATCH` the keys, read, queue writes in `MULTI`,
 * `EXEC` — and start over when a watched key changed meanwhile. redis-py's
 * `r.transaction(func, *watches)`.
 *
 * @module
 */

import { abortReasonOf, currentSignal, onAbort, shield } from "@corral/core";
import { WatchError } from "redis";
import type { RedisClient, RedisConnection } from "./connection.ts";
import { checkInt, checkOptions, checkSignal, checkTimerMs } from "./internal/check.ts";

/** Anything whose `exec()` commits queued commands: what `client.multi()` returns. */
export interface Executable<R> {
  /** Sends `MULTI`, the queued commands and `EXEC`. */
  exec(): Promise<R>;
}

/** A pool of connections, as `createRedisPool` returns (only `use` is needed). */
export interface ConnectionSource {
  /** Runs `fn` with a leased connection and releases it afterwards. */
  use<T>(
    fn: (connection: RedisConnection, signal: AbortSignal) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
}

/** Options for {@linkcode transaction}. */
export interface TransactionOptions {
  /** Keys to `WATCH` before each attempt; a change to any of them restarts the attempt. */
  watch?: string | string[];
  /** How many times to start over after a conflict before the `WatchError` propagates. Default 10. */
  retries?: number;
  /**
   * Cancels between steps; once `EXEC` is sent, an abort destroys the
   * connection (the caller gets the reason at once, and whether the
   * transaction was applied is unknown, as after any lost connection).
   * Defaults to the ambient `currentSignal()`.
   */
  signal?: AbortSignal;
  /**
   * How long the `UNWATCH` after a failed, cancelled or abandoned attempt may
   * take, in ms (0 to 2^31 − 1); past it the connection is destroyed. Default 5000.
   */
  grace?: number;
}

/**
 * What a transaction body does: read through `client` (the keys are
 * watched), then return `client.multi()` with the writes queued — or
 * `undefined` to give up without writing.
 */
export type TransactionBody<R> = (
  client: RedisClient,
  signal: AbortSignal | undefined,
) => Promise<Executable<R> | undefined> | Executable<R> | undefined;

const WHAT = "run transaction";

/**
 * `UNWATCH`, as cleanup: on a shielded signal (the cancellation that ended
 * the attempt does not cut it short) bounded by `grace` (past it the command
 * is ended by destroying the connection, which then watches nothing).
 */
function unwatch(connection: RedisConnection, grace: number): Promise<unknown> {
  return shield((signal) => connection.call((client) => client.unwatch(), { signal }), { timeout: grace });
}

async function exec<R>(connection: RedisConnection, multi: Executable<R>, signal: AbortSignal | undefined): Promise<R> {
  const unlisten = signal && onAbort(signal, () => connection.destroy(abortReasonOf(signal)));
  try {
    return await multi.exec();
  } catch (error) {
    throw signal?.aborted ? abortReasonOf(signal) : error;
  } finally {
    unlisten?.();
  }
}

async function attempt<R>(
  connection: RedisConnection,
  fn: TransactionBody<R>,
  watch: string[],
  retries: number,
  signal: AbortSignal | undefined,
  grace: number,
): Promise<R | undefined> {
  const client = connection.client;
  for (let tries = 0;; tries++) {
    if (signal?.aborted) throw abortReasonOf(signal);
    if (watch.length > 0) await connection.call((c) => c.watch(watch), { signal });
    try {
      const multi = await fn(client, signal);
      if (multi === undefined) {
        if (watch.length > 0) await unwatch(connection, grace);
        return undefined;
      }
      // A cancellation that arrived during the reads stops us before EXEC.
      // EXEC is atomic and short, but on a dead network its reply never
      // comes: an abort then destroys the connection.
      if (signal?.aborted) throw abortReasonOf(signal);
      return await exec(connection, multi, signal);
    } catch (error) {
      if (error instanceof WatchError && tries < retries) continue;
      if (!connection.broken) await unwatch(connection, grace).catch(() => {});
      throw error;
    }
  }
}

/**
 * Runs an optimistic transaction: `WATCH` the keys, call `fn(client, signal)`
 * to read and queue writes, `EXEC`; when a watched key changed, start over
 * (up to `retries` times). On a pool, one connection is leased for all
 * attempts. The body's error propagates unchanged, after `UNWATCH` — which
 * runs shielded from the cancellation and bounded by `grace` (past it, the
 * connection is destroyed).
 *
 * @param target a dedicated connection, or a pool of them
 * @param fn reads through `client` and returns `client.multi()…` (or `undefined` to write nothing)
 * @param options `watch`, `retries`, `signal`, `grace`
 * @returns what `EXEC` returned, or `undefined` when `fn` gave up
 * @throws `WatchError` (from `redis`) when every attempt conflicted; the signal's reason when cancelled
 * @example Double a counter without losing concurrent updates
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRedisPool, transaction } from "@corral/redis";
 * await using pool = createRedisPool({ max: 2 });
 * const replies = await transaction(pool, async (client) => {
 *   const n = Number(await client.get("example:hits") ?? 1);
 *   return client.multi().set("example:hits", String(n * 2)).expire("example:hits", 60);
 * }, { watch: "example:hits" });
 * assert(replies?.[0] === "OK");
 * ```
 */
export function transaction<R>(
  target: RedisConnection | ConnectionSource,
  fn: TransactionBody<R>,
  options?: TransactionOptions,
): Promise<R | undefined> {
  let watch: string[];
  let retries: number;
  let signal: AbortSignal | undefined;
  let grace: number;
  try {
    checkOptions(WHAT, options);
    if (typeof fn !== "function") {
      throw new TypeError(`Cannot ${WHAT} as 'fn' must be a function: received ${typeof fn}`);
    }
    const keys = options?.watch ?? [];
    watch = typeof keys === "string" ? [keys] : keys;
    if (!Array.isArray(watch) || watch.some((key) => typeof key !== "string")) {
      throw new TypeError(`Cannot ${WHAT} as 'watch' must be a key or an array of keys`);
    }
    retries = checkInt(WHAT, "retries", options?.retries ?? 10, 0);
    signal = checkSignal(WHAT, options?.signal) ?? currentSignal();
    grace = options?.grace === undefined ? 5000 : checkTimerMs(WHAT, "grace", options.grace, 0);
  } catch (error) {
    return Promise.reject(error);
  }
  if ("use" in target && typeof target.use === "function") {
    return target.use((connection, leased) => attempt(connection, fn, watch, retries, leased, grace), { signal });
  }
  return attempt(target as RedisConnection, fn, watch, retries, signal, grace);
}
