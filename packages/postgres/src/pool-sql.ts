/**
 * The query function of a pool: `pool.sql` and `pool.bind(signal)`.
 *
 * @module
 */

import type postgres from "postgres";

/**
 * The query function of a pool: tagged templates and `unsafe(text,
 * parameters)`, each query run on a shared lease (pipelined with other
 * callers' queries on one connection) and answered with its rows.
 *
 * @example Typing a helper that takes the pool's query function
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPostgresPool, type PoolSql } from "@corral/postgres";
 * const answer = async (sql: PoolSql) => (await sql<{ n: number }[]>`select 42 as n`)[0]?.n;
 * await using pool = createPostgresPool({ max: 1 });
 * assert((await answer(pool.sql)) === 42);
 * assert((await pool.sql.unsafe<{ n: number }[]>("select $1::int as n", [7]))[0]?.n === 7);
 * ```
 */
export interface PoolSql {
  /** Runs a tagged-template query on a shared lease. */
  <T extends readonly object[] = postgres.Row[]>(
    template: TemplateStringsArray,
    ...parameters: readonly postgres.ParameterOrFragment<never>[]
  ): Promise<postgres.RowList<T>>;
  /** Runs a query given as text with `$1`-style parameters on a shared lease. */
  unsafe<T extends readonly object[] = postgres.Row[]>(
    text: string,
    parameters?: readonly postgres.ParameterOrJSON<never>[],
  ): Promise<postgres.RowList<T>>;
}
