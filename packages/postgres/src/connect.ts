/**
 * Opening connections: `connect()` (asyncpg's `connect`) and the opener the
 * pool uses.
 *
 * @module
 */

import postgres from "postgres";
import { abortReasonOf, checkOptionNames, clearCountedTimeout, countedTimeout, currentSignal } from "@corral/core";
import {
  CONNECTION_KEYS,
  type ConnectionOptions,
  resolveConnectionOptions,
  type ResolvedConnectionOptions,
} from "./options.ts";
import { PostgresConnection } from "./connection.ts";
import { connectError } from "./errors.ts";
import { onAbort } from "@corral/core";

/** Options for {@linkcode connect}. */
export interface ConnectOptions extends ConnectionOptions {
  /** Abandons the connection attempt when it aborts. Default: the ambient signal. */
  signal?: AbortSignal;
}

const CONNECT_KEYS: readonly string[] = [...CONNECTION_KEYS, "signal"];

/** @internal Opens a connection with resolved options. */
export async function openConnection(
  options: ResolvedConnectionOptions,
  signal: AbortSignal | undefined,
): Promise<PostgresConnection> {
  if (signal?.aborted) throw abortReasonOf(signal);
  let conn: PostgresConnection | undefined;
  const own = {
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    onclose: () => conn?.onClose(),
    onnotify: (channel: string, payload: string) => conn?.onNotify(channel, payload),
  };
  const { cache } = options;
  // postgres 3 fetches the server's array types on every new connection
  // (one more round trip), and a connection terminated during that fetch
  // makes the driver reject a promise nobody holds. Once one connection has
  // the types, later ones reuse its parsed options (the driver accepts them
  // as they are) with the fetch turned off. postgres 4 fetches them only
  // when a query first meets a type it does not know, and keeps them in the
  // instance rather than in its options: each connection starts afresh.
  const raw = cache.parsed ? postgres({ ...cache.parsed, ...own } as never) : postgres(options.url, {
    onnotice: () => {},
    ...options.postgres,
    connection: { application_name: "corral", ...options.postgres.connection },
    ...own,
  } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
  // Abandoning a connection mid-startup: the caller gets the signal's
  // reason at once, and the connection is closed at once — waiting for the
  // startup to finish would hold the pool's slot for as long as a silent
  // server (or network) keeps quiet — except during postgres 3's type fetch
  // (see mayFetchTypes), which is left its round trip, bounded by
  // `cancelGrace`.
  const started = raw<{ pid: number }[]>`select pg_backend_pid() as pid`;
  let deferred = false;
  let abandoned!: (reason: unknown) => void;
  const aborted = new Promise<never>((_, reject) => abandoned = reject);
  const unlisten = signal && onAbort(signal, () => {
    if (mayFetchTypes(raw)) {
      deferred = true;
      closeAfter(raw, started, options.cancelGrace);
    } else void raw.end({ timeout: 0 }).catch(() => {});
    abandoned(abortReasonOf(signal));
  });
  try {
    const [row] = signal ? await Promise.race([started, aborted]) : await started;
    if (signal?.aborted) throw abortReasonOf(signal);
    const postgres4 = typeof (raw as { batch?: unknown }).batch === "function";
    if (!postgres4) {
      // Every instance has its types now: should the driver ever start
      // this connection again (a query after its socket died), it must not
      // fetch them again — a fetch cut short rejects a promise nobody holds.
      (raw.options as { fetch_types: boolean }).fetch_types = false;
      cache.parsed ??= raw.options;
    }
    conn = new PostgresConnection(raw, row!.pid, options);
    return conn;
  } catch (error) {
    if (!deferred) await raw.end({ timeout: 5 }).catch(() => {});
    throw signal?.aborted ? abortReasonOf(signal) : connectError(options.from, raw.options, error);
  } finally {
    unlisten?.();
  }
}

/**
 * True when postgres 3 may fetch the server's array types on `raw`: it asks
 * for them as soon as the startup is done, and a connection terminated
 * while that fetch is out makes the driver reject a promise it holds for
 * nobody (an unhandled rejection). Whether the startup will be done before
 * a terminate lands cannot be known, so any connection that has the fetch
 * on — only a pool's first connections: later ones reuse their parsed
 * options with the fetch off — is closed after its first query instead.
 */
function mayFetchTypes(raw: postgres.Sql): boolean {
  const o = raw.options as { fetch_types?: unknown; shared?: { typeArrayMap?: object } };
  if (o.fetch_types !== true) return false;
  const map = o.shared?.typeArrayMap;
  return map === undefined || Object.keys(map).length === 0;
}

/**
 * Closes `raw` once its first query (queued behind the type fetch) has
 * settled, or after `ms` if the server stays silent (the fetch is then cut
 * short after all).
 */
function closeAfter(raw: postgres.Sql, first: PromiseLike<unknown>, ms: number): void {
  const close = () => {
    clearCountedTimeout(timer);
    void raw.end({ timeout: 0 }).catch(() => {});
  };
  const timer = countedTimeout(close, ms);
  first.then(close, close);
}

/**
 * Opens one dedicated connection (asyncpg's `await asyncpg.connect(dsn)`).
 * Close it with `await using`, or `close()`.
 *
 * @param options the server URL, `postgres` package options, a signal
 * @returns the open connection
 * @throws the signal's reason when it aborts first
 * @throws {ConnectError} when the connection cannot be opened (the server is unreachable, or refuses it): naming
 * `host:port`, the database and where the address came from, with the driver's error as `cause`
 * @throws {TypeError} / {RangeError} for bad options (every unknown option at once, with the nearest known one)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect } from "@corral/postgres";
 * await using conn = await connect(); // DATABASE_URL, else postgres://127.0.0.1:5432/test
 * const [row] = await conn.sql`select 1 as one`;
 * assert(row?.one === 1);
 * ```
 */
export async function connect(options?: ConnectOptions): Promise<PostgresConnection> {
  if (typeof options === "object" && options !== null) checkOptionNames("connect", options, CONNECT_KEYS);
  const resolved = resolveConnectionOptions("connect", options);
  return await openConnection(resolved, options?.signal ?? currentSignal());
}
