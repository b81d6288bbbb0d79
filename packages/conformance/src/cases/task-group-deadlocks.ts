import { deferred, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { groupHelpers, leaves, noHang, type TaskGroupErrorT, type TaskGroupT } from "./task-group-support.ts";

// Task groups: a wait that would wait for itself is refused at once, with a word.
export function taskGroupDeadlockCases(s: Suite): void {
  const { corral: c } = s;
  const { TaskGroup, TaskGroupError, taskGroup } = c;
  const { until } = groupHelpers(c);

  // --- deadlocks are refused at once, with a word ------------------------------

  const SELF_JOIN = /Cannot (join|dispose) .*from inside .*task.*instead/s;

  s.case(
    "TG-53",
    "a task that awaits its own group's join() fails at once with an error that says what to do instead",
    async () => {
      let inner: unknown;
      let seen: unknown;
      {
        await using tg = new TaskGroup({ name: "workers" });
        tg.spawn(async () => {
          await tg.join().catch((e) => {
            seen = e;
            throw e;
          });
        }, { name: "joiner" });
        tg.spawn((signal) => c.sleep(1, { signal }));
        const error = await noHang(rejects(tg.join(), TaskGroupError), "join()") as TaskGroupErrorT;
        equal(error.errors.length, 1);
        inner = error.errors[0];
      }
      equal(inner, seen, "the task failed with the error its join() rejected with");
      ok(inner instanceof Error && SELF_JOIN.test(inner.message), `says what and what instead: ${inner}`);
      ok(/task group "workers"/.test((inner as Error).message) && /"joiner"/.test((inner as Error).message));
    },
  );

  s.case(
    "TG-54",
    "the same self-wait in other shapes fails at once: nested scope, grandchild, dispose, after a cancel, start()",
    async () => {
      const shapes: [string, (tg: TaskGroupT) => void][] = [
        ["taskGroup's tg joined by a child", (tg) => void tg.spawn(() => tg.join())],
        ["joined inside a scope in the child", (tg) => void tg.spawn(() => c.moveOnAfter(60_000, () => tg.join()))],
        [
          "joined by a grandchild",
          (tg) => void tg.spawn(() => taskGroup((inner) => void inner.spawn(() => tg.join()))),
        ],
        ["disposed by a child", (tg) => void tg.spawn(() => tg[Symbol.asyncDispose]())],
        ["joined by a child's cleanup once the group is cancelled", (tg) => {
          tg.spawn(async (signal) => {
            try {
              await until(signal);
            } finally {
              await tg.join();
            }
          });
          tg.spawn(() => Promise.reject(new Error("boom")));
        }],
      ];
      for (const [what, fill] of shapes) {
        const error = await noHang(rejects(taskGroup(fill), TaskGroupError), what);
        const found = leaves(error).some((e) => e instanceof Error && SELF_JOIN.test(e.message));
        ok(found, `${what}: ${(error as Error).message}`);
      }
      // A start() child joining before started(): the error goes to the caller.
      await taskGroup(async (tg) => {
        const error = await noHang(
          rejects(tg.start(async (_signal, started) => {
            await tg.join();
            started();
          })),
          "start()",
        );
        ok(error instanceof Error && SELF_JOIN.test(error.message), `start(): ${error}`);
      });
    },
  );

  s.case("TG-55", "a task that awaits itself fails at once instead of waiting forever", async () => {
    const error = await noHang(
      rejects(
        taskGroup((tg) => {
          const self: PromiseLike<unknown>[] = [];
          self.push(tg.spawn(async () => {
            await s.tick();
            await self[0];
          }, { name: "ouroboros" }));
        }),
        TaskGroupError,
      ),
      "await task",
    ) as TaskGroupErrorT;
    const inner = error.errors[0];
    ok(
      inner instanceof Error && /Cannot await task "ouroboros" from inside itself.*instead/s.test(inner.message),
      `${inner}`,
    );
  });

  s.case(
    "TG-56",
    "only a self-wait is refused: the body, another group's task, a sibling and a later callback may wait",
    async () => {
      const value = await taskGroup(async (tg) => {
        tg.spawn((signal) => c.sleep(1, { signal }));
        await tg.join(); // the body is not one of the group's tasks
        return "joined";
      });
      equal(value, "joined");

      const first = new TaskGroup();
      first.spawn((signal) => c.sleep(1, { signal }));
      await taskGroup((other) => void other.spawn(() => first.join())); // a task of another group

      const later = deferred<void>();
      {
        await using tg = new TaskGroup();
        const a = tg.spawn(() => c.sleep(1).then(() => 1));
        tg.spawn(async () => equal(await a, 1, "a task awaits its sibling"));
        tg.spawn(() => {
          // Runs in the task's context, after the task has ended.
          setTimeout(() => tg.join().then(later.resolve, later.reject), 0);
        });
        await tg.join();
        await noHang(later.promise, "a join scheduled by a task that has ended");
      }
    },
  );
}
