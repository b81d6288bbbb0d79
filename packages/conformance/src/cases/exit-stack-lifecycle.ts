import { deepEqual, deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { asyncDisposable, type Chain } from "./cleanup-support.ts";

// Exit stacks: disposed, closing twice, `await using`, and move().
export function exitStackLifecycleCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack } = c;

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
}
