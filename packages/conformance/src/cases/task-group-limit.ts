import { equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { groupHelpers, type TaskGroupErrorT } from "./task-group-support.ts";

// Task groups: `limit`, at most that many children at once.
export function taskGroupLimitCases(s: Suite): void {
  const { corral: c } = s;
  const { Cancelled, TaskGroupError, taskGroup } = c;
  const { isCancelled } = groupHelpers(c);

  // --- limit -----------------------------------------------------------------

  s.case("TG-33", "limit: at most N children run at once; the rest start in spawn order as slots free", async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    await taskGroup((tg) => {
      for (let i = 0; i < 10; i++) {
        tg.spawn(async (signal) => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await c.sleep(1 + (i % 3), { signal });
          running--;
        });
      }
      equal(started.length, 3, "three started at once");
    }, { limit: 3 });
    equal(peak, 3);
    equal(started.join(), "0,1,2,3,4,5,6,7,8,9", "FIFO");
  });

  s.case("TG-34", "limit: a cancelled group drops queued children without running them", async () => {
    const ran: number[] = [];
    const queued: Promise<unknown>[] = [];
    const error = await rejects(
      taskGroup((tg) => {
        tg.spawn(async () => {
          ran.push(0);
          await s.tick();
          throw new Error("boom");
        });
        for (let i = 1; i < 5; i++) {
          const task = tg.spawn(() => {
            ran.push(i);
          });
          queued.push(task.then(() => "fulfilled", (e: unknown) => e));
        }
      }, { limit: 1 }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(ran.join(), "0", "the queued children never ran");
    equal(error.errors.length, 1, "dropping is not a failure");
    const outcomes = await Promise.all(queued);
    for (const outcome of outcomes) {
      ok(isCancelled(outcome, "sibling"), "a queued task rejects with a Cancelled");
      ok(/never started/.test((outcome as Error).message), "that says it never started");
    }
  });

  s.case("TG-35", "limit: cancelling a queued task means it never starts; the group is unaffected", async () => {
    let ranQueued = false;
    await taskGroup(async (tg) => {
      tg.spawn((signal) => c.sleep(3, { signal }));
      const queued = tg.spawn(() => {
        ranQueued = true;
      });
      const next = tg.spawn(() => Promise.resolve("next"));
      queued.cancel("skip it");
      equal(queued.done, true, "settled at once");
      await rejects(queued, Cancelled);
      equal(await next, "next", "the one behind it still runs");
    }, { limit: 1 });
    equal(ranQueued, false);
  });

  s.case("TG-36", "limit is never exceeded and every child settles, across many random shapes", async () => {
    // A seeded generator: the same shapes on every runtime.
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    for (let round = 0; round < 25; round++) {
      const limit = 1 + Math.floor(random() * 4);
      const count = Math.floor(random() * 12);
      const failAt = random() < 0.3 ? Math.floor(random() * (count + 1)) : -1;
      let running = 0;
      let peak = 0;
      let settled = 0;
      const tasks: PromiseLike<unknown>[] = [];
      const outcome = await taskGroup((tg) => {
        for (let i = 0; i < count; i++) {
          const shape = Math.floor(random() * 3);
          tasks.push(tg.spawn(async (signal) => {
            running++;
            peak = Math.max(peak, running);
            try {
              if (shape === 1) await s.tick();
              if (shape === 2) await c.sleep(1, { signal });
              if (i === failAt) throw new Error(`fail ${i}`);
            } finally {
              running--;
            }
          }));
        }
      }, { limit }).then(() => "ok", (e: unknown) => e);
      for (const task of tasks) await Promise.resolve(task).then(() => settled++, () => settled++);
      ok(peak <= limit, `round ${round}: peak ${peak} exceeds limit ${limit}`);
      equal(settled, count, `round ${round}: every child settled`);
      equal(running, 0);
      ok(failAt === -1 || failAt >= count ? outcome === "ok" : outcome instanceof TaskGroupError, `round ${round}`);
    }
  });

  s.case("TG-37", "limit: 10,000 queued synchronous children run in order without exhausting the stack", async () => {
    let next = 0;
    let inOrder = true;
    await taskGroup((tg) => {
      for (let i = 0; i < 10_000; i++) {
        tg.spawn(() => {
          if (next++ !== i) inOrder = false;
        });
      }
    }, { limit: 2 });
    equal(next, 10_000);
    ok(inOrder);
  });
}
