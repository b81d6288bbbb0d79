/**
 * Which server session a query function talks to.
 *
 * @module
 */

import { bindingOf } from "./internal/query-function.ts";

/**
 * The server process id (`pg_backend_pid()`) behind a query function from
 * this package — for logs, `pg_stat_activity`, `pg_cancel_backend`.
 *
 * @param sql a lease's (or a connection's) query function
 * @returns the server pid
 * @throws {TypeError} when `sql` is not a query function from this package
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool, pidOf } from "@corral/postgres";
 * await using pool = createPostgresPool({ max: 1 });
 * const [row] = await pool.use((sql) => sql<{ pid: number }[]>`select pg_backend_pid() as pid`);
 * assert(row?.pid === await pool.use((sql) => pidOf(sql)));
 * ```
 */
export function pidOf(sql: unknown): number {
  const binding = bindingOf(sql);
  if (!binding) {
    throw new TypeError("Cannot read the server pid as 'sql' must be a query function from @corral/postgres");
  }
  return binding.link.pid;
}
