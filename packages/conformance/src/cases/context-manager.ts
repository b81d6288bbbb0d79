import { deepEqual, deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import type { Chain } from "./cleanup-support.ts";

// Generator context managers: Python's @asynccontextmanager and `async with`.
// Their cleanup under cancellation and grace periods: context-manager-cleanup.ts.
export function contextManagerCases(s: Suite): void {
  const { corral: c } = s;
  const { contextManager, withContext, SuppressedError, ExitStack } = c;

  /** A resource manager that logs what happens to it, Python-style. */
  const tracked = (log: string[]) =>
    contextManager(async function* (name: string) {
      log.push(`open ${name}`);
      try {
        yield name;
        log.push(`ok ${name}`);
      } catch (error) {
        log.push(`error ${name}: ${(error as Error).message}`);
        throw error;
      } finally {
        log.push(`close ${name}`);
      }
    });

  s.case(
    "CM-01",
    "enter() runs the generator to its yield and resolves to the value; exit() runs the rest",
    async () => {
      const log: string[] = [];
      const cm = tracked(log)("a");
      equal(await cm.enter(), "a");
      deepEqual(log, ["open a"]);
      equal(await cm.exit(), false);
      deepEqual(log, ["open a", "ok a", "close a"]);
    },
  );

  s.case("CM-02", "withContext returns the body's value, after the cleanup ran", async () => {
    const log: string[] = [];
    const value = await withContext(tracked(log)("a"), (name) => {
      log.push(`body ${name}`);
      return 7;
    });
    equal(value, 7);
    deepEqual(log, ["open a", "body a", "ok a", "close a"]);
  });

  s.case("CM-03", "the body's error is thrown into the generator at yield, as the very same object", async () => {
    const body = new Error("body");
    let caught: unknown;
    const cm = contextManager(async function* () {
      try {
        yield;
      } catch (error) {
        caught = error;
        throw error;
      }
    });
    equal(
      await rejects(withContext(cm(), () => {
        throw body;
      })),
      body,
      "rethrown unchanged, not wrapped",
    );
    equal(caught, body);
  });

  s.case("CM-04", "a transaction commits on success and rolls back on failure", async () => {
    const log: string[] = [];
    const transaction = contextManager(async function* () {
      log.push("begin");
      try {
        yield { query: (q: string) => log.push(q) };
        log.push("commit");
      } catch (error) {
        log.push("rollback");
        throw error;
      }
    });
    await withContext(transaction(), (tx) => void tx.query("insert"));
    await rejects(withContext(transaction(), (tx) => {
      tx.query("update");
      throw new Error("constraint");
    }));
    deepEqual(log, ["begin", "insert", "commit", "begin", "update", "rollback"]);
  });

  s.case("CM-05", "catching without rethrowing suppresses: withContext resolves undefined, exit() true", async () => {
    const suppress = contextManager(async function* () {
      try {
        yield;
      } catch {
        // swallowed
      }
    });
    equal(
      await withContext(suppress(), () => {
        throw new Error("gone");
      }),
      undefined,
    );
    const cm = suppress();
    await cm.enter();
    equal(await cm.exit(new Error("gone")), true);
  });

  s.case("CM-06", "throwing a different error replaces it as SuppressedError(new, body)", async () => {
    const body = new Error("body");
    const domain = new Error("domain", { cause: body });
    const translate = contextManager(async function* () {
      try {
        yield;
      } catch {
        throw domain;
      }
    });
    const error = (await rejects(
      withContext(translate(), () => {
        throw body;
      }),
      SuppressedError,
    )) as Chain;
    equal(error.error, domain, "the replacement is outermost");
    equal(error.suppressed, body);
    equal((error.error as Error).cause, body, "a cause set by the generator is kept");
  });

  s.case("CM-07", "a failing cleanup after a clean body is thrown as itself", async () => {
    const boom = new Error("close failed");
    const cm = contextManager(async function* () {
      yield;
      throw boom;
    });
    equal(await rejects(withContext(cm(), () => "ok")), boom);
  });

  s.case("CM-08", "a generator that does not yield is an Error; the body never runs", async () => {
    let ran = false;
    const cm = contextManager(async function* () {
      // returns at once
    });
    await rejects(withContext(cm(), () => void (ran = true)), Error, /without yielding/);
    equal(ran, false);
  });

  s.case("CM-09", "a generator that yields twice is an Error, and it is closed (its finally runs)", async () => {
    let closed = false;
    const cm = contextManager(async function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        closed = true;
      }
    });
    await rejects(withContext(cm(), () => {}), Error, /yielded more than once/);
    ok(closed, "the generator's finally ran");
  });

  s.case("CM-10", "yielding again after the error was thrown in is an Error chained onto the body's", async () => {
    const body = new Error("body");
    const cm = contextManager(async function* () {
      try {
        yield 1;
      } catch {
        yield 2;
      }
    });
    const error = (await rejects(
      withContext(cm(), () => {
        throw body;
      }),
      SuppressedError,
    )) as Chain;
    ok(/yielded again/.test((error.error as Error).message));
    equal(error.suppressed, body);
  });

  s.case("CM-11", "an error before the yield propagates from withContext; nothing else runs", async () => {
    const boom = new Error("connect failed");
    let ran = false;
    const cm = contextManager(async function* () {
      throw boom;
      // deno-lint-ignore no-unreachable
      yield;
    });
    equal(await rejects(withContext(cm(), () => void (ran = true))), boom);
    equal(ran, false);
  });

  s.case("CM-12", "arguments and `this` reach the generator", async () => {
    const owner = {
      prefix: "db",
      open: contextManager(async function* (this: { prefix: string }, a: string, b: number) {
        yield `${this.prefix}:${a}:${b}`;
      }),
    };
    equal(await withContext(owner.open("x", 2), (v) => v), "db:x:2");
  });

  s.case("CM-13", "managers entered on an ExitStack exit newest first, seeing the body's error", async () => {
    const log: string[] = [];
    const open = tracked(log);
    await rejects(c.withExitStack(async (stack) => {
      await stack.enter(open("a"));
      stack.defer(() => void log.push("defer"));
      await stack.enter(open("b"));
      throw new Error("x");
    }));
    deepEqual(log, ["open a", "open b", "error b: x", "close b", "defer", "error a: x", "close a"]);
  });

  s.case("CM-14", "await using a manager resumes it as if the block succeeded: it cannot see the error", async () => {
    const log: string[] = [];
    await rejects(async () => {
      await using cm = tracked(log)("a");
      await cm.enter();
      throw new Error("lost");
    });
    deepEqual(log, ["open a", "ok a", "close a"], "the generator took the success path");
  });

  s.case("CM-15", "a manager is single use", async () => {
    const cm = tracked([])("a");
    await rejects(cm.exit(), Error, /not entered/);
    await cm.enter();
    await rejects(cm.enter(), Error, /twice/);
    await cm.exit();
    await rejects(withContext(cm, () => {}), Error, /twice/);
  });

  s.case("CM-16", "withContext takes any { enter, exit } object; exit gets the error and may suppress", async () => {
    const seen: unknown[] = [];
    const plain = {
      enter: () => "v",
      exit: (error?: unknown) => {
        seen.push(error);
        return true;
      },
    };
    const body = new Error("body");
    equal(await withContext(plain, (v) => v), "v");
    equal(
      await withContext(plain, () => {
        throw body;
      }),
      undefined,
    );
    deepEqual(seen.map((e) => e === undefined ? "none" : e === body ? "body" : "other"), ["none", "body"]);
  });

  s.case("CM-17", "withContext rejects a non-manager with TypeError before enter() is called", async () => {
    let entered = false;
    await rejects(withContext({ enter: () => (entered = true) } as never, () => {}), TypeError, /'cm'/);
    await rejects(withContext(5 as never, () => {}), TypeError, /received 5/);
    await rejects(withContext(tracked([])("a"), "f" as never), TypeError, /'fn'/);
    equal(entered, false);
    throws(() => contextManager("f" as never), TypeError, /'fn' must be a function/);
  });

  s.case("CM-20", "a stack closed while a manager is entering exits it and rejects with ReferenceError", async () => {
    const log: string[] = [];
    const gate = deferred();
    const cm = contextManager(async function* () {
      await gate.promise;
      try {
        yield "v";
      } finally {
        log.push("closed");
      }
    });
    const stack = new ExitStack();
    const entering = stack.enter(cm());
    await stack.close();
    gate.resolve();
    await rejects(entering, ReferenceError);
    deepEqual(log, ["closed"]);
  });

  s.case("CM-21", "a plain function* works as a context manager too", async () => {
    const log: string[] = [];
    const cm = contextManager(function* (n: number) {
      try {
        yield n * 2;
      } finally {
        log.push("done");
      }
    });
    equal(await withContext(cm(21), (v) => v), 42);
    deepEqual(log, ["done"]);
  });
}
