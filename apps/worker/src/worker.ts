// The job loop. Jobs run in a TaskGroup inside a *shielded* scope: a shutdown
// signal stops the intake at once, but jobs already in flight get `drainMs`
// to finish (the scope's deadline is set when the signal arrives). A job that
// does not finish is put back on the queue in a shielded cleanup, so no job
// is lost; one that finished twice (after a crash) is recorded once.
import { CancelScope, now, shield, sleep, TaskGroup } from "@corral/core";
import type { Config } from "./config.ts";
import type { Job, Queue } from "./queue.ts";
import { describeError } from "./report.ts";
import type { Recorder } from "./results.ts";

export interface Counters {
  done: number;
  inFlight: number;
  failed: number;
  requeued: number;
  duplicates: number;
}

export interface WorkOptions {
  config: Config;
  queue: Queue;
  /** Records a job's result exactly once (a transaction keyed by job id); false when it was already recorded. */
  record: Recorder;
  counters: Counters;
}

/** Pretend work: a little waiting and a little CPU, cancellable. */
async function compute(job: Job, workMs: number, signal: AbortSignal): Promise<string> {
  await sleep(Math.random() * workMs, { signal });
  let h = 2166136261;
  for (const ch of `${job.id}:${job.n}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0).toString(16);
}

/**
 * A counting gate in front of the intake: a job is taken from the queue only
 * when a slot is free, so no job sits in our processing list waiting to
 * start. A released slot goes straight to the oldest waiter; a waiter whose
 * signal aborts leaves the line (it never swallows a later release).
 */
class Slots {
  #free: number;
  #waiters = new Set<() => void>();

  constructor(size: number) {
    this.#free = size;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal.reason);
      };
      this.#waiters.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  release(): void {
    const [next] = this.#waiters;
    if (next === undefined) {
      this.#free++;
    } else {
      this.#waiters.delete(next);
      next();
    }
  }
}

export async function work(signal: AbortSignal, options: WorkOptions): Promise<void> {
  const { config, queue, record, counters } = options;
  // Shielded: the shutdown signal does not reach the jobs directly; it only
  // starts the drain clock.
  const jobs = new CancelScope({ shield: true });
  const drain = () => (jobs.deadline = now() + config.drainMs);
  signal.addEventListener("abort", drain, { once: true });
  const slots = new Slots(config.concurrency);

  async function handle(job: Job, jobSignal: AbortSignal): Promise<void> {
    let recorded = false;
    try {
      const result = await compute(job, config.workMs, jobSignal);
      if (!(await record(job, result, jobSignal))) counters.duplicates++;
      recorded = true;
      await queue.ack(job, jobSignal);
      counters.done++;
    } catch (error) {
      // Not finished (cancelled by the drain deadline, or failed): put the job
      // back. Recorded but not acknowledged: acknowledge it. Either way the
      // cleanup is shielded, and bounded.
      await shield((s) => (recorded ? queue.ack(job, s) : queue.requeue(job, s)), { timeout: 5_000 });
      if (recorded) counters.done++;
      else counters.requeued++;
      if (!jobSignal.aborted) {
        counters.failed++;
        console.error(`job ${job.id} failed: ${describeError(error)}`);
      }
    } finally {
      counters.inFlight--;
      slots.release();
    }
  }

  try {
    await jobs.run(async (jobsSignal) => {
      await using group = new TaskGroup({ signal: jobsSignal, name: "jobs" });
      try {
        // The intake listens to the shutdown signal itself: it stops at once.
        while (!signal.aborted) {
          await slots.acquire(signal);
          let job: Job | null;
          try {
            job = await queue.take(1_000, signal);
          } catch (error) {
            slots.release();
            throw error;
          }
          if (job === null) {
            slots.release();
            if (config.exitWhenIdle && counters.inFlight === 0 && (await queue.depth(signal)).queued === 0) break;
            continue;
          }
          counters.inFlight++;
          const taken = job;
          group.spawn((jobSignal) => handle(taken, jobSignal), { name: `job ${taken.id}` });
        }
      } catch (error) {
        if (!signal.aborted) throw error;
        // The intake was cancelled by shutdown: in-flight jobs drain below.
      }
      await group.join();
    });
  } finally {
    signal.removeEventListener("abort", drain);
    // A take cancelled mid-flight may have moved a job into processing after
    // its reply was lost; nothing of ours is in flight now, so whatever is
    // left in our processing list goes back to the queue.
    const back = await shield((s) => queue.recover(s), { timeout: 5_000 });
    counters.requeued += back;
  }
}
