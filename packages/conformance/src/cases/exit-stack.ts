import { deepEqual, deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";

// Exit stacks: Python's AsyncExitStack semantics on TC39 shapes.
export function exitStackCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack, SuppressedError, TimeoutError, CancelScope } = c;
  type Chain = { error: unknown; suppressed: unknown };
  const asyncDisposable = (log: string[], name: string) => ({
    [Symbol.asyncDispose]: () => {
      log.push(name);
      return Promise.resolve();
    },
  });
  const never = () => new Promise<never>(() => {});

  s.case("EX-01", "callbacks run newest first across use, adopt, defer, push and enter", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.use(asyncDisposable(log, "use"));
    stack.adopt("v", () => void log.push("adopt"));
    stack.defer(() => void log.push("defer"));
    stack.push(() => void log.push("push"));
    await stack.enter({ enter: () => 1, exit: () => void log.push("enter") });
    await stack.close();
    deepEqual(log, ["enter", "push", "defer", "adopt", "use"]);
  });

  s.case("EX-02", "use() returns its argument and calls [Symbol.asyncDispose]() once, on the value", async () => {
    const calls: unknown[] = [];
    const resource = {
      [Symbol.asyncDispose](this: unknown) {
        calls.push(this);
        return Promise.resolve();
      },
    };
    const stack = new ExitStack();
    equal(stack.use(resource), resource);
    await stack.close();
    await stack.close();
    equal(calls.length, 1);
    equal(calls[0], resource);
  });

  s.case("EX-03", "use() falls back to [Symbol.dispose]() and does not await what it returns", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.use({
      [Symbol.dispose]: () => {
        log.push("dispose");
        return never();
      },
    });
    await stack.close();
    deepEqual(log, ["dispose"]);
  });

  s.case("EX-04", "use() prefers [Symbol.asyncDispose] when a value has both", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.use({
      [Symbol.asyncDispose]: () => Promise.resolve(void log.push("async")),
      [Symbol.dispose]: () => void log.push("sync"),
    });
    await stack.close();
    deepEqual(log, ["async"]);
  });

  s.case("EX-05", "use() takes the dispose method when registered, as `using` does", async () => {
    const log: string[] = [];
    const resource: { [Symbol.asyncDispose]: () => Promise<void> } = {
      [Symbol.asyncDispose]: () => Promise.resolve(void log.push("original")),
    };
    const stack = new ExitStack();
    stack.use(resource);
    resource[Symbol.asyncDispose] = () => Promise.resolve(void log.push("replaced"));
    await stack.close();
    deepEqual(log, ["original"]);
  });

  s.case("EX-06", "use() accepts another ExitStack, and a DisposableStack-shaped value", async () => {
    const log: string[] = [];
    const outer = new ExitStack();
    const inner = outer.use(new ExitStack());
    inner.defer(() => void log.push("inner 1"));
    inner.defer(() => void log.push("inner 2"));
    const g = globalThis as { DisposableStack?: new () => DisposableStack };
    const native = g.DisposableStack === undefined ? undefined : outer.use(new g.DisposableStack());
    native?.defer(() => void log.push("native"));
    if (native === undefined) outer.use({ [Symbol.dispose]: () => void log.push("native") });
    outer.defer(() => void log.push("outer"));
    await outer.close();
    deepEqual(log, ["outer", "native", "inner 2", "inner 1"]);
    ok(inner.disposed);
  });

  s.case("EX-07", "use(null) and use(undefined) return the value and register nothing", async () => {
    const stack = new ExitStack();
    equal(stack.use(null), null);
    equal(stack.use(undefined), undefined);
    await stack.close();
  });

  s.case("EX-08", "use() throws TypeError at once for values that cannot be disposed", () => {
    const stack = new ExitStack();
    throws(() => stack.use({} as never), TypeError, /\[Symbol\.asyncDispose\]\(\) or \[Symbol\.dispose\]\(\)/);
    throws(() => stack.use(42 as never), TypeError, /received 42/);
    throws(() => stack.use("x" as never), TypeError);
    throws(() => stack.use({ [Symbol.asyncDispose]: 1 } as never), TypeError);
    ok(!stack.disposed);
  });

  s.case("EX-09", "adopt() returns the value; onDispose gets (value, signal)", async () => {
    const stack = new ExitStack();
    const handle = { id: 7 };
    let got: [unknown, unknown] | undefined;
    equal(stack.adopt(handle, (value, signal) => void (got = [value, signal])), handle);
    await stack.close();
    equal(got?.[0], handle);
    ok(got?.[1] instanceof AbortSignal, "a signal");
  });

  s.case("EX-10", "defer(fn) passes an unaborted AbortSignal when fn declares a parameter, else nothing", async () => {
    const stack = new ExitStack();
    let signal: AbortSignal | undefined;
    let count = -1;
    stack.defer((s) => void (signal = s));
    stack.defer(function () {
      count = arguments.length;
    });
    await stack.close();
    ok(signal instanceof AbortSignal);
    equal(signal!.aborted, false);
    equal(count, 0, "a callback that declares no parameter is called with none");
  });

  s.case(
    "EX-11",
    "push() returns the callback; it gets undefined when nothing failed, and the signal if it declares one",
    async () => {
      const stack = new ExitStack();
      const seen: unknown[] = [];
      const exit = (error: unknown, signal: AbortSignal) => void seen.push(error, signal instanceof AbortSignal);
      equal(stack.push(exit), exit);
      stack.push(function (_error: unknown) {
        seen.push(arguments.length);
      });
      await stack.close();
      deepEqual(seen, [1, undefined, true], "one declared parameter: the error only");
    },
  );

  s.case("EX-12", "adopt, defer and push take functions only (TypeError naming the argument)", () => {
    const stack = new ExitStack();
    throws(() => stack.adopt(1, "f" as never), TypeError, /'onDispose' must be a function: received "f"/);
    throws(() => stack.defer(null as never), TypeError, /'fn' must be a function: received null/);
    throws(() => stack.push({} as never), TypeError, /'exit' must be a function/);
  });

  s.case("EX-13", "every callback runs even when earlier ones throw", async () => {
    const log: number[] = [];
    const stack = new ExitStack();
    for (let i = 0; i < 4; i++) {
      stack.defer(() => {
        log.push(i);
        if (i % 2 === 0) throw new Error(String(i));
      });
    }
    await rejects(stack.close());
    deepEqual(log, [3, 2, 1, 0]);
  });

  s.case("EX-14", "a single error is thrown as itself, not wrapped", async () => {
    const boom = new Error("boom");
    const stack = new ExitStack();
    stack.defer(() => {
      throw boom;
    });
    stack.defer(() => {});
    equal(await rejects(stack.close()), boom);
  });

  s.case("EX-15", "errors chain as SuppressedError(newer, older), the newest outermost", async () => {
    const [a, b, d] = [new Error("a"), new Error("b"), new Error("d")];
    const stack = new ExitStack();
    stack.defer(() => {
      throw d;
    });
    stack.defer(() => Promise.reject(b));
    stack.defer(() => {
      throw a;
    });
    const error = (await rejects(stack.close(), SuppressedError)) as Chain;
    equal(error.error, d, "the last to run is outermost");
    const inner = error.suppressed as Chain;
    ok(inner instanceof SuppressedError);
    equal(inner.error, b);
    equal(inner.suppressed, a);
  });

  s.case("EX-16", "the same error thrown again by another callback is not wrapped again", async () => {
    const boom = new Error("boom");
    const stack = new ExitStack();
    stack.push((error) => {
      throw error;
    });
    stack.defer(() => {
      throw boom;
    });
    equal(await rejects(stack.close()), boom);
  });

  s.case(
    "EX-17",
    "a rethrown error already inside the chain is not added twice (no duplicates, no cycles)",
    async () => {
      const [a, b] = [new Error("a"), new Error("b")];
      const stack = new ExitStack();
      stack.push(() => {
        throw a;
      });
      stack.defer(() => {
        throw b;
      });
      stack.defer(() => {
        throw a;
      });
      const error = (await rejects(stack.close(), SuppressedError)) as Chain;
      equal(error.error, b);
      equal(error.suppressed, a);
    },
  );

  s.case("EX-18", "thrown primitives are chained like errors (TC39)", async () => {
    const stack = new ExitStack();
    stack.defer(() => {
      throw 2;
    });
    stack.defer(() => {
      throw "one";
    });
    const error = (await rejects(stack.close(), SuppressedError)) as Chain;
    equal(error.error, 2);
    equal(error.suppressed, "one");
  });

  s.case("EX-19", "disposed turns true synchronously when close() starts", async () => {
    const gate = deferred();
    const stack = new ExitStack();
    stack.defer(() => gate.promise);
    equal(stack.disposed, false);
    const closing = stack.close();
    equal(stack.disposed, true);
    gate.resolve();
    await closing;
    equal(stack.disposed, true);
  });

  s.case("EX-20", "registering from inside a running close throws ReferenceError", async () => {
    const stack = new ExitStack();
    let thrown: unknown;
    stack.defer(() => {
      try {
        stack.defer(() => {});
      } catch (error) {
        thrown = error;
      }
    });
    await stack.close();
    ok(thrown instanceof ReferenceError, "ReferenceError");
  });

  s.case("EX-21", "a disposed stack is dead: every registration throws ReferenceError", async () => {
    const stack = new ExitStack();
    await stack.close();
    throws(() => stack.use({ [Symbol.dispose]: () => {} }), ReferenceError, /disposed/);
    throws(() => stack.use(null), ReferenceError);
    throws(() => stack.adopt(1, () => {}), ReferenceError);
    throws(() => stack.defer(() => {}), ReferenceError);
    throws(() => stack.push(() => {}), ReferenceError);
    throws(() => stack.move(), ReferenceError);
    await rejects(stack.enter({ enter: () => 1, exit: () => {} }), ReferenceError);
  });

  s.case("EX-22", "a second close() while the first runs returns the same promise", async () => {
    const gate = deferred();
    let done = false;
    const stack = new ExitStack();
    stack.defer(async () => {
      await gate.promise;
      done = true;
    });
    const first = stack.close();
    const second = stack.close();
    equal(second, first);
    equal(stack[Symbol.asyncDispose](), first, "asyncDispose too");
    gate.resolve();
    await second;
    ok(done, "cleanup finished when the second close resolved");
  });

  s.case("EX-23", "after a close that rejected, close() resolves at once", async () => {
    const stack = new ExitStack();
    stack.defer(() => {
      throw new Error("x");
    });
    await rejects(stack.close());
    await stack.close();
    await stack[Symbol.asyncDispose]();
  });

  s.case("EX-24", "await using closes the stack at the end of the block", async () => {
    const log: string[] = [];
    {
      await using stack = new ExitStack();
      stack.defer(() => void log.push("closed"));
      log.push("body");
    }
    deepEqual(log, ["body", "closed"]);
  });

  s.case("EX-25", "await using: the block's error and the stack's error travel together", async () => {
    const body = new Error("body");
    const cleanup = new Error("cleanup");
    let exitSaw: unknown = "not called";
    const error = (await rejects(async () => {
      await using stack = new ExitStack();
      stack.defer(() => {
        throw cleanup;
      });
      stack.push((e) => void (exitSaw = e));
      throw body;
    })) as Chain;
    // The runtime makes this one (a transpiler's helper where `await using` is lowered): check its shape.
    equal((error as unknown as Error).name, "SuppressedError");
    equal(error.error, cleanup);
    equal(error.suppressed, body);
    equal(exitSaw, undefined, "a disposer cannot see the block's error");
  });

  s.case("EX-26", "move() hands every callback to a new stack and disposes the old one", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.defer(() => void log.push("a"));
    stack.defer(() => void log.push("b"));
    const moved = stack.move();
    ok(stack.disposed && !moved.disposed);
    await stack.close();
    deepEqual(log, [], "closing the old stack runs nothing");
    moved.defer(() => void log.push("c"));
    await moved.close();
    deepEqual(log, ["c", "b", "a"]);
  });

  s.case("EX-27", "move() in await using keeps the resources open past the block (pop_all)", async () => {
    const log: string[] = [];
    const open = async () => {
      await using stack = new ExitStack();
      stack.use(asyncDisposable(log, "a"));
      stack.use(asyncDisposable(log, "b"));
      return stack.move();
    };
    const owner = await open();
    deepEqual(log, []);
    await owner.close();
    deepEqual(log, ["b", "a"]);
  });

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

  s.case("EX-37", "a hung callback fails with TimeoutError after the grace period; the rest still run", async () => {
    const log: string[] = [];
    let hungSignal: AbortSignal | undefined;
    const stack = new ExitStack({ gracePeriod: 20 });
    stack.defer((signal) => void log.push(`older ${signal.aborted}`));
    stack.defer((signal) => {
      hungSignal = signal;
      return never();
    });
    stack.defer(() => void log.push("newer"));
    const error = await rejects(stack.close(), TimeoutError, /grace period of 20 ms/);
    deepEqual(log, ["newer", "older false"]);
    ok(hungSignal?.aborted, "the hung callback's signal aborted");
    ok((error as Error).cause instanceof c.Cancelled, "caused by the grace deadline");
  });

  s.case("EX-38", "a callback that honours its signal is stopped by the grace period too", async () => {
    const stack = new ExitStack({ gracePeriod: 10 });
    let finished = false;
    stack.defer(async (signal) => {
      await c.sleep(60_000, { signal });
      finished = true;
    });
    await rejects(stack.close(), TimeoutError);
    await s.tick();
    equal(finished, false);
  });

  s.case("EX-39", "awaiting close() from inside one of its own callbacks is bounded by the grace period", async () => {
    const stack = new ExitStack({ gracePeriod: 10 });
    stack.defer(() => stack.close());
    await rejects(stack.close(), TimeoutError);
  });

  s.case("EX-40", "gracePeriod is validated at construction", () => {
    throws(() => new ExitStack({ gracePeriod: NaN }), RangeError, /'gracePeriod'.*NaN/);
    throws(() => new ExitStack({ gracePeriod: "5" as never }), TypeError, /'gracePeriod'.*"5"/);
    throws(() => new ExitStack(null as never), TypeError, /'options'/);
  });

  s.case("EX-41", "gracePeriod 0 is already expired: callbacks run, with an aborted signal", async () => {
    const stack = new ExitStack({ gracePeriod: 0 });
    const seen: boolean[] = [];
    stack.defer((signal) => void seen.push(signal.aborted));
    stack.defer((signal) => Promise.resolve(void seen.push(signal.aborted)));
    await stack.close();
    deepEqual(seen, [true, true]);
  });

  s.case("EX-42", "a custom thenable is awaited", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.defer(() => void log.push("older"));
    stack.defer(() => ({
      then(resolve: () => void) {
        setTimeout(() => {
          log.push("thenable");
          resolve();
        }, 1);
      },
    }));
    await stack.close();
    deepEqual(log, ["thenable", "older"]);
  });

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
