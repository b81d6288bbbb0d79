import { AssertionError, deferred, delay, equal, ok, rejects, throws } from "../assert.ts";
import type { Corral, Suite } from "../harness.ts";

type TaskGroupErrorT = InstanceType<Corral["TaskGroupError"]>;
type CancelledT = InstanceType<Corral["Cancelled"]>;
type TaskGroupT = InstanceType<Corral["TaskGroup"]>;

// Task groups: taskGroup, TaskGroup, Task. Adapters install the ambient
// context on import, so currentSignal() inside a task is the task's signal
// on every target.
export function taskGroupCases(s: Suite): void {
  const { corral: c } = s;
  const { Cancelled, CancelScope, TaskGroup, TaskGroupError, taskGroup } = c;
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });
  const isCancelled = (e: unknown, kind?: string): e is CancelledT =>
    e instanceof Cancelled && (kind === undefined || e.kind === kind);
  /** Fails with `error` once `signal` aborts: a task's own error raised during a cancellation. */
  const failOnAbort = (error: unknown) => async (signal: AbortSignal) => {
    try {
      await until(signal);
    } catch {
      throw error;
    }
  };

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

  // --- start() ---------------------------------------------------------------

  s.case(
    "TG-27",
    "start() resolves with the value passed to started(); the child keeps running in the group",
    async () => {
      const log: string[] = [];
      await taskGroup(async (tg) => {
        const port = await tg.start<number>(async (signal, started) => {
          log.push("listening");
          started(8080);
          await c.sleep(5, { signal });
          log.push("served");
        });
        equal(port, 8080);
        log.push("caller goes on");
      });
      equal(log.join(), "listening,caller goes on,served", "the group waited for the started child");
    },
  );

  s.case("TG-28", "start(): an error before started() goes to the caller only", async () => {
    const boom = new Error("failed to bind");
    const value = await taskGroup(async (tg) => {
      const sibling = tg.spawn(async (signal) => {
        await c.sleep(3, { signal });
        return "sibling finished";
      });
      const error = await rejects(tg.start(async () => {
        await s.tick();
        throw boom;
      }));
      equal(error, boom, "the caller gets the error itself");
      equal(tg.signal.aborted, false, "the group is not cancelled");
      return await sibling;
    });
    equal(value, "sibling finished");
  });

  s.case("TG-29", "start(): returning without started() rejects start(); a second started() throws", async () => {
    await taskGroup(async (tg) => {
      await rejects(tg.start(async () => {}), Error, /started\(\)/);
      let second: unknown;
      const value = await tg.start<string>((_signal, started) => {
        started("first");
        try {
          started("second");
        } catch (e) {
          second = e;
        }
      });
      equal(value, "first");
      ok(second instanceof Error && /already/.test(second.message), "the second started() threw");
    });
  });

  s.case("TG-30", "start(): after started() the child's failure is the group's failure", async () => {
    const boom = new Error("crashed after start");
    let siblingSaw: unknown;
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
        await tg.start(async (_signal, started) => {
          started();
          await s.tick();
          throw boom;
        });
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors[0], boom);
    ok(isCancelled(siblingSaw, "sibling"));
  });

  s.case("TG-31", "start(): until started() the child lives in the caller's scope, then in the group's", async () => {
    await taskGroup(async (tg) => {
      const caller = new CancelScope();
      let before: boolean | undefined;
      const ready = deferred();
      let signalAfter: AbortSignal | undefined;
      await caller.run(async () => {
        // The caller's scope is cancelled while the child is starting: the child sees it.
        const starting = tg.start(async (signal) => {
          await s.tick();
          caller.cancel("caller gave up");
          before = signal.aborted;
          await until(signal);
        });
        await rejects(starting, Cancelled);
      });
      equal(before, true, "the caller's cancellation reached the starting child");
      equal(tg.signal.aborted, false, "and not the group");
      // Once started, the caller's scope no longer governs the child.
      const other = new CancelScope();
      await other.run(async () => {
        await tg.start(async (signal, started) => {
          signalAfter = signal;
          started();
          await ready.promise;
        });
        other.cancel();
      });
      equal(signalAfter!.aborted, false, "cancelling the former caller's scope does not reach it");
      ready.resolve();
    });
  });

  s.case("TG-32", "start(): a group cancelled while the child is starting cancels it; start() rejects", async () => {
    const boom = new Error("boom");
    const error = await rejects(
      taskGroup(async (tg) => {
        tg.spawn(async () => {
          await s.tick();
          throw boom;
        });
        const error = await rejects(tg.start((signal) => until(signal)), Cancelled);
        equal(error, tg.signal.reason, "the group's own reason");
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1);
  });

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

  // --- TaskGroup (await using) -------------------------------------------------

  s.case("TG-38", "new TaskGroup(): join() waits for every child and throws a TaskGroupError", async () => {
    const boom = new Error("boom");
    let cleaned = false;
    {
      await using tg = new TaskGroup();
      tg.spawn(async (signal) => {
        try {
          await until(signal);
        } finally {
          cleaned = true;
        }
      });
      tg.spawn(async () => {
        await s.tick();
        throw boom;
      });
      const error = await rejects(tg.join(), TaskGroupError) as TaskGroupErrorT;
      equal(error.errors[0], boom);
      ok(cleaned, "the sibling was cancelled and settled before join() returned");
    }
  });

  s.case("TG-39", "leaving an await using block without join() cancels what still runs and waits for it", async () => {
    let cleaned = false;
    let saw: unknown;
    {
      await using tg = new TaskGroup();
      tg.spawn(async (signal) => {
        try {
          await until(signal);
        } catch (e) {
          saw = e;
          throw e;
        } finally {
          await c.shield(() => c.sleep(3), { timeout: 10_000 });
          cleaned = true;
        }
      });
      await s.tick();
    }
    ok(cleaned, "the child's cleanup finished before the block was left");
    ok(isCancelled(saw, "explicit"), "it was cancelled, not waited for");
  });

  s.case("TG-40", "disposing without join() throws the children's failures, not their cancellations", async () => {
    const boom = new Error("failed before the block ended");
    const error = await rejects(async () => {
      await using tg = new TaskGroup();
      tg.spawn(() => Promise.reject(boom));
      tg.spawn((signal) => until(signal));
      await s.tick();
    }, TaskGroupError) as TaskGroupErrorT;
    equal(error.errors.length, 1);
    equal(error.errors[0], boom);
  });

  s.case("TG-41", "disposing after join() does nothing: no second error, nothing cancelled", async () => {
    let tg: TaskGroupT | undefined;
    let joinError: unknown;
    {
      await using group = new TaskGroup();
      tg = group;
      group.spawn(() => Promise.reject(new Error("once")));
      joinError = await rejects(group.join(), TaskGroupError);
    } // leaving the block did not throw again
    ok(joinError instanceof TaskGroupError);
    await tg[Symbol.asyncDispose](); // nor does a second dispose
    {
      await using clean = new TaskGroup();
      clean.spawn(() => Promise.resolve(1));
      await clean.join();
      tg = clean;
    }
    equal(tg.signal.aborted, false, "a joined group is not cancelled by dispose");
  });

  s.case(
    "TG-42",
    "tg.cancel(reason) cancels every child with an explicit Cancelled; join() does not throw it",
    async () => {
      const saw: unknown[] = [];
      {
        await using tg = new TaskGroup({ name: "workers" });
        for (let i = 0; i < 3; i++) tg.spawn((signal) => until(signal).catch((e) => void saw.push(e)));
        tg.spawn((signal) => until(signal));
        await s.tick();
        tg.cancel("enough");
        await tg.join();
        ok(isCancelled(tg.signal.reason, "explicit"));
        ok(/enough/.test((tg.signal.reason as Error).message));
      }
      equal(saw.length, 3);
    },
  );

  s.case(
    "TG-43",
    "tg.cancel() in the body: the group returns undefined if it ended the body, the value if not",
    async () => {
      const ended = await taskGroup(async (tg) => {
        tg.spawn((signal) => until(signal));
        tg.cancel();
        await until(tg.signal);
        return "unreachable";
      });
      equal(ended, undefined);
      const finished = await taskGroup((tg) => {
        tg.spawn((signal) => until(signal));
        tg.cancel();
        return "body finished";
      });
      equal(finished, "body finished");
    },
  );

  s.case("TG-44", "invalid arguments throw TypeError/RangeError naming the option and the value", async () => {
    throws(() => new TaskGroup({ limit: 0 }), RangeError, /'limit'.*0/);
    throws(() => new TaskGroup({ limit: 1.5 }), RangeError, /'limit'.*1\.5/);
    throws(() => new TaskGroup({ limit: "2" as unknown as number }), TypeError, /'limit'.*"2"/);
    throws(() => new TaskGroup({ name: 7 as unknown as string }), TypeError, /'name'.*7/);
    throws(() => new TaskGroup({ signal: {} as AbortSignal }), TypeError, /'signal'/);
    throws(() => new TaskGroup(5 as unknown as object), TypeError, /'options'/);
    await rejects(taskGroup("nope" as unknown as () => void), TypeError, /'fn'.*"nope"/);
    await rejects(taskGroup(() => {}, { limit: -1 }), RangeError, /'limit'.*-1/);
    await taskGroup((tg) => {
      throws(() => tg.spawn(42 as unknown as () => void), TypeError, /'fn'.*42/);
      throws(() => tg.spawn(async () => {}, { name: false as unknown as string }), TypeError, /'name'.*false/);
    });
    equal(new TaskGroup({ limit: Infinity }).name, "", "Infinity is a valid limit");
  });

  s.case(
    "TG-57",
    "limit must be a whole number from 1 to 2^53 - 1, or Infinity: the rest throw naming it",
    async () => {
      for (const bad of [NaN, -1, -0, 0, 0.5, -Infinity, 2 ** 53, 1e300]) {
        const shown = Object.is(bad, -0) ? "-0" : String(bad);
        throws(
          () => new TaskGroup({ limit: bad }),
          RangeError,
          new RegExp(`'limit'.*received ${shown.replace("+", "\\+")}$`),
        );
        await rejects(taskGroup(() => {}, { limit: bad }), RangeError, /'limit'/);
      }
      throws(() => new TaskGroup({ limit: null as unknown as number }), TypeError, /'limit'.*null/);
      throws(() => new TaskGroup({ limit: 2n as unknown as number }), TypeError, /'limit'.*2n/);
      for (const fine of [1, 2 ** 53 - 1, 1e12, Infinity]) {
        const tg = new TaskGroup({ limit: fine });
        tg.spawn(() => "ran");
        await tg.join();
      }
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

/**
 * Settles like `promise`, or fails after `ms` on a host timer: a deadlock
 * fails its case (with a message) instead of hanging the whole run.
 */
function noHang<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what} still hung after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** Every error inside `error`, TaskGroupErrors (AggregateErrors) opened. */
function leaves(error: unknown): unknown[] {
  return error instanceof AggregateError ? error.errors.flatMap(leaves) : [error];
}

/**
 * Errors that look like corral's cancellation but are not one: a domain
 * error named "Cancelled", a class called Cancelled with a `kind`, and a
 * `Cancelled` the user made (it is `instanceof` corral's, but no scope or
 * group of corral's was cancelled with it).
 */
export function lookAlikes(c: Corral): Error[] {
  class OrderCancelled extends Error {
    override get name(): string {
      return "Cancelled";
    }
  }
  class Cancelled extends Error {
    readonly kind = "parent";
    override get name(): string {
      return "Cancelled";
    }
  }
  return [
    new OrderCancelled("order 7 was cancelled by the customer"),
    new Cancelled("another library's cancellation"),
    new c.Cancelled("parent", { message: "made by the user, caused by nothing corral cancelled" }),
  ];
}
