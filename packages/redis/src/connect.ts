/**
 * Opening a dedicated connection.
 *
 * @module
 */

import { createClient } from "redis";
import { currentSignal } from "@corral/core";
import { checkInt, checkMs, checkOptions, checkSignal, checkString, reasonOf, resolveUrl } from "./internal/check.ts";
import { retainUnblocker } from "./internal/unblocker.ts";
import { type CancelMode, type RedisClient, RedisConnection } from "./connection.ts";

/** Options for {@linkcode connectRedis}. */
export interface ConnectOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** The database to `SELECT` (overrides the URL's). Reset restores it. */
  database?: number;
  /** A `CLIENT SETNAME` label, visible in `CLIENT LIST`. */
  name?: string;
  /** Milliseconds to wait for the TCP connection. Default 10 000. */
  connectTimeout?: number;
  /** What a cancelled command does to the connection. Default `"destroy"`. */
  cancel?: CancelMode;
  /** Aborting it abandons the connection attempt (the socket is destroyed). */
  signal?: AbortSignal;
}

const WHAT = "connect to Redis";

/**
 * Opens one dedicated Redis connection (reconnection off) and reads its
 * `CLIENT ID`.
 *
 * @param options where to connect, how cancellation treats the connection
 * @returns a connected {@linkcode RedisConnection}
 * @throws {TypeError} / {RangeError} for bad options; the connection error
 * when the server is unreachable; the signal's reason when aborted
 * @example Pop one job, giving up after a second
 * ```ts ignore
 * import { connectRedis } from "@corral/redis";
 * await using conn = await connectRedis({ url: "redis://127.0.0.1:6379" });
 * const job = await conn.blpop("jobs", { timeout: 1000 }); // null when nothing came
 * ```
 */
export async function connectRedis(options?: ConnectOptions): Promise<RedisConnection> {
  checkOptions(WHAT, options);
  const url = resolveUrl(WHAT, options?.url);
  const database = options?.database === undefined ? undefined : checkInt(WHAT, "database", options.database, 0);
  const name = options?.name === undefined ? undefined : checkString(WHAT, "name", options.name);
  const connectTimeout = checkMs(WHAT, "connectTimeout", options?.connectTimeout ?? 10_000, 1);
  const mode = options?.cancel ?? "destroy";
  if (mode !== "destroy" && mode !== "unblock") {
    throw new TypeError(`Cannot ${WHAT} as 'cancel' must be "destroy" or "unblock": received ${String(mode)}`);
  }
  const signal = checkSignal(WHAT, options?.signal) ?? currentSignal();
  if (signal?.aborted) throw reasonOf(signal);

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

  const onAbort = () => client.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    const id = await client.clientId();
    const db = database ?? Number(new URL(url).pathname.slice(1) || 0);
    connection = new RedisConnection(client, id, db, mode === "unblock" ? retainUnblocker(url) : undefined);
    if (early !== undefined || !client.isReady) connection.markBroken(early);
    return connection;
  } catch (error) {
    client.destroy();
    if (signal?.aborted) throw reasonOf(signal);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
