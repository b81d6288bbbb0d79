import { deepEqual, deferred, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { asyncDisposable, type Chain } from "./cleanup-support.ts";

// Exit stacks: withExitStack, exit callbacks that see the error in flight, and enter(cm).
export function exitStackExitCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack, SuppressedError, CancelScope } = c;

  s.case("EX-28", "withExitStack returns the body's value after the callbacks ran", async () => {
    const log: string[] = [];
    const value = await c.withExitStack((stack) => {
      stack.defer(() => void log.push("cleanup"));
      log.push("body");
      return 42;
    });
    equal(value, 42);
    deepEqual(log, ["body", "cleanup"]);
  });

  s.case("EX-29", "withExitStack offers the body's error to exit callbacks, newest first", async () => {
    const body = new Error("body");
    const seen: unknown[] = [];
    const error = await rejects(c.withExitStack((stack) => {
      stack.push((e) => void seen.push(["first", e]));
      stack.push((e) => void seen.push(["second", e]));
      throw body;
    }));
    equal(error, body);
    equal(seen.length, 2);
    deepEqual((seen as [string, unknown][]).map(([n]) => n), ["second", "first"]);
    ok((seen as [string, unknown][]).every(([, e]) => e === body), "both saw the very error");
  });

  s.case(
    "EX-30",
    "an exit returning true suppresses: older callbacks see undefined, the result is undefined",
    async () => {
      const seen: unknown[] = [];
      const value = await c.withExitStack((stack) => {
        stack.push((e) => void seen.push(e));
        stack.push(() => true);
        throw new Error("body");
      });
      equal(value, undefined);
      deepEqual(seen, [undefined]);
    },
  );

  s.case("EX-31", "only exactly true suppresses; truthy values and resolved objects do not", async () => {
    const body = new Error("body");
    for (const result of [1, "yes", {}, Promise.resolve({})]) {
      const error = await rejects(c.withExitStack((stack) => {
        stack.push(() => result);
        throw body;
      }));
      equal(error, body);
    }
    const value = await c.withExitStack((stack) => {
      stack.push(() => Promise.resolve(true));
      return Promise.reject(body);
    });
    equal(value, undefined, "a promise resolving to true suppresses");
  });

  s.case("EX-32", "an exit callback also sees, and may suppress, errors of callbacks that ran before it", async () => {
    const cleanup = new Error("cleanup");
    let seen: unknown;
    const stack = new ExitStack();
    stack.push((e) => {
      seen = e;
      return true;
    });
    stack.defer(() => {
      throw cleanup;
    });
    await stack.close();
    equal(seen, cleanup);
  });

  s.case("EX-33", "withExitStack: a failing cleanup chains onto the body's error", async () => {
    const body = new Error("body");
    const cleanup = new Error("cleanup");
    const error = (await rejects(
      c.withExitStack((stack) => {
        stack.defer(() => Promise.reject(cleanup));
        throw body;
      }),
      SuppressedError,
    )) as Chain;
    equal(error.error, cleanup);
    equal(error.suppressed, body);
  });

  s.case("EX-34", "enter(cm) returns what enter() resolved to; exit gets undefined on a clean close", async () => {
    const seen: unknown[] = [];
    const stack = new ExitStack();
    const value = await stack.enter({
      enter: () => Promise.resolve("conn"),
      exit: (e?: unknown) => void seen.push(e),
    });
    equal(value, "conn");
    await stack.close();
    deepEqual(seen, [undefined]);
  });

  s.case("EX-35", "enter() rejects with TypeError before enter() runs for anything but a context manager", async () => {
    let entered = false;
    const stack = new ExitStack();
    await rejects(stack.enter({ enter: () => (entered = true) } as never), TypeError, /enter\(\) and exit\(\)/);
    await rejects(stack.enter(null as never), TypeError);
    await rejects(stack.enter(asyncDisposable([], "x") as never), TypeError);
    equal(entered, false);
    await stack.close();
  });

  s.case(
    "EX-36",
    "cleanup runs when the closing scope is cancelled, on a signal of its own (also ambient)",
    async () => {
      const scope = new CancelScope();
      const seen: unknown[] = [];
      await scope.run(async (outer) => {
        const stack = new ExitStack();
        stack.defer(async (signal) => {
          await c.sleep(2); // inherits the ambient signal: the shield's, not the cancelled scope's
          seen.push(signal.aborted, c.currentSignal() === signal, outer.aborted);
        });
        scope.cancel();
        await stack.close();
      });
      deepEqual(seen, [false, true, true]);
    },
  );

  s.case("EX-43", "withExitStack waits for a close the body started itself", async () => {
    const gate = deferred();
    let done = false;
    const value = await c.withExitStack((stack) => {
      stack.defer(async () => {
        await gate.promise;
        done = true;
      });
      void stack.close();
      setTimeout(() => gate.resolve(), 1);
      return "v";
    });
    equal(value, "v");
    ok(done);
  });

  s.case("EX-44", "withExitStack rejects a non-function and bad options", async () => {
    await rejects(c.withExitStack(5 as never), TypeError, /'fn' must be a function/);
    await rejects(c.withExitStack(() => 1, { gracePeriod: NaN }), RangeError);
  });
}
