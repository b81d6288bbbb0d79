// The queue in PostgreSQL, for when no Redis is configured: a table of jobs;
// taking one claims it for this worker with FOR UPDATE SKIP LOCKED, so
// concurrent workers never take the same job.
import { type Pool, sleep } from "@corral/core";
import type { PgSql } from "@corral/postgres";
import type { Job, Queue } from "./queue.ts";

export class PostgresQueue implements Queue {
  readonly kind = "postgres";
  #pool: Pool<PgSql>;
  #queue: string;
  #worker: string;

  constructor(pool: Pool<PgSql>, queue: string, workerId: string) {
    this.#pool = pool;
    this.#queue = queue;
    this.#worker = workerId;
  }

  async setup(signal: AbortSignal): Promise<void> {
    await this.#pool.use((sql) =>
      sql`create table if not exists corral_queue (
        seq bigserial primary key,
        queue text not null,
        id text not null,
        n integer not null,
        worker text
      )`, { signal });
  }

  async enqueue(jobs: { id: string; n: number }[], signal: AbortSignal): Promise<void> {
    const rows = jobs.map((j) => ({ queue: this.#queue, id: j.id, n: j.n }));
    await this.#pool.use((sql) => sql`insert into corral_queue ${sql(rows, "queue", "id", "n")}`, { signal });
  }

  async recover(signal: AbortSignal): Promise<number> {
    const rows = await this.#pool.use(
      (sql) =>
        sql`update corral_queue set worker = null where queue = ${this.#queue} and worker = ${this.#worker} returning seq`,
      { signal },
    );
    return rows.length;
  }

  async take(waitMs: number, signal: AbortSignal): Promise<Job | null> {
    // No blocking pop in SQL: poll every 50 ms until `waitMs` is up, holding
    // a connection only for each claim (the embedded pool has just one).
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows = await this.#pool.use(
        (sql) =>
          sql`update corral_queue set worker = ${this.#worker}
              where seq = (select seq from corral_queue where queue = ${this.#queue} and worker is null
                           order by seq for update skip locked limit 1)
              returning id, n`,
        { signal },
      );
      const row = rows[0] as { id: string; n: number } | undefined;
      if (row) return { id: row.id, n: row.n, raw: row.id };
      if (Date.now() >= deadline) return null;
      await sleep(50, { signal });
    }
  }

  async ack(job: Job, signal: AbortSignal): Promise<void> {
    await this.#pool.use((sql) => sql`delete from corral_queue where queue = ${this.#queue} and id = ${job.id}`, {
      signal,
    });
  }

  async requeue(job: Job, signal: AbortSignal): Promise<void> {
    await this.#pool.use(
      (sql) => sql`update corral_queue set worker = null where queue = ${this.#queue} and id = ${job.id}`,
      { signal },
    );
  }

  async depth(signal: AbortSignal): Promise<{ queued: number; processing: number }> {
    const [row] = await this.#pool.use(
      (sql) =>
        sql`select count(*) filter (where worker is null)::int as queued,
                   count(*) filter (where worker is not null)::int as processing
            from corral_queue where queue = ${this.#queue}`,
      { signal },
    );
    return row as unknown as { queued: number; processing: number };
  }
}
