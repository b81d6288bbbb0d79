/**
 * Dedicated Redis connections: one server connection per object, for what a
 * multiplexed client cannot share — blocking commands and `WATCH`/`MULTI`.
 *
 * @module
 */

import { abortReasonOf, currentSignal } from "@corral/core";
import { checkInt, checkOptions, checkSignal } from "./internal/check.ts";
import { cancellable } from "./internal/interrupt.ts";
import { releaseUnblocker, type Unblocker } from "./internal/unblocker.ts";
import { keeping, seconds, side } from "./internal/blocking.ts";
import { traceBlocking } from "./internal/trace.ts";
import type {
  BlmoveOptions,
  BlockingOptions,
  CallOptions,
  RedisClient,
  StreamEntries,
  StreamOffset,
  XreadOptions,
} from "./types.ts";

export type { RedisClient } from "./types.ts";

/**
 * What a cancelled command does to its connection: `"destroy"` closes the
 * socket at once; `"unblock"` sends `CLIENT UNBLOCK` from a shared control
 * connection and waits for the reply, so the connection stays usable (it
 * falls back to destroying after a grace period).
 */
export type CancelMode = "destroy" | "unblock";

/**
 * One dedicated Redis connection: a `redis` client with reconnection turned
 * off, so a connection killed under it (`CLIENT KILL`, a server restart, a
 * network failure) is detected — `broken` turns true — instead of being
 * silently replaced. Open one with {@linkcode connectRedis}; a pool from
 * `createRedisPool` hands these out.
 *
 * @example A reliable queue: move a job to "processing" while working on it
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectRedis } from "@corral/redis";
 * await using conn = await connectRedis();
 * await conn.client.rPush("example:queue", "job-1");
 * const job = await conn.blmove("example:queue", "example:processing", { timeout: 1000 });
 * assert(job === "job-1");
 * await conn.client.lRem("example:processing", 1, "job-1"); // done
 * ```
 */
export class RedisConnection implements AsyncDisposable {
  /** The underlying `redis` client (one socket). Commands on it run on this connection only. */
  readonly client: RedisClient;
  /** The server's `CLIENT ID` for this connection. */
  readonly id: number;
  /** The database this connection returns to on reset. */
  readonly database: number;
  /** @internal The control connection used to interrupt a cancelled command (`"unblock"` mode). */
  readonly unblocker: Unblocker | undefined;
  /** @internal The signal of the pool lease holding this connection (calls default to it). */
  leaseSignal: AbortSignal | undefined = undefined;
  /** @internal Removes the lease's abort listener. */
  leaseEnd: (() => void) | undefined = undefined;
  #error: unknown;
  #broken = false;
  #inFlight = 0;

  /** @internal Use {@linkcode connectRedis}. */
  constructor(client: RedisClient, id: number, database: number, unblocker: Unblocker | undefined) {
    this.client = client;
    this.id = id;
    this.database = database;
    this.unblocker = unblocker;
  }

  /** True once the socket failed or closed, or `destroy()`/`close()` ran. A broken connection is never reused. */
  get broken(): boolean {
    return this.#broken || !this.client.isReady;
  }

  /** The error that broke the connection, if one did. */
  get error(): unknown {
    return this.#error;
  }

  /** True while a {@linkcode RedisConnection.call} is waiting for its reply. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** @internal Marks the connection broken (socket error or end). */
  markBroken(error: unknown): void {
    if (!this.#broken) {
      this.#broken = true;
      this.#error ??= error;
      if (this.unblocker) releaseUnblocker(this.unblocker);
    }
  }

  /**
   * Runs `fn(client)` as one cancellable call. If the signal aborts before
   * the reply, the command is ended on the server — the connection is
   * destroyed, or in `"unblock"` mode unblocked and awaited — and the call
   * rejects with the signal's reason. Either way the connection never goes
   * back to a pool with a command still running.
   *
   * @param fn sends the command(s) on the client it receives
   * @param options the signal, and which late replies to keep
   * @returns what `fn` resolved to
   * @throws the signal's reason when cancelled; `fn`'s error otherwise
   * @example A cancellable command of your own
   * ```ts
   * import assert from "node:assert/strict";
   * import { connectRedis } from "@corral/redis";
   * await using conn = await connectRedis();
   * const stop = AbortSignal.timeout(50);
   * const error = await conn.call((client) => client.blPop("example:empty", 0), { signal: stop }).catch((e) => e);
   * assert(error === stop.reason && conn.broken); // destroyed: never reused mid-command
   * ```
   */
  call<T>(fn: (client: RedisClient) => Promise<T>, options?: CallOptions<T>): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      checkOptions("call", options);
      signal = checkSignal("call", options?.signal) ?? currentSignal() ?? this.leaseSignal;
      if (signal?.aborted) return Promise.reject(abortReasonOf(signal));
      if (this.broken) {
        throw new Error("Cannot run a command as the Redis connection is closed", { cause: this.#error });
      }
    } catch (error) {
      return Promise.reject(error);
    }
    let work: Promise<T>;
    try {
      work = Promise.resolve(fn(this.client));
    } catch (error) {
      return Promise.reject(error);
    }
    this.#inFlight++;
    const call = signal === undefined ? work : cancellable(this, work, signal, options?.keep);
    const done = () => {
      this.#inFlight--;
    };
    call.then(done, done);
    return call;
  }

