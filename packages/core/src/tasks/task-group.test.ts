import { AsyncLocalStorage } from "node:async_hooks";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CancelScope } from "../cancellation/cancel-scope.ts";
import { currentSignal } from "../cancellation/context.ts";
import { diagnostics } from "../base/diagnostics.ts";
import { Cancelled, TaskGroupError } from "../base/errors.ts";
import { installRuntime } from "../base/runtime.ts";
import { sleep } from "../cancellation/sleep.ts";
import { type Started, TaskGroup, taskGroup } from "./task-group.ts";
import type { Task } from "./task.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const until = (signal: AbortSignal) => sleep(Infinity, { signal });

function expectNothingLive(): void {
  expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
}

type Kind = "ok" | "fail" | "sync" | "syncThrow" | "spawn";
interface Spec {
  kind: Kind;
  ms: number;
  takesSignal: boolean;
  cancel: boolean;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  kind: fc.constantFrom<Kind>("ok", "ok", "fail", "sync", "syncThrow", "spawn"),
  ms: fc.integer({ min: 0, max: 2 }),
  takesSignal: fc.boolean(),
  cancel: fc.boolean(),
});

describe("taskGroup properties", () => {
  test("limit is never exceeded, every child settles, and exactly the thrown errors are collected", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
        fc.array(spec, { maxLength: 14 }),
        async (limit, specs) => {
          let running = 0;
          let peak = 0;
          let spawned = 0;
          let settled = 0;
          const thrown: unknown[] = [];
          const watch = (task: Task<unknown>) => {
            spawned++;
            task.then(() => settled++, () => settled++);
          };
          const work = (s: Spec, tg: TaskGroup, depth: number): (signal: AbortSignal) => unknown => {
            const body = async (signal?: AbortSignal) => {
              running++;
              peak = Math.max(peak, running);
              try {
                if (s.kind === "sync" || s.kind === "syncThrow") return;
                await sleep(s.ms, signal && { signal });
                if (s.kind === "fail") {
                  const error = new Error(`failed at depth ${depth}`);
                  thrown.push(error);
                  throw error;
                }
                if (s.kind === "spawn" && depth < 2) {
                  watch(tg.spawn(work({ ...s, kind: "ok" }, tg, depth + 1)));
                  watch(tg.spawn(work({ ...s, kind: s.cancel ? "fail" : "sync" }, tg, depth + 1)));
                }
              } finally {
                running--;
              }
            };
            if (s.kind === "sync" || s.kind === "syncThrow") {
              return () => {
                running++;
                peak = Math.max(peak, running);
                running--;
                if (s.kind === "syncThrow") {
                  const error = new Error("sync failure");
                  thrown.push(error);
                  throw error;
                }
                return 1;
              };
            }
            return s.takesSignal ? (signal: AbortSignal) => body(signal) : () => body();
          };
          const outcome = await taskGroup((tg) => {
            for (const s of specs) {
              const task = tg.spawn(work(s, tg, 0));
              watch(task);
              if (s.cancel) task.cancel();
            }
          }, { limit }).then(() => undefined, (e: unknown) => e);
          await tick();
          expect(peak).toBeLessThanOrEqual(limit);
          expect(settled).toBe(spawned);
          expect(running).toBe(0);
          if (thrown.length === 0) {
            expect(outcome).toBeUndefined();
          } else {
            expect(outcome).toBeInstanceOf(TaskGroupError);
            expect(new Set((outcome as TaskGroupError).errors)).toEqual(new Set(thrown));
          }
          expectNothingLive();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("spawn: who gets which signal", () => {
  test("a function that declares no parameter gets the group's shared signal, and no node of its own", async () => {
    await taskGroup((tg) => {
      let received: unknown;
      const before = diagnostics().links;
      tg.spawn(function (this: unknown, ...args: unknown[]) {
        received = args[0];
      });
      expect(received).toBe(tg.signal);
      expect(diagnostics().links).toBe(before);
    });
  });

  test("a function that declares a parameter gets a signal of its own, linked under the group", async () => {
    await taskGroup(async (tg) => {
      let received: AbortSignal | undefined;
      const task = tg.spawn(async (signal) => {
        received = signal;
        await until(signal);
      });
      expect(received).not.toBe(tg.signal);
      expect(task.signal).toBe(received);
      expect(diagnostics().links).toBe(2); // the task under the group, the sleep under the task
      task.cancel();
      await task.then(undefined, () => {});
    });
    expectNothingLive();
  });

  test("a signal read after the task settled is linked nowhere and says whether the group had cancelled it", async () => {
    let late: Task<void> | undefined;
    let early: Task<void> | undefined;
    await taskGroup((tg) => {
      early = tg.spawn(() => {});
      late = tg.spawn(async () => {
        await tick();
      });
      tg.cancel();
    });
    expect(early!.signal.aborted).toBe(false);
    expect(late!.signal.aborted).toBe(true);
    expect(late!.signal.reason).toBeInstanceOf(Cancelled);
    expectNothingLive();
  });

  test("cancelling 1,000 children on a foreign outer signal uses one listener, not one per task", async () => {
    const controller = new AbortController();
    const group = taskGroup((tg) => {
      for (let i = 0; i < 1_000; i++) tg.spawn((signal) => until(signal));
    }, { signal: controller.signal });
    await tick();
    expect(diagnostics().listeners).toBe(1);
    expect(diagnostics().links).toBe(2_000);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(group).rejects.toBe(reason);
    expectNothingLive();
  });
});

describe("Task", () => {
  test("result stays undefined for a rejected task; then() and catch() see the error", async () => {
    const boom = new Error("boom");
    await taskGroup(async (tg) => {
      const task = tg.spawn(() => Promise.reject(boom));
      await expect(task.catch((e) => e)).resolves.toBe(boom);
      expect(task.result).toBeUndefined();
      expect(task.done).toBe(true);
      // Awaiting again after settling reuses the outcome.
      await expect(Promise.resolve(task)).rejects.toBe(boom);
    }).catch(() => {});
  });

  test("cancel(reason) with an Error uses its message and keeps it as the cause", async () => {
    await taskGroup(async (tg) => {
      const task = tg.spawn((signal) => until(signal));
      const why = new Error("user left");
      task.cancel(why);
      task.cancel("ignored: already cancelled");
      const error = await task.then(() => undefined, (e) => e as Cancelled);
      expect(error).toBeInstanceOf(Cancelled);
      expect(error!.message).toContain("user left");
      expect(error!.cause).toBe(why);
    });
  });

  test("a queued task can be awaited before it starts and settles when it runs", async () => {
    await taskGroup(async (tg) => {
      const first = tg.spawn((signal) => sleep(2, { signal }).then(() => "first"));
      const second = tg.spawn(() => "second");
      expect(second.done).toBe(false);
      expect(await second).toBe("second");
      expect(first.done).toBe(true);
    }, { limit: 1 });
  });

  test("the signal of a queued task, read before it starts, is the one it receives", async () => {
    await taskGroup(async (tg) => {
      tg.spawn((signal) => sleep(1, { signal }));
      let received: unknown;
      const queued = tg.spawn((...args: unknown[]) => {
        received = args[0];
      });
      const signal = queued.signal;
      await queued;
      expect(received).toBe(signal);
    }, { limit: 1 });
    expectNothingLive();
  });

  test("a queued task whose signal was read, dropped with its group, has an aborted signal", async () => {
    let queued: Task<void> | undefined;
    await taskGroup((tg) => {
      tg.spawn(async () => {
        await tick();
        throw new Error("boom");
      });
      queued = tg.spawn(() => {});
      expect(queued.signal.aborted).toBe(false);
    }, { limit: 1 }).catch(() => {});
    expect(queued!.signal.aborted).toBe(true);
    await expect(Promise.resolve(queued)).rejects.toThrow(/never started/);
    expectNothingLive();
  });
});

describe("TaskGroup", () => {
  test("join() returns the same promise every time", async () => {
    await using tg = new TaskGroup();
    tg.spawn(() => 1);
    const a = tg.join();
    expect(tg.join()).toBe(a);
    await a;
  });

  test("a second dispose returns the first's outcome", async () => {
    const tg = new TaskGroup();
    tg.spawn(() => Promise.reject(new Error("boom")));
    const first = tg[Symbol.asyncDispose]();
    expect(tg[Symbol.asyncDispose]()).toBe(first);
    await expect(first).rejects.toBeInstanceOf(TaskGroupError);
  });

  test("children may be spawned while join() waits; the group finishes after the last", async () => {
    const tg = new TaskGroup();
    const log: string[] = [];
    tg.spawn(async () => {
      await tick();
      tg.spawn(async () => {
        await tick();
        log.push("late");
      });
    });
    await tg.join();
    expect(log).toEqual(["late"]);
    expect(() => tg.spawn(() => 1)).toThrow(/finished/);
  });

  test("a group whose outer signal aborts while idle, then joined, throws nothing (no cancellation was seen)", async () => {
    const controller = new AbortController();
    const tg = new TaskGroup({ signal: controller.signal });
    controller.abort(new Error("outer"));
    expect(tg.signal.aborted).toBe(true);
    await tg.join();
    expectNothingLive();
  });

  test("cancel() after the group finished does nothing", async () => {
    const tg = new TaskGroup();
    tg.spawn(() => 1);
    await tg.join();
    tg.cancel("too late");
    expect(tg.signal.aborted).toBe(false);
  });

  test("the group's reason on failure names the failed task and carries its error", async () => {
    const tg = new TaskGroup();
    const boom = new Error("boom");
    tg.spawn(() => Promise.reject(boom), { name: "fetcher" });
    await expect(tg.join()).rejects.toBeInstanceOf(TaskGroupError);
    const reason = tg.signal.reason as Cancelled;
    expect(reason.kind).toBe("sibling");
    expect(reason.message).toContain('task "fetcher" failed');
    expect(reason.cause).toBe(boom);
  });

  test("the queue compacts as it drains: 5,000 queued tasks behind limit 1 all run", async () => {
    let ran = 0;
    await taskGroup((tg) => {
      for (let i = 0; i < 5_000; i++) {
        tg.spawn(async () => {
          await null;
          ran++;
        });
      }
    }, { limit: 1 });
    expect(ran).toBe(5_000);
  });
});

describe("start()", () => {
  test("the value type is optional when it may be undefined", async () => {
    await taskGroup(async (tg) => {
      const none: void = await tg.start((_signal, started) => started());
      const port: number = await tg.start<number>((_signal, started: Started<number>) => started(80));
      expect(none).toBeUndefined();
      expect(port).toBe(80);
    });
  });

  test("started() after the child finished throws", async () => {
    let saved: Started<void> | undefined;
    await taskGroup(async (tg) => {
      await tg.start((_signal, started) => {
        saved = started;
      }).catch(() => {});
    });
    expect(() => saved!()).toThrow(/already finished/);
  });

  test("with limit, start() waits for a slot like spawn()", async () => {
    const log: string[] = [];
    await taskGroup(async (tg) => {
      tg.spawn(async (signal) => {
        await sleep(2, { signal });
        log.push("first done");
      });
      const value = await tg.start<string>((_signal, started) => {
        log.push("starting");
        started("ready");
      });
      log.push(value);
    }, { limit: 1 });
    expect(log).toEqual(["first done", "starting", "ready"]);
  });

  test("a start() queued when its group is cancelled rejects: it never started", async () => {
    await taskGroup(async (tg) => {
      tg.spawn(async () => {
        await tick();
        throw new Error("boom");
      });
      await expect(tg.start((_signal, started) => started())).rejects.toThrow(/never started/);
    }, { limit: 1 }).catch(() => {});
    expectNothingLive();
  });
});

describe("with an adapter's ambient context", () => {
  beforeAll(() => installRuntime({ context: new AsyncLocalStorage() }));
  afterAll(() => installRuntime({}));

  test("currentSignal() is the task's signal inside a task and the group's inside the body", async () => {
    await taskGroup(async (tg) => {
      expect(currentSignal()).toBe(tg.signal);
      let inside: AbortSignal | undefined;
      const task = tg.spawn(async () => {
        await tick();
        inside = currentSignal();
      });
      await task;
      expect(inside).toBe(task.signal);
    });
    expect(currentSignal()).toBeUndefined();
    expectNothingLive();
  });

  test("a group created without a signal inherits the ambient scope", async () => {
    const scope = new CancelScope();
    let cleaned = false;
    await scope.run(() =>
      taskGroup(async (tg) => {
        tg.spawn(async () => {
          try {
            await sleep(60_000);
          } finally {
            cleaned = true;
          }
        });
        await tick();
        scope.cancel();
      })
    );
    expect(scope.cancelledCaught).toBe(true);
    expect(cleaned).toBe(true);
    expectNothingLive();
  });

  test("start(): the caller's scope governs the child until started(), the group after", async () => {
    await taskGroup(async (tg) => {
      const caller = new CancelScope();
      let child: AbortSignal | undefined;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      await caller.run(() =>
        tg.start(async (signal, started) => {
          child = signal;
          started();
          await released;
        })
      );
      caller.cancel();
      expect(child!.aborted).toBe(false);
      tg.cancel();
      expect(child!.aborted).toBe(true);
      release();
    });
    expectNothingLive();
  });
});
