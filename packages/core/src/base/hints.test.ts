import { describe, expect, test } from "vitest";
import { describe as describeValue } from "./validate.ts";
import { ExitStack } from "../cleanup/exit-stack.ts";
import { createPool } from "../pool/pool.ts";
import { TaskGroup, taskGroup } from "../tasks/task-group.ts";

async function job(n: number): Promise<number> {
  await Promise.resolve();
  return n;
}

describe("messages for what a port from Python writes first", () => {
  test("stack.enter(pool) points to stack.use(value), and the pool stays open and usable", async () => {
    let destroyed = 0;
    const pool = createPool({ create: () => ({ n: 1 }), destroy: () => void destroyed++, max: 1 });
    const stack = new ExitStack();
    const error = await stack.enter(pool as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `Cannot enter a context manager as 'cm' must have enter() and exit() methods: received ${describeValue(pool)}, ` +
        "which is disposable, not a context manager: register it with stack.use(value), which disposes it when " +
        "the stack closes (the stack neither entered nor closed it: it is still yours)",
    );
    await stack.close();
    expect(await pool.use((r) => r.n)).toBe(1); // still open: nothing closed it
    expect(pool.stats.destroyed + destroyed).toBe(0);
    // The fix the message names works:
    const fixed = new ExitStack();
    expect(fixed.use(pool)).toBe(pool);
    await fixed.close();
    expect(destroyed).toBe(1);
    await expect(pool.use(() => 1)).rejects.toThrow(/clos/);
  });

  test("stack.enter of a synchronous disposable points to use() too; other values get no hint", async () => {
    const stack = new ExitStack();
    await expect(stack.enter({ [Symbol.dispose]() {} } as never)).rejects.toThrow(
      /register it with stack\.use\(value\)/,
    );
    const plain = (await stack.enter(5 as never).catch((e: unknown) => e)) as Error;
    expect(plain.message).toBe(
      "Cannot enter a context manager as 'cm' must have enter() and exit() methods: received 5",
    );
  });

  test("stack.use(cm) of a bare context manager points to await stack.enter(value)", () => {
    const cm = { enter: () => 1, exit: () => {} };
    expect(() => new ExitStack().use(cm as never)).toThrow(
      /received \[object Object\], a context manager: enter it with await stack\.enter\(value\)/,
    );
  });

  test("tg.spawn(job(1)) says a function is expected and shows () => job(1)", async () => {
    const work = job(1);
    await taskGroup((tg) => {
      expect(() => tg.spawn(work as never)).toThrow(
        new TypeError(
          "Cannot spawn into TaskGroup as 'fn' must be a function: received a promise (its work already started, " +
            "outside any scope): pass a function that starts the work, e.g. tg.spawn(() => job(1)) rather than " +
            "tg.spawn(job(1))",
        ),
      );
      expect(() => tg.spawn(7 as never)).toThrow(
        "Cannot spawn into TaskGroup as 'fn' must be a function: received 7: pass the function that does the work, " +
          "e.g. tg.spawn(() => job(1))",
      );
      const thenable = { then: (resolve: (v: number) => void) => resolve(1) };
      expect(() => tg.spawn(thenable as never)).toThrow(/received a promise/);
    });
    expect(await work).toBe(1);
  });

  test("tg.start(promise) and taskGroup(promise) say the same, with their own example", async () => {
    const tg = new TaskGroup();
    await expect(tg.start(job(2) as never)).rejects.toThrow(
      /'fn' must be a function: received a promise .*e\.g\. tg\.start\(\(signal, started\) => serve\(signal, started\)\)/,
    );
    await tg.join();
    await expect(taskGroup(job(3) as never)).rejects.toThrow(
      /Cannot run taskGroup as 'fn' must be a function: received a promise .*e\.g\. taskGroup\(async \(tg\) =>/,
    );
  });
});
