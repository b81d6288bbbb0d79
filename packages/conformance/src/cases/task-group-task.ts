import { equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { type CancelledT, groupHelpers, type TaskGroupErrorT } from "./task-group-support.ts";

// Task groups: the Task a spawn returns.
export function taskGroupTaskCases(s: Suite): void {
  const { corral: c } = s;
  const { Cancelled, TaskGroupError, taskGroup } = c;
  const { until } = groupHelpers(c);

  // --- Task ------------------------------------------------------------------

  s.case("TG-22", "task.cancel() cancels that task only; awaiting it rejects with its explicit Cancelled", async () => {
    await taskGroup(async (tg) => {
      const a = tg.spawn((signal) => until(signal));
      const b = tg.spawn(async (signal) => {
        await c.sleep(5, { signal });
        return "b";
      });
      a.cancel("not needed");
      const error = await rejects(a, Cancelled) as CancelledT;
      equal(error.kind, "explicit");
      ok(/not needed/.test(error.message));
      equal(error.cause, "not needed");
      equal(a.signal.reason, error, "the task's signal carries it");
      equal(await b, "b", "the sibling carries on");
      equal(tg.signal.aborted, false, "the group is unaffected");
    });
  });

  s.case(
    "TG-23",
    "a task that completes despite task.cancel() keeps its value; cancelling a done task does nothing",
    async () => {
      await taskGroup(async (tg) => {
        const task = tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch {
            return "recovered";
          }
        });
        task.cancel();
        equal(await task, "recovered");
        const done = tg.spawn(() => Promise.resolve("done"));
        await done;
        done.cancel();
        equal(await done, "done");
        equal(done.signal.aborted, false);
      });
    },
  );

  s.case(
    "TG-24",
    "task.cancel() reaches a task whose function declares no parameter, through task.signal",
    async () => {
      await taskGroup(async (tg) => {
        const task = tg.spawn(async () => {
          await s.tick();
          await until(task.signal);
        });
        await s.tick();
        task.cancel();
        const error = await rejects(task, Cancelled) as CancelledT;
        equal(error.kind, "explicit");
      });
    },
  );

  s.case(
    "TG-25",
    "inside a task currentSignal() is the task's signal, and task.cancel() stops ambient waits",
    async () => {
      await taskGroup(async (tg) => {
        let ambient: AbortSignal | undefined;
        const task = tg.spawn(async () => {
          ambient = c.currentSignal();
          await c.sleep(60_000); // no signal: the ambient one
        });
        await s.tick();
        equal(ambient, task.signal);
        task.cancel();
        await rejects(task, Cancelled);
        equal(c.currentSignal(), tg.signal, "the body's ambient signal is the group's");
      });
    },
  );

  s.case("TG-26", "a Task is a thenable: Promise.all, catch and finally work on it", async () => {
    let caught: unknown;
    let finallyRan = false;
    const error = await rejects(
      taskGroup(async (tg) => {
        const [a, b] = await Promise.all([tg.spawn(() => Promise.resolve(1)), tg.spawn(() => Promise.resolve(2))]);
        equal(a + b, 3);
        const failing = tg.spawn(async () => {
          await s.tick();
          throw new Error("handled here, still a failure of the group");
        });
        equal(String(failing), "[object Task]");
        caught = await failing.finally(() => {
          finallyRan = true;
        }).catch((e: Error) => e.message);
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    ok(/handled here/.test(String(caught)));
    ok(finallyRan);
    equal(error.errors.length, 1);
  });
}
