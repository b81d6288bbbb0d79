// The semaphore across real processes of this runtime: contention between
// pools in four processes, and a holder killed with SIGKILL.
import { createSemaphore } from "../../src/mod.ts";
import { equal, ok } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { startWorker, type Worker } from "../processes.ts";
import { URL, withAdmin } from "../support.ts";

export function processCases(s: RedisSuite): void {
  s.case(
    "MP-01",
    "4 processes x pools of max 5 sharing a semaphore of 8 never hold more than 8 at once",
    () =>
      withAdmin(async (admin, keys) => {
        const limit = 8;
        const workers: Worker[] = [];
        await using sem = createSemaphore({ name: "shared", prefix: keys, limit, url: URL });
        try {
          for (let i = 0; i < 4; i++) workers.push(startWorker(await s.worker(["contend", URL, keys, "8", "5", "60"])));
          await Promise.all(workers.map((w) => w.line("ready")));
          await admin.set(`${keys}go`, "1");
          let sampled = 0;
          const sampling = (async () => {
            while (workers.some((w) => !w.done)) {
              sampled = Math.max(sampled, await sem.count());
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          })();
          const done = await Promise.all(workers.map((w) => w.line("done")));
          await sampling;
          const codes = await Promise.all(workers.map((w) => w.exited));
          deepCodes(codes, workers);
          const created = done.reduce((sum, line) => sum + Number(line.split(" ")[1]), 0);
          const peak = Number(await admin.get(`${keys}peak`));
          ok(peak <= limit, `at most ${limit} resources alive at once, saw ${peak}`);
          ok(sampled <= limit, `at most ${limit} permits held at once, sampled ${sampled}`);
          ok(peak > 5, `processes really contended (peak ${peak} > one pool's max 5)`);
          equal(created, 240, "every lease ran on a fresh resource (maxUses 1)");
          equal(Number(await admin.get(`${keys}live`)), 0, "every resource was destroyed");
          equal(await sem.count(), 0, "every permit was released");
        } finally {
          for (const w of workers) if (!w.done) w.kill("SIGKILL");
          await Promise.all(workers.map((w) => w.exited));
        }
      }),
  );

  s.case(
    "MP-02",
    "a process SIGKILLed while holding permits holds them only until their lease expires",
    () =>
      withAdmin(async (_admin, keys) => {
        const ttl = 1500;
        await using sem = createSemaphore({ name: "shared", prefix: keys, limit: 2, ttl, url: URL });
        const worker = startWorker(await s.worker(["hold", URL, keys, "2", String(ttl), "2"]));
        try {
          await worker.line("held");
          equal(await sem.count(), 2, "the child holds both slots");
          equal(await sem.tryAcquire(), undefined);
          worker.kill("SIGKILL");
          equal(await worker.exited, "SIGKILL");
          const killedAt = Date.now();
          equal(await sem.count(), 2, "a dead holder keeps its slots until the lease runs out");
          const a = await sem.acquire({ timeout: ttl + 10_000 });
          const b = await sem.acquire({ timeout: ttl + 10_000 });
          ok(Date.now() - killedAt < ttl + 10_000, "freed by expiry");
          equal(await sem.count(), 2);
          await a.release();
          await b.release();
        } finally {
          if (!worker.done) worker.kill("SIGKILL");
          await worker.exited;
        }
      }),
  );
}

function deepCodes(codes: (number | string)[], workers: Worker[]): void {
  codes.forEach((code, i) => equal(code, 0, `worker ${i} exit code; ${workers[i]!.output()}`));
}