  /**
   * `BLPOP`: pops the first element of the first non-empty list, waiting for
   * one. Cancellable: see {@linkcode RedisConnection.call}.
   *
   * @param keys one list or several (checked in order)
   * @param options `timeout` in milliseconds, `signal`
   * @returns the list's name and the element, or `null` on timeout
   * @throws the signal's reason when cancelled
   */
  async blpop(keys: string | string[], options?: BlockingOptions): Promise<{ key: string; element: string } | null> {
    const s = seconds("blpop", options);
    return await traceBlocking("BLPOP", keys, options, () =>
      this.call(
        (c) => c.blPop(keys, s) as Promise<{ key: string; element: string } | null>,
        keeping(options),
      ));
  }

  /**
   * `BRPOP`: like {@linkcode RedisConnection.blpop}, from the tail.
   *
   * @param keys one list or several (checked in order)
   * @param options `timeout` in milliseconds, `signal`
   * @returns the list's name and the element, or `null` on timeout
   * @throws the signal's reason when cancelled
   */
  async brpop(keys: string | string[], options?: BlockingOptions): Promise<{ key: string; element: string } | null> {
    const s = seconds("brpop", options);
    return await traceBlocking("BRPOP", keys, options, () =>
      this.call(
        (c) => c.brPop(keys, s) as Promise<{ key: string; element: string } | null>,
        keeping(options),
      ));
  }

  /**
   * `BLMOVE`: atomically moves an element from `source` to `destination`,
   * waiting for one — the reliable-queue pattern (the element is never only
   * in flight).
   *
   * @param source the list to pop from
   * @param destination the list to push to
   * @param options `from`/`to` ends, `timeout` in milliseconds, `signal`
   * @returns the element moved, or `null` on timeout
   * @throws the signal's reason when cancelled
   */
  async blmove(source: string, destination: string, options?: BlmoveOptions): Promise<string | null> {
    const s = seconds("blmove", options);
    const from = side("from", options?.from ?? "LEFT");
    const to = side("to", options?.to ?? "RIGHT");
    return await traceBlocking("BLMOVE", [source, destination], options, () =>
      this.call(
        (c) => c.blMove(source, destination, from, to, s) as Promise<string | null>,
        keeping(options),
      ));
  }

  /**
   * `BRPOPLPUSH`: `blmove(source, destination, { from: "RIGHT", to: "LEFT" })`
   * under its older name.
   *
   * @param source the list to pop from (tail)
   * @param destination the list to push to (head)
   * @param options `timeout` in milliseconds, `signal`
   * @returns the element moved, or `null` on timeout
   * @throws the signal's reason when cancelled
   */
  async brpoplpush(source: string, destination: string, options?: BlockingOptions): Promise<string | null> {
    const s = seconds("brpoplpush", options);
    return await traceBlocking(
      "BRPOPLPUSH",
      [source, destination],
      options,
      () => this.call((c) => c.brPopLPush(source, destination, s) as Promise<string | null>, keeping(options)),
    );
  }

  /**
   * `XREAD BLOCK`: reads entries after the given ids, waiting for new ones.
   *
   * @param streams one stream offset or several
   * @param options `count`, `timeout` in milliseconds, `signal`
   * @returns the entries per stream, or `null` on timeout
   * @throws the signal's reason when cancelled
   */
  async xread(streams: StreamOffset | StreamOffset[], options?: XreadOptions): Promise<StreamEntries | null> {
    const s = seconds("xread", options);
    const count = options?.count === undefined ? undefined : checkInt("xread", "count", options.count, 1);
    const read = { BLOCK: s < 0 ? undefined : Math.round(s * 1000), COUNT: count };
    const keys = (Array.isArray(streams) ? streams : [streams]).map((stream) => stream.key);
    return await traceBlocking(
      "XREAD",
      keys,
      options,
      () => this.call((c) => c.xRead(streams, read) as Promise<StreamEntries | null>, keeping(options)),
    );
  }

  /**
   * Closes the socket now; pending commands reject. Idempotent.
   *
   * @param reason recorded as `error` when the connection was healthy
   */
  destroy(reason?: unknown): void {
    this.markBroken(reason ?? new Error("The Redis connection was destroyed"));
    try {
      this.client.destroy();
    } catch {
      // Already closed under us.
    }
  }

  /**
   * Closes the connection: politely when idle (waits for queued replies),
   * at once when a call is in flight (a blocking command might never reply).
   */
  async close(): Promise<void> {
    if (this.#broken || this.busy || !this.client.isOpen) return this.destroy();
    this.markBroken(new Error("The Redis connection was closed"));
    await this.client.close();
  }

  /** Same as {@linkcode RedisConnection.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
