// The queue in Redis: `<queue>` is the list of waiting jobs, and
// `<queue>:processing:<worker>` this worker's jobs in flight. BLMOVE moves a
// job between them atomically, so a job is always in exactly one list.
import type { Pool } from "@corral/core";
import type { RedisConnection } from "@corral/redis";
import { decode, encode, type Job, type Queue } from "./queue.ts";

export class RedisQueue implements Queue {
  readonly kind = "redis";
  #pool: Pool<RedisConnection>;
  #pending: string;
  #processing: string;

  constructor(pool: Pool<RedisConnection>, queue: string, workerId: string) {
    this.#pool = pool;
    this.#pending = queue;
    this.#processing = `${queue}:processing:${workerId}`;
  }

  setup(): Promise<void> {
    return Promise.resolve();
  }

  async enqueue(jobs: { id: string; n: number }[], signal: AbortSignal): Promise<void> {
    await this.#pool.use((conn) => conn.client.rPush(this.#pending, jobs.map(encode)), { signal });
  }

  recover(signal: AbortSignal): Promise<number> {
    // One job at a time, each move atomic: a crash half-way loses nothing.
    return this.#pool.use(async (conn) => {
      let moved = 0;
      while ((await conn.client.lMove(this.#processing, this.#pending, "RIGHT", "LEFT")) !== null) moved++;
      return moved;
    }, { signal });
  }

  take(waitMs: number, signal: AbortSignal): Promise<Job | null> {
    // BLMOVE blocks its connection: the pool lends one connection per waiter,
    // and the lease's signal unblocks it when the worker stops.
    return this.#pool.use(async (conn, leaseSignal) => {
      const raw = await conn.blmove(this.#pending, this.#processing, { timeout: waitMs, signal: leaseSignal });
      return raw === null ? null : decode(raw);
    }, { signal });
  }

  async ack(job: Job, signal: AbortSignal): Promise<void> {
    await this.#pool.use((conn) => conn.client.lRem(this.#processing, 1, job.raw), { signal });
  }

  async requeue(job: Job, signal: AbortSignal): Promise<void> {
    // One transaction: the job leaves processing and re-enters the queue together.
    await this.#pool.use(
      (conn) => conn.client.multi().lRem(this.#processing, 1, job.raw).rPush(this.#pending, job.raw).exec(),
      { signal },
    );
  }

  depth(signal: AbortSignal): Promise<{ queued: number; processing: number }> {
    return this.#pool.use(async (conn) => {
      const [queued, processing] = await Promise.all([
        conn.client.lLen(this.#pending),
        conn.client.lLen(this.#processing),
      ]);
      return { queued, processing };
    }, { signal });
  }
}
