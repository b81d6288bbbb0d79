import { deepEqual, deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import type { ExitStack as Stack } from "@corral/core";

/** `promise`, or a failure naming `what` once `ms` passed: a hang fails the case instead of stalling the runner. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * TC39's DisposeResources, for the throws of callbacks registered in
 * `order` (run newest first): a throw while another is in flight becomes
 * `SuppressedError(new, pending)`, whatever the values are.
 */
function specChain(order: unknown[]): { has: boolean; error: unknown } {
  let has = false;
  let error: unknown;
  for (let i = order.length - 1; i >= 0; i--) {
    error = has ? { name: "SuppressedError", error: order[i], suppressed: error } : order[i];
    has = true;
  }
  return { has, error };
}

/** A comparable picture of an outcome: SuppressedErrors by structure, leaves by type and value. */
function picture(outcome: { has: boolean; error?: unknown }): string {
  const leaf = (value: unknown): unknown => {
    if (typeof value === "object" && value !== null && (value as Error).name === "SuppressedError") {
      const chain = value as { error: unknown; suppressed: unknown };
      return { error: leaf(chain.error), suppressed: leaf(chain.suppressed) };
    }
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    return `${typeof value} ${Object.is(value, -0) ? "-0" : String(value)}`;
  };
  return outcome.has ? JSON.stringify(leaf(outcome.error)) : "resolved";
}

async function outcomeOf(promise: PromiseLike<unknown>): Promise<{ has: boolean; error?: unknown }> {
  try {
    await promise;
    return { has: false };
  } catch (error) {
    return { has: true, error };
  }
}

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

  s.case("EX-39", "close() awaited from inside one of the stack's own callbacks fails at once, saying so", async () => {
    const grace = 2_000; // long enough that a wait on itself would end in a TimeoutError instead
    const ways: [string, (stack: Stack) => void][] = [
      ["defer(() => stack.close())", (stack) => stack.defer(() => stack.close())],
      ["after an await", (stack) =>
        stack.defer(async () => {
          await c.sleep(1);
          await stack.close();
        })],
      ["[Symbol.asyncDispose]()", (stack) => stack.push(() => stack[Symbol.asyncDispose]())],
      ["a manager's cleanup", (stack) =>
        void stack.enter(
          c.contextManager(async function* () {
            yield;
            await stack.close();
          })(),
        )],
    ];
    for (const [how, register] of ways) {
      for (
        const [closer, close] of [
          ["close()", async () => {
            const stack = new ExitStack({ gracePeriod: grace });
            register(stack);
            await s.tick();
            await stack.close();
          }],
          ["withExitStack", () =>
            c.withExitStack(async (stack) => {
              register(stack);
              await s.tick();
            }, { gracePeriod: grace })],
        ] as const
      ) {
        const error = await within(10_000, `${how}, ${closer}`, rejects(close(), Error));
        ok(!(error instanceof TimeoutError), `${how}, ${closer}: failed at once, not after the grace period`);
        ok(
          /Cannot await close\(\) of an ExitStack from inside one of its own callbacks/.test((error as Error).message),
          `${how}, ${closer}: ${(error as Error).message}`,
        );
      }
    }
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

  /** Every way of closing a stack; each registers callbacks with `register` and closes. */
  const closings: [string, (register: (stack: Stack) => void, grace?: number) => Promise<unknown>][] = [
    ["close()", async (register, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      register(stack);
      await stack.close();
    }],
    ["await using", async (register, grace) => {
      await using stack = new ExitStack({ gracePeriod: grace });
      register(stack);
    }],
    ["withExitStack", (register, grace) => c.withExitStack(register, { gracePeriod: grace })],
    ["withExitStack, the body failed", async (register, grace) => {
      const body = new Error("body");
      const error = await rejects(c.withExitStack((stack) => {
        register(stack);
        throw body;
      }, { gracePeriod: grace }));
      if (error === body) return;
      ok(error instanceof SuppressedError && (error as Chain).suppressed === body, String(error));
      throw (error as Chain).error;
    }],
    ["move() and close()", async (register, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      register(stack);
      await stack.move().close();
    }],
  ];

  s.case(
    "EX-45",
    "closed any way under a cancelled scope, every callback runs on a live signal of its own",
    async () => {
      for (const [how, close] of closings) {
        const log: string[] = [];
        const scope = new CancelScope();
        const check = async (kind: string, handed?: AbortSignal) => {
          const ambient = c.currentSignal();
          await c.sleep(1); // inherits the ambient signal: rejects if that is the cancelled scope's
          const same = handed === undefined || handed === ambient;
          log.push(`${kind}: aborted ${ambient?.aborted}, outer ${ambient === scope.signal}, handed ${same}`);
        };
        const value = await scope.run(async () => {
          scope.cancel();
          await close((stack) => {
            stack.use({
              [Symbol.dispose]: () => void log.push(`use sync: aborted ${c.currentSignal()?.aborted}`),
            });
            stack.use({ [Symbol.asyncDispose]: () => check("use") });
            stack.adopt("v", (_, signal) => check("adopt", signal));
            stack.push(async (_, signal) => void await check("push", signal));
            stack.defer(() => check("defer()"));
            stack.defer((signal) => check("defer(signal)", signal));
            stack.defer(() => c.shield((signal) => check("shield", signal)));
          });
          return "closed";
        });
        equal(value, "closed", how);
        const fine = "aborted false, outer false, handed true";
        deepEqual(log, [
          `shield: ${fine}`,
          `defer(signal): ${fine}`,
          `defer(): ${fine}`,
          `push: ${fine}`,
          `adopt: ${fine}`,
          `use: ${fine}`,
          "use sync: aborted false",
        ], how);
      }
    },
  );

  s.case(
    "EX-46",
    "closed any way under a cancelled scope, a hung callback still ends at its grace period",
    async () => {
      for (const [how, close] of closings) {
        for (const hang of ["honours", "ignores"]) {
          let seen: AbortSignal | undefined;
          let after = false;
          const scope = new CancelScope();
          const run = scope.run(async () => {
            scope.cancel();
            await close((stack) => {
              stack.defer(() => void (after = true));
              stack.defer(() => {
                seen = c.currentSignal();
                return hang === "honours" ? c.sleep(60_000) : never();
              });
            }, 20);
          });
          const error = await within(10_000, `${how}, ${hang}`, rejects(run, TimeoutError, /grace period of 20 ms/));
          ok((error as Error).cause instanceof c.Cancelled, `${how}, ${hang}: caused by the grace deadline`);
          ok(seen?.aborted, `${how}, ${hang}: the callback's ambient signal aborted`);
          ok(after, `${how}, ${hang}: the older callback still ran`);
        }
      }
    },
  );

  s.case("EX-47", "throwing undefined, null, 0 … chains exactly as TC39's AsyncDisposableStack does", async () => {
    const Native = (globalThis as { AsyncDisposableStack?: new () => AsyncDisposableStack }).AsyncDisposableStack;
    const a = new Error("a");
    const orders: unknown[][] = [
      [undefined, undefined],
      [null, null],
      [0, 0],
      ["x", "x"],
      [NaN, NaN],
      [false, undefined, false],
      [undefined, null, 0, undefined],
      [undefined],
      [a, undefined, undefined],
      [undefined, a],
    ];
    for (const order of orders) {
      const stack = new ExitStack();
      for (const value of order) {
        stack.defer(() => {
          throw value;
        });
      }
      const ours = picture(await outcomeOf(stack.close()));
      const expected = picture(specChain(order));
      equal(ours, expected, `corral, throws in order ${order.map(String)}`);
      if (Native !== undefined) {
        // Where the runtime has the native stack (Node 24, Deno, Bun), it must agree too: a check on the model.
        const native = new Native();
        for (const value of order) {
          native.defer(() => {
            throw value;
          });
        }
        equal(
          picture(await outcomeOf(native.disposeAsync())),
          expected,
          `native, throws in order ${order.map(String)}`,
        );
      }
    }
  });

  s.case("EX-48", "withExitStack: a body that throws undefined, null or 0 has an error in flight", async () => {
    for (const thrown of [undefined, null, 0]) {
      // A cleanup that throws the same primitive wraps it, as `await using` does.
      const wrapped = await rejects(
        c.withExitStack((stack) => {
          stack.defer(() => {
            throw thrown;
          });
          throw thrown;
        }),
        SuppressedError,
      );
      equal((wrapped as Chain).error, thrown, `${thrown}: the cleanup's throw is outermost`);
      equal((wrapped as Chain).suppressed, thrown, `${thrown}: the body's throw is suppressed`);
      // An exit callback sees it, may rethrow it unchanged, or suppress it.
      const seen: unknown[] = [];
      const rethrown = await rejects(c.withExitStack((stack) => {
        stack.push((error) => {
          seen.push(error);
          throw error;
        });
        throw thrown;
      }));
      equal(rethrown, thrown, `${thrown}: rethrown by the callback it was handed to, unchanged`);
      const value = await c.withExitStack((stack) => {
        stack.push((error) => {
          seen.push(error);
          return true;
        });
        throw thrown;
      });
      equal(value, undefined, `${thrown}: suppressed`);
      deepEqual(seen.map(String), [String(thrown), String(thrown)]);
    }
  });

  s.case(
    "EX-49",
    "gracePeriod must be a number >= 0: -1, -Infinity, NaN and non-numbers throw, naming it",
    async () => {
      for (const bad of [-1, -Infinity, -0.5]) {
        throws(
          () => new ExitStack({ gracePeriod: bad }),
          RangeError,
          /ExitStack as 'gracePeriod' must be >= 0: received -/,
        );
        await rejects(c.withExitStack(() => 1, { gracePeriod: bad }), RangeError, /withExitStack as 'gracePeriod'.*-/);
      }
      throws(() => new ExitStack({ gracePeriod: NaN }), RangeError, /'gracePeriod'.*NaN/);
      await rejects(c.withExitStack(() => 1, { gracePeriod: "1" as never }), TypeError, /'gracePeriod'.*"1"/);
      // 0 (already expired) and Infinity (no limit) are fine, and so is leaving it out.
      for (const fine of [0, Infinity, undefined]) await new ExitStack({ gracePeriod: fine }).close();
    },
  );

  s.case("EX-50", "shield(): a cleanup that ignores its signal still ends at the grace period", async () => {
    let seen: AbortSignal | undefined;
    const scope = new CancelScope();
    const run = scope.run(async () => {
      scope.cancel();
      return await c.shield((signal) => {
        seen = c.currentSignal();
        ok(seen === signal, "currentSignal() is the shield's signal");
        return never();
      }, { timeout: 20 });
    });
    const error = await within(10_000, "shield", rejects(run, TimeoutError, /grace period of 20 ms/));
    ok((error as Error).cause instanceof c.Cancelled);
    ok(seen?.aborted, "the shield's signal aborted when its grace period passed");
  });

  s.case("EX-51", "shield(): 'timeout' must be a number >= 0: -1, NaN and non-numbers throw, naming it", async () => {
    await rejects(c.shield(() => 1, { timeout: -1 }), RangeError, /shield as 'timeout' must be >= 0: received -1/);
    await rejects(c.shield(() => 1, { timeout: -Infinity }), RangeError, /'timeout'.*-Infinity/);
    await rejects(c.shield(() => 1, { timeout: NaN }), RangeError, /'timeout'.*NaN/);
    await rejects(c.shield(() => 1, { timeout: "1" as never }), TypeError, /'timeout'.*"1"/);
    // 0 is already expired: fn still runs, with an aborted signal, and a value it returns at once is kept.
    equal(await c.shield((signal) => signal.aborted, { timeout: 0 }), true);
    equal(await c.shield(() => "no limit", { timeout: Infinity }), "no limit");
  });
}
