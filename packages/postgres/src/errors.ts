/**
 * The errors `@corral/postgres` raises itself. Errors from the server keep
 * the `postgres` package's own `PostgresError`.
 *
 * @module
 */

/**
 * Raised by a query on a connection that the server or the network closed
 * under it (`pg_terminate_backend`, a restart, a dropped socket). The
 * connection is never silently reopened: whatever session state it held
 * (a transaction, locks, settings) is gone, so the lease that held it fails
 * and the pool destroys it. `cause` is the driver's error, when there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLostError } from "@corral/postgres";
 * const error = new ConnectionLostError(4242);
 * assert(error.name === "ConnectionLostError" && error.pid === 4242);
 * ```
 */
export class ConnectionLostError extends Error {
  /** The server process id of the lost connection. */
  readonly pid: number;

  /**
   * Makes the error for the connection to server process `pid`.
   *
   * @param pid the server process id of the lost connection
   * @param options the driver's error as `cause`
   */
  constructor(pid: number, options?: { cause?: unknown }) {
    const why = (options?.cause as Error | undefined)?.message;
    super(
      `the connection to PostgreSQL (server pid ${pid}) was lost${why ? `: ${why}` : ""}; ` +
        "its session is gone and it will not be reused",
      options,
    );
    this.pid = pid;
  }

  /** Always `"ConnectionLostError"`. */
  override get name(): string {
    return "ConnectionLostError";
  }
}

/** Where a connection's address came from: the `url` option, the `DATABASE_URL` variable, or the built-in default. */
export type AddressSource = "url" | "DATABASE_URL" | "default";

/**
 * Raised when a connection cannot be opened (`connect()`, and each of a
 * pool's creates, which the pool reports as `error` events and retries):
 * the server refused it or is unreachable (`ECONNREFUSED`, `ENOTFOUND`, a
 * connect timeout), or it refused the session (authentication, an unknown
 * database). The message names the driver, `host:port`, the database, and
 * where the address came from — so a wrong or missing `DATABASE_URL` shows
 * at once; `cause` is the driver's own error, unchanged. A connection
 * abandoned because its signal aborted rejects with the signal's reason
 * instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, ConnectError } from "@corral/postgres";
 * const error = await connect({ url: "postgres://127.0.0.1:1/app" }).catch((e) => e);
 * assert(error instanceof ConnectError && error.address === "127.0.0.1:1" && error.from === "url");
 * assert.match(error.message, /^Cannot connect to PostgreSQL at 127\.0\.0\.1:1, database "app" \(address from the 'url' option\)/);
 * assert.equal((error.cause as { code?: string }).code, "ECONNREFUSED");
 * ```
 */
export class ConnectError extends Error {
  /** `host:port` (several, comma-separated, for a multi-host URL). */
  readonly address: string;
  /** The database asked for. */
  readonly database: string;
  /** Where the address came from. */
  readonly from: AddressSource;

  /**
   * Makes the error for a failed attempt to open a connection.
   *
   * @param target where the connection was going and where that address came from
   * @param options the driver's error as `cause`
   */
  constructor(target: { address: string; database: string; from: AddressSource }, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? "");
    const from = target.from === "url"
      ? "the 'url' option"
      : target.from === "DATABASE_URL"
      ? "DATABASE_URL"
      : "the default, as neither 'url' nor DATABASE_URL is set";
    super(
      `Cannot connect to PostgreSQL at ${target.address}, database ${JSON.stringify(target.database)} ` +
        `(address from ${from})${why ? `: ${why}` : ""}`,
      options,
    );
    this.address = target.address;
    this.database = target.database;
    this.from = target.from;
  }

  /** Always `"ConnectError"`. */
  override get name(): string {
    return "ConnectError";
  }
}

/**
 * @internal The {@linkcode ConnectError} for a failed open, read from the
 * driver's parsed options (the address and database it actually used).
 */
export function connectError(from: AddressSource, parsed: object, cause: unknown): ConnectError {
  const { host, port, database } = parsed as { host?: string[]; port?: number[]; database?: string };
  const address = (host ?? []).map((h, i) => `${h.includes(":") ? `[${h}]` : h}:${port?.[i] ?? port?.[0] ?? 5432}`)
    .join(",");
  return new ConnectError({ address, database: database ?? "", from }, { cause });
}
