// A task's function runs inside the adapter's context.run() with no closure
// of its own (task.ts hands the function and its signal over in two module
// variables): a task that spawns while it starts must not disturb that.
import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { currentSignal } from "../cancellation/context.ts";
import { diagnostics } from "../base/diagnostics.ts";
import { installRuntime } from "../base/runtime.ts";
import { taskGroup } from "./task-group.ts";

function expectNothingLive(): void {
  expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
}

describe("a task's function under an adapter's ambient context", () => {
  beforeAll(() => installRuntime({ context: new AsyncLocalStorage() }));
  afterAll(() => installRuntime({}));

  test("a task that spawns while it starts: each function runs once, with its own signal in its own context", async () => {
    const seen: string[] = [];
    await taskGroup((tg) => {
      const outer = tg.spawn((signal) => {
        seen.push("outer");
        expect(currentSignal()).toBe(signal);
        const inner = tg.spawn((innerSignal) => {
          seen.push("inner");
          expect(currentSignal()).toBe(innerSignal);
          expect(innerSignal).not.toBe(signal);
          return "inner";
        });
        expect(currentSignal()).toBe(signal);
        expect(inner.result).toBe("inner");
        return "outer";
      });
      expect(outer.result).toBe("outer");
      expect(currentSignal()).toBe(tg.signal);
    });
    expect(seen).toEqual(["outer", "inner"]);
    expectNothingLive();
  });

  test("a context whose run() throws fails that task only; the next task runs its own function", async () => {
    const storage = new AsyncLocalStorage();
    let calls = 0; // the body's run() is the first, the first task's the second
    installRuntime({
      context: {
        getStore: () => storage.getStore(),
        run: <R>(store: unknown, fn: () => R): R => {
          if (calls++ === 1) throw new Error("no context");
          return storage.run(store, fn);
        },
      },
    });
    try {
      const ran: string[] = [];
      const error = await taskGroup((tg) => {
        tg.spawn(() => void ran.push("first"));
        tg.spawn(() => void ran.push("second"));
      }).catch((e: unknown) => e);
      expect(ran).toEqual(["second"]);
      expect(String((error as AggregateError).errors[0])).toContain("no context");
    } finally {
      installRuntime({ context: new AsyncLocalStorage() });
    }
    expectNothingLive();
  });
});
