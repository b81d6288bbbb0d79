import { describe, expect, test } from "vitest";
import { contextManager, GeneratorContextManager, withContext } from "./context-manager.ts";
import { SuppressedError, type SuppressedErrorLike } from "./errors.ts";
import { ExitStack, withExitStack } from "./exit-stack.ts";

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
