/**
 * Option and reply types shared by the connection, the pool and the helpers.
 *
 * @module
 */

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
   * Default `Infinity`: until data arrives or the signal aborts. `0` or less
   * takes only what is there now.
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
  /** At most this many entries per stream (`COUNT`). */
  count?: number;
}

/** A stream and the id to read after (`"$"`: only entries added from now on). */
export interface StreamOffset {
  key: string;
  id: string;
}

/** What `XREAD` returned: entries per stream. */
export type StreamEntries = Array<{ name: string; messages: Array<{ id: string; message: Record<string, string> }> }>;
