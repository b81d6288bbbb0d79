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
