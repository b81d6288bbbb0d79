// Results in PostgreSQL, keyed by job id: recording runs in a transaction
// and inserts nothing when the job is already recorded, so a job done twice
// (after a crash between recording and acknowledging) is recorded once.
import type { Pool } from "@corral/core";
import { type PgSql, transaction } from "@corral/postgres";
import type { Job } from "./queue.ts";

export async function setupResults(pool: Pool<PgSql>, signal: AbortSignal): Promise<void> {
  await pool.use((sql) =>
    sql`create table if not exists corral_job_results (
      job_id text primary key,
      result text not null,
      worker text not null,
      runtime text not null,
      recorded_at timestamptz not null default now()
    )`, { signal });
}

/** Records a job's result; resolves false when the job was already recorded (by any worker). */
export type Recorder = (job: Job, result: string, signal: AbortSignal) => Promise<boolean>;

/** The recorder for this worker; `runtime` ("node", "deno", "bun") is stored with each result. */
export function recorder(pool: Pool<PgSql>, workerId: string, runtime: string): Recorder {
  return (job, result, signal) =>
    transaction(pool, async (sql) => {
      const rows = await sql`
        insert into corral_job_results (job_id, result, worker, runtime)
        values (${job.id}, ${result}, ${workerId}, ${runtime})
        on conflict (job_id) do nothing
        returning job_id`;
      return rows.length === 1;
    }, { signal });
}
