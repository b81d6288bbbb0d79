import { describe, expect, test } from "vitest";
import { contextManager, GeneratorContextManager, withContext } from "./context-manager.ts";
import { SuppressedError, type SuppressedErrorLike } from "../base/errors.ts";
import { ExitStack, withExitStack } from "./exit-stack.ts";
import { diagnostics } from "../base/diagnostics.ts";

describe("GeneratorContextManager", () => {
  test("is single use: a second enter() and an exit() before enter() reject", async () => {
    const cm = contextManager(async function* () {
      yield 1;
    })();
    await expect(cm.exit()).rejects.toThrow(/was not entered/);
    expect(await cm.enter()).toBe(1);
    await expect(cm.enter()).rejects.toThrow(/twice/);
    expect(await cm.exit()).toBe(false);
    await expect(cm.exit()).rejects.toThrow(/is not entered now/);
  });

  test("a generator that yields twice after the error was thrown in is closed, and the errors chain", async () => {
    let closed = false;
    const body = new Error("body");
    const cm = contextManager(async function* () {
      try {
        try {
          yield "a";
        } catch {
          yield "b";
        }
      } finally {
        closed = true;
      }
    })();
    await cm.enter();
    const error = (await cm.exit(body).catch((e) => e)) as SuppressedErrorLike;
    expect(error).toBeInstanceOf(SuppressedError);
    expect((error.error as Error).message).toMatch(/yielded again after the error was thrown in/);
    expect(error.suppressed).toBe(body);
    expect(closed).toBe(true);
  });

  test("a finally that throws while a stray yield is being closed chains onto the stray-yield error", async () => {
    const boom = new Error("finally failed");
    const cm = contextManager(async function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        // deno-lint-ignore no-unsafe-finally
        throw boom;
      }
    })();
    await cm.enter();
    const error = (await cm.exit().catch((e) => e)) as SuppressedErrorLike;
    expect(error.error).toBe(boom);
    expect((error.suppressed as Error).message).toMatch(/yielded more than once/);
  });

  test("disposing a manager that was never entered closes its generator without running it", async () => {
    let started = false;
    const gen = (async function* () {
      started = true;
      yield 1;
    })();
    const cm = new GeneratorContextManager(gen);
    await cm[Symbol.asyncDispose]();
    expect(started).toBe(false);
    expect(await gen.next()).toEqual({ value: undefined, done: true });
    await expect(cm.enter()).rejects.toThrow(/twice/);
  });

  test("plain (sync) generator functions work too", async () => {
    const log: string[] = [];
    const cm = contextManager(function* (name: string) {
      try {
        yield name;
      } catch (error) {
        log.push(`caught ${(error as Error).message}`);
      }
    });
    const value = await withContext(cm("x"), (v) => {
      log.push(v);
      throw new Error("e");
    });
    expect(value).toBe(undefined);
    expect(log).toEqual(["x", "caught e"]);
  });

  test("the constructor and the factory reject non-generators", () => {
    expect(() => new GeneratorContextManager({} as never)).toThrow(TypeError);
    const bad = contextManager(function notAGenerator() {
      return 5 as never;
    });
    expect(bad.name).toBe("notAGenerator");
    expect(() => bad()).toThrow(/notAGenerator\(\) must return a generator: received 5/);
    expect(() => contextManager(3 as never)).toThrow(/'fn' must be a function: received 3/);
  });
});

describe("cleanup without an adapter (no ambient context)", () => {
  test("exit() on its own is bounded by the manager's grace period", async () => {
    const cm = new GeneratorContextManager(
      (async function* () {
        yield;
        await new Promise(() => {});
      })(),
      { gracePeriod: 10 },
    );
    await cm.enter();
    await expect(cm.exit()).rejects.toThrow(/the context manager's cleanup did not settle within .* 10 ms/);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
  });

  test("a manager closed by a stack runs within the stack's grace period, not a shield of its own", async () => {
    const stack = new ExitStack({ gracePeriod: 10 });
    await stack.enter(
      contextManager(async function* () {
        yield;
        await new Promise(() => {});
      })(),
    );
    await expect(stack.close()).rejects.toThrow(/callback #1 \(enter exit\).* 10 ms/);
    // Nothing of a default 10 s grace period is left running.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
  });

  test("a thrown undefined reaches a manager on a stack as an error, also through a push wrapper", async () => {
    const seen: string[] = [];
    const tx = contextManager(async function* (name: string) {
      try {
        yield;
        seen.push(`${name} commit`);
      } catch (error) {
        seen.push(`${name} rollback ${error}`);
        throw error;
      }
    });
    const outcome = await withExitStack(async (stack) => {
      await stack.enter(tx("entered"));
      const wrapped = tx("pushed");
      await wrapped.enter();
      stack.push((error) => wrapped.exit(error));
      throw undefined;
    }).then(() => "resolved", (error) => ["rejected", error]);
    expect(outcome).toEqual(["rejected", undefined]);
    expect(seen).toEqual(["pushed rollback undefined", "entered rollback undefined"]);
  });

  test("close() from a callback's synchronous part is caught as a wait on itself", async () => {
    const stack = new ExitStack({ gracePeriod: 60_000 });
    stack.defer(() => stack.close());
    await expect(stack.close()).rejects.toThrow(/from inside one of its own callbacks/);
  });

  test("a close() called (not awaited) from inside a callback rejects without an unhandled rejection", async () => {
    const stack = new ExitStack();
    let inner: Promise<void> | undefined;
    stack.defer(() => void (inner = stack.close()));
    await stack.close();
    await new Promise((resolve) => setTimeout(resolve, 0)); // an unhandled rejection would be reported by now
    await expect(inner).rejects.toThrow(/would wait for itself/);
  });
});

describe("withContext and ExitStack.enter", () => {
  test("a manager whose exit suppresses on an ExitStack in withExitStack makes it return undefined", async () => {
    const suppressing = contextManager(async function* () {
      try {
        yield;
      } catch {
        // swallowed
      }
    });
    const value = await withExitStack(async (stack) => {
      await stack.enter(suppressing());
      throw new Error("gone");
    });
    expect(value).toBe(undefined);
  });

  test("a stack closed while a manager is entering exits it and rejects with ReferenceError", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = contextManager(async function* () {
      await gate;
      try {
        yield "v";
        log.push("after yield");
      } catch (error) {
        log.push(`caught ${(error as Error).name}`);
        throw error;
      } finally {
        log.push("finally");
      }
    });
    const stack = new ExitStack();
    const entering = stack.enter(slow());
    await stack.close();
    release();
    await expect(entering).rejects.toThrow(ReferenceError);
    expect(log).toEqual(["caught ReferenceError", "finally"]);
  });

  test("withContext rejects a non-manager before anything runs", async () => {
    await expect(withContext({ enter() {} } as never, () => 1)).rejects.toThrow(
      /Cannot run withContext as 'cm' must have enter\(\) and exit\(\) methods/,
    );
    await expect(withContext(null as never, () => 1)).rejects.toThrow(TypeError);
  });
});
