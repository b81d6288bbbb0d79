/**
 * Opening a dedicated connection.
 *
 * @module
 */

import { createClient } from "redis";
import { abortReasonOf, checkOptionNames, currentSignal } from "@corral/core";
import {
  checkInt,
  checkOptions,
  checkSignal,
  checkString,
  checkTimerMs,
  envUrl,
  resolveUrl,
} from "./internal/check.ts";
import { type AddressSource, connectError } from "./errors.ts";
import { retainUnblocker } from "./internal/unblocker.ts";
import { clearCountedTimeout, countedTimeout, onAbort } from "@corral/core";
import { type CancelMode, type RedisClient, RedisConnection } from "./connection.ts";

/** Options for {@linkcode connectRedis}. */
export interface ConnectOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** The database to `SELECT` (overrides the URL's). Reset restores it. */
  database?: number;
  /** A `CLIENT SETNAME` label, visible in `CLIENT LIST`. */
  name?: string;
  /** Milliseconds to wait for the connection and its handshake (1 to 2^31 − 1). Default 10 000. */
  connectTimeout?: number;
  /** What a cancelled command does to the connection. Default `"destroy"`. */
  cancel?: CancelMode;
  /** Aborting it abandons the connection attempt (the socket is destroyed). */
  signal?: AbortSignal;
}

const WHAT = "connect to Redis";

/** Every name {@linkcode ConnectOptions} has (a record, so the compiler insists on each, and only those). */
const CONNECT_NAMES: Record<keyof ConnectOptions, true> = {
  url: true,
  database: true,
  name: true,
  connectTimeout: true,
  cancel: true,
  signal: true,
};

/** The option names {@linkcode ConnectOptions} has. */
const CONNECT_KEYS: readonly string[] = Object.keys(CONNECT_NAMES);

/**
 * Opens one dedicated Redis connection (reconnection off) and reads its
 * `CLIENT ID`.
 *
 * @param options where to connect, how cancellation treats the connection
 * @returns a connected {@linkcode RedisConnection}
 * @throws {TypeError} / {RangeError} for bad options (every unknown option at
 * once, with the nearest known one); the signal's reason when aborted
 * @throws {ConnectError} when the connection cannot be opened, naming
 * `host:port`, the database index and where the address came from, with
 * the client's error as `cause`
 * @example Pop one job, waiting at most 50 ms
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectRedis } from "@corral/redis";
 * await using conn = await connectRedis({ url: "redis://127.0.0.1:6379" });
 * const job = await conn.blpop("example:no-jobs", { timeout: 50 });
 * assert(job === null); // nothing came
 * ```
 */
export function connectRedis(options?: ConnectOptions): Promise<RedisConnection> {
  let settings: ConnectSettings;
  let signal: AbortSignal | undefined;
  try {
    if (typeof options === "object" && options !== null) checkOptionNames(WHAT, options, CONNECT_KEYS);
    settings = connectSettings(WHAT, options);
    signal = checkSignal(WHAT, options?.signal) ?? currentSignal();
  } catch (error) {
    return Promise.reject(error);
  }
  return open(settings, signal);
}

/** @internal Checked connection settings (what {@linkcode ConnectOptions} resolves to). */
export interface ConnectSettings {
  url: string;
  /** Where `url` came from, for a `ConnectError`'s message. */
  from: AddressSource;
  database: number | undefined;
  name: string | undefined;
  connectTimeout: number;
  cancel: CancelMode;
}

/** @internal Checks the connection options once (a pool does it at construction). */
export function connectSettings(what: string, options: Omit<ConnectOptions, "signal"> | undefined): ConnectSettings {
  checkOptions(what, options);
  const mode = options?.cancel ?? "destroy";
  if (mode !== "destroy" && mode !== "unblock") {
    throw new TypeError(`Cannot ${what} as 'cancel' must be "destroy" or "unblock": received ${String(mode)}`);
  }
  return {
    url: resolveUrl(what, options?.url),
    from: options?.url !== undefined ? "url" : envUrl() !== undefined ? "REDIS_URL" : "default",
    database: options?.database === undefined ? undefined : checkInt(what, "database", options.database, 0),
    name: options?.name === undefined ? undefined : checkString(what, "name", options.name),
    connectTimeout: checkTimerMs(what, "connectTimeout", options?.connectTimeout ?? 10_000, 1),
    cancel: mode,
  };
}

/** @internal Opens a connection with checked settings. */
export async function open(settings: ConnectSettings, signal: AbortSignal | undefined): Promise<RedisConnection> {
  if (signal?.aborted) throw abortReasonOf(signal);
  const { url, database, name, connectTimeout, cancel: mode } = settings;
  const client: RedisClient = createClient({
    url,
    database,
    name,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: false, connectTimeout },
  });
  let connection: RedisConnection | undefined;
  let early: unknown;
  // Without an 'error' listener the emitter would throw; with reconnection
  // off, every socket error or close means the connection is gone.
  client.on("error", (error: unknown) => connection ? connection.markBroken(error) : (early ??= error));
  client.on("end", () => connection?.markBroken(new Error("The Redis connection ended")));

  // connectTimeout bounds the whole handshake, not only the TCP connect: a
  // server that accepts and never answers fails the connect too. The client
  // does not always settle its connect() when destroyed mid-handshake, so
  // an abort or the timeout ends the wait itself.
  let timedOut = false;
  let stop!: (error: unknown) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const end = (error: unknown) => {
    client.destroy();
    // A socket still opening is not the client's yet, so destroy() cannot
    // reach it: once it connects, it is destroyed too.
    client.once("connect", () => client.destroy());
    stop(error);
  };
  const unlisten = signal && onAbort(signal, () => end(abortReasonOf(signal)));
  const timer = countedTimeout(() => {
    timedOut = true;
    end(new Error("timeout"));
  }, connectTimeout);
  try {
    const connecting = client.connect();
    connecting.catch(() => {});
    await Promise.race([connecting, stopped]);
    const id = await Promise.race([client.clientId(), stopped]);
    const db = database ?? Number(new URL(url).pathname.slice(1) || 0);
    connection = new RedisConnection(client, id, db, mode === "unblock" ? retainUnblocker(url) : undefined);
    if (early !== undefined || !client.isReady) connection.markBroken(early);
    return connection;
  } catch (error) {
    client.destroy();
    if (signal?.aborted) throw abortReasonOf(signal);
    if (timedOut) {
      const silent = new Error(`the server did not answer within ${connectTimeout} ms`, { cause: error });
      throw connectError(url, database, settings.from, silent);
    }
    throw connectError(url, database, settings.from, error);
  } finally {
    clearCountedTimeout(timer);
    unlisten?.();
  }
}
