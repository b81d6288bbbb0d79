// Each sample worker, on its own runtime: it starts, its status server
// answers /health and /stats, SIGTERM ends it with 143 after closing every
// resource; with no DATABASE_URL / REDIS_URL it processes a demo batch on the
// embedded default (what `npm start` does), printing the truth in order, and
// exits 0; a server it cannot reach is named in one message, then it exits 1.
import { type AddressInfo, connect, createServer } from "node:net";
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

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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
  test(`the ${rt} worker serves /health, /stats and /metrics, and SIGTERM closes it with 143`, async () => {
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
      // The pools' metrics, Prometheus text, exported once a second: poll for the first export.
      let metrics = "";
      for (let i = 0; i < 50 && !metrics.includes("db_client_connection_count"); i++) {
        const reply = await fetch(`${url}/metrics`);
        expect(reply.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        metrics = await reply.text();
        if (!metrics.includes("db_client_connection_count")) await new Promise((r) => setTimeout(r, 200));
      }
      expect(metrics).toMatch(
        /^db_client_connection_count\{db_client_connection_pool_name="db",db_system_name="postgresql",db_client_connection_state="idle"\} \d+$/m,
      );
      expect(metrics).toMatch(
        /^db_client_connection_max\{db_client_connection_pool_name="queue",db_system_name="redis"\} \d+$/m,
      );
      expect(metrics).toContain("# TYPE db_client_connection_wait_time_seconds histogram");

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

  test(`the ${rt} worker runs a demo batch on the embedded default (as npm start does), prints the truth in order, and exits 0`, async () => {
    // As `npm start` runs it: no PORT, and colour left to the worker (output is a pipe, not a terminal).
    const w = new WorkerProcess(rt, {
      DEMO_JOBS: "40",
      WORKER_ID: `${run}-${rt}-embedded`,
      PORT: undefined,
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
    });
    const exit = await w.exited;
    expect(exit.code, w.output()).toBe(0);
    // Not a terminal: no colour, no cursor movement.
    expect(w.raw.includes("\x1b"), JSON.stringify(w.raw.slice(0, 2_000))).toBe(false);
    const lines = w.lines.filter((line) => line !== "");
    const progress = /^done \d+ · in flight \d+ · queued \d+ · db \d+\/\d+ borrowed\/idle$/;
    expect(lines[0], w.output()).toMatch(/queue in postgres, database embedded \(PGlite\)/);
    expect(lines[0]).toMatch(/40 demo job\(s\) enqueued; exits when the queue is empty$/);
    // A process that exits serves no status page, and does not advertise one.
    expect(lines.join("\n")).not.toMatch(/status|http:/);
    expect(lines[1]).toBe("ready");
    for (const line of lines.slice(2, -2)) expect(line, w.output()).toMatch(progress);
    // The last progress line is the final state: nothing in flight, queued or borrowed.
    expect(lines.at(-3), w.output()).toMatch(/^done 40 · in flight 0 · queued 0 · db 0\/\d+ borrowed\/idle$/);
    expect(lines.at(-2)).toMatch(/^summary: 40 done, 0 requeued, 0 failed/);
    expect(lines.at(-1)).toBe("resources closed");
  });

  test(`the ${rt} worker that cannot reach PostgreSQL says so in one message, then closes, and exits 1`, async () => {
    const port = await closedPort();
    const w = new WorkerProcess(rt, {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`,
      WORKER_ID: `${run}-${rt}-unreachable`,
      DEMO_JOBS: "1",
    });
    const exit = await w.exited;
    expect(exit.code, w.output()).toBe(1);
    const lines = w.lines.filter((line) => line !== "");
    const error = lines.findIndex((line) => line.startsWith("error: "));
    expect(error, w.output()).toBeGreaterThanOrEqual(0);
    // What failed, where the address came from, and why.
    expect(lines[error]).toContain(`PostgreSQL at 127.0.0.1:${port}, database "test" (address from DATABASE_URL)`);
    expect(lines.slice(error).join("\n")).toContain("ECONNREFUSED");
    // In order: the failure, then the clean-up; no driver stack trace.
    expect(lines.at(-1)).toBe("resources closed");
    expect(lines.indexOf("resources closed")).toBeGreaterThan(error);
    expect(lines.filter((line) => /^\s+at /.test(line)), w.output()).toEqual([]);
  });
});
