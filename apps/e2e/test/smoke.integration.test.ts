// Each sample worker, on its own runtime: it starts, its status server
// answers /health and /stats, SIGTERM ends it with 143 after closing every
// resource; and with no DATABASE_URL / REDIS_URL it processes a demo batch
// on the embedded default (what `npm start` does) and exits 0.
import { connect } from "node:net";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DATABASE_URL, REDIS_URL, requireServices, RUNTIMES, WorkerProcess } from "./support.ts";

const run = `smoke-${Date.now().toString(36)}-${process.pid}`;
const redis = createClient({ url: REDIS_URL });

beforeAll(async () => {
  await requireServices();
  await redis.connect();
});

afterAll(async () => {
  const keys = await redis.keys(`corral:${run}*`);
  if (keys.length) await redis.del(keys);
  await redis.quit();
});

function portClosed(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe.each(RUNTIMES)("%s worker", (rt) => {
  test(`the ${rt} worker serves /health and /stats, and SIGTERM closes it with 143`, async () => {
    const w = new WorkerProcess(rt, {
      DATABASE_URL,
      REDIS_URL,
      QUEUE: `corral:${run}:${rt}`,
      WORKER_ID: `${run}-${rt}`,
      PORT: "0",
    });
    try {
      const url = await w.ready();
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      const stats = await (await fetch(`${url}/stats`)).json() as {
        worker: string;
        runtime: string;
        jobs: { done: number; inFlight: number };
        pools: { postgres: { size: number; borrowed: number }; redis: { size: number } | null };
      };
      expect(stats.worker).toBe(`${run}-${rt}`);
      expect(stats.runtime.startsWith(rt)).toBe(true);
      expect(stats.jobs.done).toBe(0);
      expect(stats.pools.postgres.size).toBeGreaterThanOrEqual(1);
      expect(stats.pools.redis).not.toBeNull();
      expect((await fetch(`${url}/nope`)).status).toBe(404);

      w.kill("SIGTERM");
      const exit = await w.exited;
      expect(exit.code, w.output()).toBe(143);
      await w.waitFor(/^summary: 0 done/, 1_000);
      await w.waitFor(/^resources closed$/, 1_000);
      expect(await portClosed(url)).toBe(true);
    } finally {
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.kill("SIGKILL");
    }
  });

  test(`the ${rt} worker processes a demo batch on the embedded default and exits 0`, async () => {
    const w = new WorkerProcess(rt, { DEMO_JOBS: "40", WORKER_ID: `${run}-${rt}-embedded`, PORT: "0" });
    const exit = await w.exited;
    expect(exit.code, w.output()).toBe(0);
    await w.waitFor(/queue in postgres, database embedded \(PGlite\)/, 1_000);
    await w.waitFor(/^summary: 40 done, 0 requeued, 0 failed/, 1_000);
    await w.waitFor(/^resources closed$/, 1_000);
  });
});
