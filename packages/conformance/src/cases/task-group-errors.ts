import { deferred, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { type CancelledT, groupHelpers, type TaskGroupErrorT } from "./task-group-support.ts";
import { lookAlikes } from "./look-alikes.ts";

// Task groups, failures: the first failure cancels the rest, every failure comes out in one
// TaskGroupError, and a cancellation is recognised by identity, never by name.
export function taskGroupErrorCases(s: Suite): void {
  const { corral: c } = s;
  const { Cancelled, CancelScope, TaskGroupError, taskGroup } = c;
  const { until, isCancelled, failOnAbort } = groupHelpers(c);

  // --- failures --------------------------------------------------------------

  s.case("TG-04", "a failing child cancels its siblings and the body with a sibling Cancelled", async () => {
    const boom = new Error("boom");
    let siblingSaw: unknown;
    let bodySaw: unknown;
    const error = await rejects(
      taskGroup(async (tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch (e) {
            siblingSaw = e;
            throw e;
          }
        });
        tg.spawn(async () => {
          await c.sleep(1);
          throw boom;
        });
        try {
          await until(tg.signal);
        } catch (e) {
          bodySaw = e;
          throw e;
        }
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1, "the cancellations are not failures");
    equal(error.errors[0], boom, "the failure itself, unwrapped");
    ok(isCancelled(siblingSaw, "sibling"), "the sibling saw a sibling Cancelled");
    equal((siblingSaw as CancelledT).cause, boom, "caused by the failure");
    equal(bodySaw, siblingSaw, "the body saw the same reason");
  });

  s.case("TG-05", "strict: even a single failure is a TaskGroupError (an AggregateError)", async () => {
    const boom = new Error("only one");
    const error = await rejects(taskGroup((tg) => void tg.spawn(() => Promise.reject(boom))), TaskGroupError);
    ok(error instanceof AggregateError);
    equal((error as Error).name, "TaskGroupError");
    equal((error as TaskGroupErrorT).errors.length, 1);
    equal((error as TaskGroupErrorT).errors[0], boom);
  });

  s.case("TG-06", "errors raised while the siblings are being cancelled are collected, in order", async () => {
    const first = new Error("first");
    const inCleanup = new Error("cleanup failed");
    const inCatch = new Error("catch failed");
    const error = await rejects(
      taskGroup((tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } finally {
            // deno-lint-ignore no-unsafe-finally
            throw inCleanup;
          }
        });
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch {
            throw inCatch;
          }
        });
        tg.spawn(async () => {
          await c.sleep(1);
          throw first;
        });
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 3);
    equal(error.errors[0], first, "the failure that cancelled the group comes first");
    ok(error.errors.includes(inCleanup) && error.errors.includes(inCatch), "nothing is lost");
  });

  s.case("TG-07", "the body failing while children run cancels them; its error is in the TaskGroupError", async () => {
    const boom = new Error("body failed");
    let childSaw: unknown;
    const error = await rejects(
      taskGroup(async (tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch (e) {
            childSaw = e;
            throw e;
          }
        });
        await s.tick();
        throw boom;
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1);
    equal(error.errors[0], boom);
    ok(isCancelled(childSaw, "sibling"), "the child was cancelled");
  });

  s.case("TG-08", "every child settles, its cleanup included, before taskGroup rejects", async () => {
    const cleaned = [false, false, false];
    let settledWhenRejected: boolean[] | undefined;
    await taskGroup((tg) => {
      for (let i = 0; i < 3; i++) {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } finally {
            await c.shield(() => c.sleep(3 * (i + 1)), { timeout: 10_000 });
            cleaned[i] = true;
          }
        });
      }
      tg.spawn(() => {
        throw new Error("boom");
      });
    }).catch(() => {
      settledWhenRejected = [...cleaned];
    });
    equal(settledWhenRejected?.join(), "true,true,true", "all cleanups had run");
  });

  s.case("TG-09", "cancellations of the children are not failures, whatever shape they take", async () => {
    const boom = new Error("real failure");
    const error = await rejects(
      taskGroup((tg) => {
        // Rethrows the group's reason itself.
        tg.spawn((signal) => until(signal));
        // Wraps it as the cause of its own error.
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch (e) {
            throw new Error("request aborted", { cause: e });
          }
        });
        // Throws a platform AbortError.
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch {
            throw new DOMException("The operation was aborted", "AbortError");
          }
        });
        // Catches the cancellation and finishes normally.
        tg.spawn(async (signal) => {
          await until(signal).catch(() => {});
          return "ok";
        });
        tg.spawn(async () => {
          await s.tick();
          throw boom;
        });
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1, "only the real failure");
    equal(error.errors[0], boom);
  });

  s.case("TG-10", "a child that throws synchronously fails as a task, not from spawn()", async () => {
    const boom = new Error("sync");
    let spawned: unknown;
    const error = await rejects(
      taskGroup((tg) => {
        spawned = tg.spawn(() => {
          throw boom;
        });
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    ok(spawned !== undefined, "spawn() returned the task");
    equal(error.errors[0], boom);
  });

  s.case("TG-11", "a body that rethrows a child's failure (by awaiting it) counts it once", async () => {
    const boom = new Error("once");
    const error = await rejects(
      taskGroup(async (tg) => {
        const task = tg.spawn(async () => {
          await s.tick();
          throw boom;
        });
        await task;
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1);
    equal(error.errors[0], boom);
  });

  // --- cancellation is recognised by identity, never by name ------------------

  s.case(
    "TG-50",
    'a child\'s own error named "Cancelled" is a failure, also while an enclosing scope cancels the group',
    async () => {
      const controller = new AbortController();
      const own = lookAlikes(c);
      const group = taskGroup((tg) => {
        for (const error of own) tg.spawn(failOnAbort(error));
        tg.spawn((signal) => until(signal)); // a plain cancellation: not a failure
      }, { signal: controller.signal });
      await s.tick();
      controller.abort(new Error("shutdown"));
      const error = await rejects(group, TaskGroupError) as TaskGroupErrorT;
      equal(error.errors.length, own.length, "every child's own error, and nothing else");
      own.forEach((e, i) => equal(error.errors[i], e, `error ${i}`));
    },
  );

  s.case(
    "TG-51",
    'the body\'s own error named "Cancelled" is a failure while the enclosing CancelScope cancels the group',
    async () => {
      const scope = new CancelScope();
      const [own] = lookAlikes(c);
      const error = await rejects(
        scope.run(() =>
          taskGroup(async (tg) => {
            tg.spawn((signal) => until(signal));
            await s.tick();
            scope.cancel("stop");
            await failOnAbort(own)(tg.signal);
          })
        ),
        TaskGroupError,
      ) as TaskGroupErrorT;
      equal(error.errors.length, 1);
      equal(error.errors[0], own);
      equal(scope.cancelledCaught, false, "the scope did not take the failure for its cancellation");
    },
  );

  s.case(
    "TG-52",
    "a cancellation from further up (an ancestor's reason, a foreign signal's) is not a failure",
    async () => {
      const controller = new AbortController();
      const reason = new Error("shutdown");
      const outer = new CancelScope({ signal: controller.signal });
      const pending = outer.run(() =>
        new CancelScope().run(() =>
          taskGroup((tg) => {
            // The foreign signal's own reason, as is and wrapped.
            tg.spawn(() => c.sleep(Infinity, { signal: controller.signal }));
            tg.spawn(async () => {
              try {
                await c.sleep(Infinity, { signal: controller.signal });
              } catch (e) {
                throw new Error("request aborted", { cause: e });
              }
            });
            // The outermost scope's reason (a parent Cancelled caused by the foreign one).
            tg.spawn(() => until(outer.signal));
            tg.spawn((signal) => until(signal));
          })
        )
      );
      await s.tick();
      controller.abort(reason);
      equal(await rejects(pending), reason, "the foreign reason came out, unwrapped");
    },
  );

  s.case(
    "TG-58",
    "currentSignal() in a task is its own signal throughout, also in a start() child; a shield in its cleanup is not cancelled",
    async () => {
      await taskGroup(async (tg) => {
        const seen: unknown[] = [];
        const task = tg.spawn(async () => {
          seen.push(c.currentSignal());
          await s.tick();
          seen.push(c.currentSignal());
          try {
            await c.sleep(60_000); // the ambient signal: the task's
          } finally {
            seen.push(c.currentSignal()?.aborted);
            // Cleanup that awaits takes a shield: its own signal, bounded, not the cancelled one.
            await c.shield(async (signal) => {
              seen.push(c.currentSignal() === signal && !signal.aborted);
              await c.sleep(1);
              seen.push("cleaned");
            }, { timeout: 10_000 });
          }
        });
        await s.tick();
        await s.tick();
        task.cancel("enough");
        await rejects(task, Cancelled);
        equal(seen[0], task.signal, "before an await");
        equal(seen[1], task.signal, "after an await");
        equal(seen.slice(2).join(), "true,true,cleaned", "task.cancel() aborted it; the shield's ran to the end");

        const release = deferred();
        const inside: boolean[] = [];
        await tg.start(async (signal, started) => {
          inside.push(c.currentSignal() === signal);
          started();
          await s.tick();
          inside.push(c.currentSignal() === signal);
          await release.promise;
        });
        release.resolve();
        equal(inside.join(), "true", "before started()");
        await s.tick();
        await s.tick();
        equal(inside.join(), "true,true", "and after it, once the child moved into the group");
      });
    },
  );
}
