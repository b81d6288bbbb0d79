/**
 * Option and reply types shared by the connection, the pool and the helpers.
 *
 * @module
 */

import type { RedisClientType } from "redis";

/** The `redis` package's client type, as each connection exposes it. */
export type RedisClient = RedisClientType;

/** Options for {@linkcode RedisConnection.call}. */
export interface CallOptions<T = unknown> {
  /** Cancels the call. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
  /**
   * When a cancelled command's reply arrives anyway (in `"unblock"` mode) and
   * `keep(reply)` is true, the call returns it instead of the cancellation —
   * so a popped element is never dropped.
   */
  keep?: (value: T) => boolean;
}

/** Options for the blocking commands ({@linkcode RedisConnection.blpop} and friends). */
export interface BlockingOptions {
  /**
   * Milliseconds to wait for data; then the command returns `null`.
   * Default `Infinity`: until data arrives or the signal aborts. `0` takes
   * only what is there now. A negative or NaN timeout is a `RangeError` at
   * the call.
   */
  timeout?: number;
  /** Cancels the wait. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
}

/** Which end of a list `BLMOVE` takes from or pushes to. */
export type ListSide = "LEFT" | "RIGHT";

/** Options for {@linkcode RedisConnection.blmove}. */
export interface BlmoveOptions extends BlockingOptions {
  /** The end of `source` to pop. Default `"LEFT"`. */
  from?: ListSide;
  /** The end of `destination` to push. Default `"RIGHT"`. */
  to?: ListSide;
}

/** Options for {@linkcode RedisConnection.xread}. */
export interface XreadOptions extends BlockingOptions {
  /** At most this many entries per stream (`COUNT`): an integer >= 1. */
  count?: number;
}

/** A stream and the id to read after (`"$"`: only entries added from now on). */
export interface StreamOffset {
  /** The stream's key. */
  key: string;
  /** The entry id to read after (`"$"`: only entries added from now on). */
  id: string;
}

/** What `XREAD` returned: entries per stream. */
export type StreamEntries = Array<{ name: string; messages: Array<{ id: string; message: Record<string, string> }> }>;

/** Options for `createSemaphore`. */
export interface SemaphoreOptions {
  /** The semaphore's name; processes using the same name share its slots. */
  name: string;
  /** How many permits may be held at once, across every process. */
  limit: number;
  /** Where Redis is (ignored when `client` is given). Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** A connected client to use instead of opening one; it is not closed by `close()`. */
  client?: RedisClient;
  /** Milliseconds to wait for the first connection to Redis before an attempt fails (at most 2^31 − 1). Default 10 000. */
  connectTimeout?: number;
  /** Milliseconds a permit survives without renewal. Default 10 000. */
  ttl?: number;
  /** Milliseconds between renewals (at most 2^31 − 1). Default `ttl / 3`; must be below `ttl`. */
  renewInterval?: number;
  /** First pause between attempts of a waiting `acquire` (ms, doubled up to `maxPollInterval`, jittered). Default 10. */
  pollInterval?: number;
  /** Longest pause between attempts (ms). Default 500. */
  maxPollInterval?: number;
  /** The sorted set's key prefix. Default `"corral:semaphore:"`. */
  prefix?: string;
}

/** Options for `RedisSemaphore.acquire`. */
export interface SemaphoreAcquireOptions {
  /** Stop waiting when it aborts (rejects with its reason). Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait for a slot before rejecting with `TimeoutError`
   * (`0`: only a slot free right now). Default: no limit. Negative is a `RangeError`.
   */
  timeout?: number;
}
