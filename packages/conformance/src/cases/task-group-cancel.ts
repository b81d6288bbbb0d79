import { equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { type CancelledT, groupHelpers, type TaskGroupErrorT, type TaskGroupT } from "./task-group-support.ts";

// Task groups under outer cancellation: nesting, and the resource scope (a resource outlives
// every task that uses it).
export function taskGroupCancelCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope, TaskGroupError, taskGroup } = c;
  const { until, isCancelled } = groupHelpers(c);

  // --- outer cancellation and nesting ----------------------------------------

  s.case("TG-12", "an outer cancellation during join is rethrown as itself, not wrapped", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    let childSaw: unknown;
    const group = taskGroup((tg) => {
      tg.spawn(async (signal) => {
        try {
          await until(signal);
        } catch (e) {
          childSaw = e;
          throw e;
        }
      });
    }, { signal: controller.signal });
    await s.tick();
    controller.abort(reason);
    const error = await rejects(group);
    equal(error, reason, "the outer reason itself");
    ok(isCancelled(childSaw, "parent"), "the child saw a parent Cancelled");
    equal((childSaw as CancelledT).cause, reason);
  });

  s.case(
    "TG-13",
    "inside a cancelled CancelScope the group rethrows the scope's reason, which the scope catches",
    async () => {
      const scope = new CancelScope();
      let cleaned = false;
      const value = await scope.run((signal) =>
        taskGroup(async (tg) => {
          tg.spawn(async (signal) => {
            try {
              await until(signal);
            } finally {
              cleaned = true;
            }
          });
          await s.tick();
          scope.cancel("stop");
          await until(tg.signal);
        }, { signal })
      );
      equal(value, undefined);
      ok(scope.cancelledCaught, "the scope recognised its own cancellation");
      ok(cleaned);
    },
  );

  s.case(
    "TG-14",
    "an outer cancellation plus a failure in cleanup: the failure wins, as a TaskGroupError",
    async () => {
      const controller = new AbortController();
      const broken = new Error("cleanup failed");
      const group = taskGroup((tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } finally {
            // deno-lint-ignore no-unsafe-finally
            throw broken;
          }
        });
        tg.spawn((signal) => until(signal));
      }, { signal: controller.signal });
      await s.tick();
      controller.abort(new Error("outer"));
      const error = await rejects(group, TaskGroupError) as TaskGroupErrorT;
      equal(error.errors.length, 1);
      equal(error.errors[0], broken);
    },
  );

  s.case(
    "TG-15",
    "an already-aborted outer signal: the body runs, children start aborted, the reason comes out",
    async () => {
      const reason = new Error("too late");
      let bodyRan = false;
      let childAborted: boolean | undefined;
      let cleaned = false;
      const error = await rejects(taskGroup((tg) => {
        bodyRan = true;
        ok(tg.signal.aborted, "the group is cancelled from the start");
        tg.spawn(async (signal) => {
          childAborted = signal.aborted;
          try {
            await until(signal);
          } finally {
            cleaned = true;
          }
        });
      }, { signal: AbortSignal.abort(reason) }));
      equal(error, reason);
      ok(bodyRan);
      equal(childAborted, true);
      ok(cleaned, "the child's cleanup ran");
    },
  );

  s.case("TG-16", "nested groups: an inner failure reaches the outer group wrapped once more, as in Trio", async () => {
    const boom = new Error("inner boom");
    let outerSiblingSaw: unknown;
    const error = await rejects(
      taskGroup((outer) => {
        outer.spawn(async (signal) => {
          try {
            await until(signal);
          } catch (e) {
            outerSiblingSaw = e;
            throw e;
          }
        });
        outer.spawn((signal) =>
          taskGroup((inner) => {
            inner.spawn(async () => {
              await s.tick();
              throw boom;
            });
          }, { signal, name: "inner" })
        );
      }, { name: "outer" }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1);
    const inner = error.errors[0] as TaskGroupErrorT;
    ok(inner instanceof TaskGroupError, "the inner group's error");
    equal(inner.errors[0], boom);
    ok(isCancelled(outerSiblingSaw, "sibling"), "the outer sibling was cancelled");
  });

  s.case(
    "TG-17",
    "nested groups: the outer group's cancellation passes through an inner group without becoming a failure",
    async () => {
      const boom = new Error("outer boom");
      let innerChildSaw: unknown;
      const error = await rejects(
        taskGroup((outer) => {
          outer.spawn(() =>
            // No explicit signal: the inner group inherits the task's, ambiently.
            taskGroup((inner) => {
              inner.spawn(async (signal) => {
                try {
                  await until(signal);
                } catch (e) {
                  innerChildSaw = e;
                  throw e;
                }
              });
            })
          );
          outer.spawn(async () => {
            await c.sleep(1);
            throw boom;
          });
        }),
        TaskGroupError,
      ) as TaskGroupErrorT;
      equal(error.errors.length, 1, "the inner group's cancellation is the outer group's own");
      equal(error.errors[0], boom);
      ok(isCancelled(innerChildSaw, "parent"), "the inner child saw a parent Cancelled");
    },
  );

  // --- the resource scope: the resource outlives every task that uses it -----

  const resourceScope = async (
    fill: (tg: TaskGroupT, use: (ms: number, signal: AbortSignal) => Promise<void>) => void,
    options: { signal?: AbortSignal } = {},
  ) => {
    const log: string[] = [];
    let open = true;
    const use = async (ms: number, signal: AbortSignal) => {
      ok(open, "the resource is open while a task uses it");
      try {
        await c.sleep(ms, { signal });
      } finally {
        await c.shield(() => c.sleep(1), { timeout: 10_000 });
        ok(open, "still open during the task's cleanup");
        log.push("task done");
      }
    };
    const scope = new CancelScope(options);
    const outcome = await scope.run(async () => {
      try {
        await taskGroup((tg) => fill(tg, use));
        return "ok";
      } finally {
        log.push("resource closed");
        open = false;
      }
    }).then((v) => v ?? "cancelled", (e: unknown) => e);
    return { log, outcome, scope };
  };

  s.case(
    "TG-45",
    "resource scope: a group inside it finishes every task before the resource is cleaned up",
    async () => {
      const { log, outcome } = await resourceScope((tg, use) => {
        for (let i = 0; i < 3; i++) tg.spawn((signal) => use(2 + i, signal));
      });
      equal(outcome, "ok");
      equal(log.join(), "task done,task done,task done,resource closed");
    },
  );

  s.case("TG-46", "resource scope: also when the group fails", async () => {
    const { log, outcome } = await resourceScope((tg, use) => {
      for (let i = 0; i < 3; i++) tg.spawn((signal) => use(60_000, signal));
      tg.spawn(async () => {
        await c.sleep(2);
        throw new Error("boom");
      });
    });
    ok(outcome instanceof TaskGroupError);
    equal(log.join(), "task done,task done,task done,resource closed");
  });

  s.case("TG-47", "resource scope: also when the enclosing scope is cancelled", async () => {
    const controller = new AbortController();
    const pending = resourceScope((tg, use) => {
      for (let i = 0; i < 3; i++) tg.spawn((signal) => use(60_000, signal));
    }, { signal: controller.signal });
    await c.sleep(2);
    controller.abort(new Error("shutdown"));
    const { log, outcome } = await pending;
    ok(outcome instanceof Error && outcome.message === "shutdown", "the outer reason propagated");
    equal(log.join(), "task done,task done,task done,resource closed");
  });

  s.case("TG-48", "resource scope with an ExitStack: the group closes before the stack's callbacks run", async () => {
    const log: string[] = [];
    const error = await rejects(async () => {
      await using stack = new c.ExitStack();
      stack.defer(() => void log.push("pool closed"));
      await taskGroup((tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } finally {
            log.push("query cancelled");
          }
        });
        tg.spawn(() => Promise.reject(new Error("boom")));
      });
    }, TaskGroupError);
    ok(error instanceof TaskGroupError);
    equal(log.join(), "query cancelled,pool closed");
  });

  s.case(
    "TG-49",
    "10,000 tasks cancelled mid-flight: every cleanup runs, every task settles, nothing leaks",
    async () => {
      const n = 10_000;
      let started = 0;
      let cleaned = 0;
      const controller = new AbortController();
      const tasks: PromiseLike<unknown>[] = [];
      const group = taskGroup((tg) => {
        for (let i = 0; i < n; i++) {
          tasks.push(tg.spawn(async (signal) => {
            started++;
            try {
              if (i % 2 === 0) await until(signal);
              else await c.sleep(60_000); // ambient: the task's own signal
            } finally {
              cleaned++;
            }
          }));
        }
      }, { signal: controller.signal });
      await s.tick();
      equal(started, n);
      controller.abort(new Error("mid-flight"));
      const error = await rejects(group);
      equal((error as Error).message, "mid-flight");
      equal(cleaned, n, "every cleanup ran before the group settled");
      let settled = 0;
      for (const task of tasks) await Promise.resolve(task).then(() => settled++, () => settled++);
      equal(settled, n);
      const d = c.diagnostics();
      equal(d.links + d.timers + d.listeners, 0, "nothing leaked");
    },
  );
}
