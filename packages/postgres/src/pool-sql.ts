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
