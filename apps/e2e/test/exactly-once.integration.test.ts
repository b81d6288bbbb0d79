// The promise of the sample workers: no job lost, none recorded twice. 2,000
// jobs go on one Redis queue; a Node, a Deno and a Bun worker take them
// against the same PostgreSQL; mid-way the Deno worker gets SIGTERM (it
// drains and requeues) and the Bun worker SIGKILL (its jobs in flight stay in
// its processing list); both restart (the Bun worker recovers its list).
// Every job must end up recorded exactly once, with the right result, and no
// list may hold anything.
import postgres from "postgres";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  DATABASE_URL,
  expectedResult,
  REDIS_URL,
  requireServices,
  type Runtime,
  until,
  WorkerProcess,
} from "./support.ts";

const JOBS = 2_000;
const run = `e2e-${Date.now().toString(36)}-${process.pid}`;
const QUEUE = `corral:${run}`;
const workerId = (rt: Runtime) => `${run}-${rt}`;
const processing = (rt: Runtime) => `${QUEUE}:processing:${workerId(rt)}`;

const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const redis = createClient({ url: REDIS_URL });
const workers: WorkerProcess[] = [];

function start(rt: Runtime): WorkerProcess {
  const w = new WorkerProcess(rt, {
    DATABASE_URL,
    REDIS_URL,
    QUEUE,
    WORKER_ID: workerId(rt),
    CONCURRENCY: "8",
    WORK_MS: "40",
    DRAIN_MS: "3000",
    PORT: "0",
  });
  workers.push(w);
  return w;
}

async function recorded(): Promise<number> {
  const [row] = await sql`select count(*)::int as n from corral_job_results where job_id like ${run + "-job-%"}`;
  return row!.n as number;
}

async function lists(): Promise<Record<string, number>> {
  const out: Record<string, number> = { queued: await redis.lLen(QUEUE) };
  for (const rt of ["node", "deno", "bun"] as Runtime[]) out[rt] = await redis.lLen(processing(rt));
  return out;
}

beforeAll(async () => {
  await requireServices();
  await redis.connect();
  await sql`create table if not exists corral_job_results (
    job_id text primary key, result text not null, worker text not null, runtime text not null,
    recorded_at timestamptz not null default now())`;
  const jobs = Array.from({ length: JOBS }, (_, i) => JSON.stringify({ id: `${run}-job-${i}`, n: i }));
  await redis.rPush(QUEUE, jobs);
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await sql`delete from corral_job_results where job_id like ${run + "-job-%"}`;
  await redis.del([QUEUE, processing("node"), processing("deno"), processing("bun")]);
  await redis.quit();
  await sql.end();
});

test("three workers on three runtimes, one SIGTERMed and one SIGKILLed mid-way, record every job exactly once", async () => {
  const node = start("node");
  let deno = start("deno");
  let bun = start("bun");
  await Promise.all([node.ready(), deno.ready(), bun.ready()]);

  await until(async () => (await recorded()) >= 400, 120_000, async () => `recorded ${await recorded()}`);
  deno.kill("SIGTERM");
  bun.kill("SIGKILL");
  const [denoExit, bunExit] = await Promise.all([deno.exited, bun.exited]);
  expect(denoExit.code, `deno worker output:\n${deno.output()}`).toBe(143);
  expect(bunExit.signal).toBe("SIGKILL");
  // A drained worker leaves nothing in its processing list; a killed one may.
  expect(await redis.lLen(processing("deno"))).toBe(0);
  // Killed with jobs in flight (8 slots, a full queue): they are orphaned in its list.
  const orphaned = await redis.lLen(processing("bun"));
  expect(orphaned).toBeGreaterThan(0);

  deno = start("deno");
  bun = start("bun");
  await Promise.all([deno.ready(), bun.ready()]);
  // The restarted Bun worker first moved its orphaned jobs back to the queue.
  const banner = await bun.waitFor(/recovered (\d+) job/);
  expect(Number(banner[1])).toBe(orphaned);

  await until(
    async () => {
      const l = await lists();
      return (await recorded()) === JOBS && l.queued === 0 && l.node === 0 && l.deno === 0 && l.bun === 0;
    },
    180_000,
    async () => `recorded ${await recorded()} of ${JOBS}, lists ${JSON.stringify(await lists())}`,
  );

  for (const w of [node, deno, bun]) w.kill("SIGTERM");
  for (const w of [node, deno, bun]) {
    const exit = await w.exited;
    expect(exit.code, `${w.runtime} worker output:\n${w.output()}`).toBe(143);
    await w.waitFor(/^resources closed$/, 1_000);
  }

  const rows = await sql`select job_id, result, runtime from corral_job_results where job_id like ${run + "-job-%"}`;
  expect(rows.length).toBe(JOBS);
  const byId = new Map(rows.map((r) => [r.job_id as string, r]));
  expect(byId.size).toBe(JOBS);
  for (let i = 0; i < JOBS; i++) {
    const id = `${run}-job-${i}`;
    expect(byId.get(id)?.result, id).toBe(expectedResult(id, i));
  }
  // All three runtimes took part.
  expect(new Set(rows.map((r) => r.runtime as string))).toEqual(new Set(["node", "deno", "bun"]));
  expect(await lists()).toEqual({ queued: 0, node: 0, deno: 0, bun: 0 });
});
