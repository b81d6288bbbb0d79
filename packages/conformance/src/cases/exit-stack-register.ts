import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { asyncDisposable, never } from "./cleanup-support.ts";

// Exit stacks: registering callbacks (use, adopt, defer, push), and what each receives.
export function exitStackRegisterCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack } = c;

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

  s.case("EX-12", "adopt, defer and push take functions only (TypeError naming the argument)", async () => {
    const stack = new ExitStack();
    // Python's enter_async_context(create_pool()): a disposable given to enter() points to use(), and stays open.
    let disposed = 0;
    const pool = { [Symbol.asyncDispose]: () => Promise.resolve(void disposed++) };
    const entering = new ExitStack();
    await rejects(
      entering.enter(pool as never),
      TypeError,
      /'cm' must have enter\(\) and exit\(\).*stack\.use\(value\)/,
    );
    throws(() => entering.use({ enter() {}, exit() {} } as never), TypeError, /await stack\.enter\(value\)/);
    await entering.close();
    equal(disposed, 0, "the stack took nothing over");
    throws(() => stack.adopt(1, "f" as never), TypeError, /'onDispose' must be a function: received "f"/);
    throws(() => stack.defer(null as never), TypeError, /'fn' must be a function: received null/);
    throws(() => stack.push({} as never), TypeError, /'exit' must be a function/);
  });
}
