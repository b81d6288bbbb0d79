/**
 * The error a connection that cannot be opened raises.
 *
 * @module
 */

/** Where a connection's address came from: the `url` option, the `REDIS_URL` variable, or the built-in default. */
export type AddressSource = "url" | "REDIS_URL" | "default";

/**
 * Raised when a connection cannot be opened (`connectRedis()`, and each of
 * a pool's creates, which the pool reports as `error` events and retries):
 * the server refused it or is unreachable (`ECONNREFUSED`, `ENOTFOUND`, the
 * `connectTimeout`), or it refused the session (`AUTH`, `SELECT`). The
 * message names Redis, `host:port`, the database index, and where the
 * address came from — so a wrong or missing `REDIS_URL` shows at once;
 * `cause` is the client's own error, unchanged. A connection abandoned
 * because its signal aborted rejects with the signal's reason instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, connectRedis } from "@corral/redis";
 * const error = await connectRedis({ url: "redis://127.0.0.1:1/2" }).catch((e) => e);
 * assert(error instanceof ConnectError && error.address === "127.0.0.1:1" && error.database === 2);
 * assert.match(error.message, /^Cannot connect to Redis at 127\.0\.0\.1:1, db 2 \(address from the 'url' option\)/);
 * assert.equal((error.cause as { code?: string }).code, "ECONNREFUSED");
 * ```
 */
export class ConnectError extends Error {
  /** `host:port`. */
  readonly address: string;
  /** The database index asked for. */
  readonly database: number;
  /** Where the address came from. */
  readonly from: AddressSource;

  /**
   * Makes the error for a failed attempt to open a connection.
   *
   * @param target where the connection was going and where that address came from
   * @param options the client's error as `cause`
   */
  constructor(target: { address: string; database: number; from: AddressSource }, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? "");
    const from = target.from === "url"
      ? "the 'url' option"
      : target.from === "REDIS_URL"
      ? "REDIS_URL"
      : "the default, as neither 'url' nor REDIS_URL is set";
    super(
      `Cannot connect to Redis at ${target.address}, db ${target.database} (address from ${from})${
        why ? `: ${why}` : ""
      }`,
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

/** @internal The {@linkcode ConnectError} for a failed open of `url` (database `database`, else the URL's). */
export function connectError(
  url: string,
  database: number | undefined,
  from: AddressSource,
  cause: unknown,
): ConnectError {
  let address = url;
  let db = database ?? 0;
  try {
    const parsed = new URL(url);
    address = `${parsed.hostname}:${parsed.port || 6379}`;
    db = database ?? (Number(parsed.pathname.slice(1)) || 0);
  } catch {
    // an address the client took but URL cannot parse: shown as given
  }
  return new ConnectError({ address, database: db, from }, { cause });
}
