import { delay, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { groupHelpers, type TaskGroupErrorT, type TaskGroupT } from "./task-group-support.ts";

// Task groups, the basics: the body, its children and its value; spawning.
export function taskGroupBasicCases(s: Suite): void {
  const { corral: c } = s;
  const { TaskGroup, TaskGroupError, taskGroup } = c;
  const { until } = groupHelpers(c);

  // --- the body, children, and the value -----------------------------------

  s.case("TG-01", "taskGroup runs the body, waits for every child, and returns the body's value", async () => {
    const order: string[] = [];
    const value = await taskGroup((tg) => {
      tg.spawn(async (signal) => {
        await c.sleep(5, { signal });
        order.push("slow child");
      });
      tg.spawn(async () => {
        await s.tick();
        order.push("quick child");
      });
      order.push("body");
      return 42;
    });
    equal(value, 42);
    equal(order.join(), "body,quick child,slow child", "the group returned only after both children");
  });

  s.case("TG-02", "spawn calls fn(signal) at once and returns a Task that settles with fn's value", async () => {
    await taskGroup(async (tg) => {
      let received: AbortSignal | undefined;
      const task = tg.spawn(async (signal) => {
        received = signal;
        await c.sleep(1, { signal });
        return "value";
      }, { name: "worker" });
      ok(received instanceof AbortSignal, "fn was called synchronously with an AbortSignal");
      equal(task.name, "worker");
      equal(task.done, false);
      equal(task.result, undefined, "no result before it settles");
      equal(await task, "value");
      equal(task.done, true);
      equal(task.result, "value");
      equal(task.signal, received, "task.signal is the signal fn received");
      equal(task.signal.aborted, false);
    });
  });

  s.case("TG-03", "a task's name defaults to its function's name; the group's name appears in its error", async () => {
    const error = await rejects(
      taskGroup((tg) => {
        const named = tg.spawn(function fetchUser() {
          return Promise.reject(new Error("no such user"));
        });
        equal(named.name, "fetchUser");
        equal(tg.name, "loader");
      }, { name: "loader" }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    ok(/loader/.test(error.message), `the message names the group: ${error.message}`);
    ok(/no such user/.test(error.message), "and the first failure");
  });

  // --- spawning -----------------------------------------------------------------

  s.case("TG-18", "children may spawn children; the group waits for the grandchildren too", async () => {
    const done: string[] = [];
    await taskGroup((tg) => {
      tg.spawn(async () => {
        await s.tick();
        tg.spawn(async () => {
          await c.sleep(3);
          tg.spawn(async () => {
            await c.sleep(3);
            done.push("great-grandchild");
          });
          done.push("grandchild");
        });
        done.push("child");
      });
    });
    equal(done.join(), "child,grandchild,great-grandchild");
  });

  s.case(
    "TG-19",
    "spawning into a cancelling group starts the child already aborted, and its cleanup runs",
    async () => {
      let lateAborted: boolean | undefined;
      let lateCleaned = false;
      const error = await rejects(
        taskGroup((tg) => {
          tg.spawn(async (signal) => {
            try {
              await until(signal);
            } finally {
              tg.spawn(async (late) => {
                lateAborted = late.aborted;
                try {
                  await until(late);
                } finally {
                  lateCleaned = true;
                }
              });
            }
          });
          tg.spawn(() => Promise.reject(new Error("boom")));
        }),
        TaskGroupError,
      ) as TaskGroupErrorT;
      equal(lateAborted, true);
      ok(lateCleaned, "the late child's cleanup ran before the group finished");
      equal(error.errors.length, 1);
    },
  );

  s.case("TG-20", "spawning or starting into a group that has finished throws", async () => {
    let saved: TaskGroupT | undefined;
    await taskGroup((tg) => {
      saved = tg;
    });
    throws(() => saved!.spawn(() => Promise.resolve(1)), Error, /finished/);
    await rejects(saved!.start((_signal, started) => started()), Error, /finished/);
  });

  s.case("TG-21", "no unhandled rejection on any path, even when nobody awaits the tasks", async () => {
    await rejects(taskGroup((tg) => {
      tg.spawn(() => Promise.reject(new Error("not awaited")));
      tg.spawn((signal) => until(signal));
    }));
    await taskGroup((tg) => {
      const task = tg.spawn((signal) => until(signal));
      task.cancel();
    });
    await rejects(taskGroup((tg) => {
      tg.spawn(async () => {
        await s.tick();
        throw new Error("queued behind limit");
      });
      tg.spawn(() => Promise.resolve(1));
      tg.spawn(() => Promise.resolve(2));
    }, { limit: 1 }));
    {
      await using tg = new TaskGroup();
      tg.spawn(() => Promise.reject(new Error("joined")));
      await rejects(tg.join());
    }
    // Let the runtime notice an unhandled rejection while this case runs.
    await delay(10);
  });
}
