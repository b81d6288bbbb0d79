import { equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { groupHelpers, type TaskGroupErrorT, type TaskGroupT } from "./task-group-support.ts";

// Task groups: `new TaskGroup()` for `await using`.
export function taskGroupAwaitUsingCases(s: Suite): void {
  const { corral: c } = s;
  const { TaskGroup, TaskGroupError, taskGroup } = c;
  const { until, isCancelled } = groupHelpers(c);

  // --- TaskGroup (await using) -------------------------------------------------

  s.case("TG-38", "new TaskGroup(): join() waits for every child and throws a TaskGroupError", async () => {
    const boom = new Error("boom");
    let cleaned = false;
    {
      await using tg = new TaskGroup();
      tg.spawn(async (signal) => {
        try {
          await until(signal);
        } finally {
          cleaned = true;
        }
      });
      tg.spawn(async () => {
        await s.tick();
        throw boom;
      });
      const error = await rejects(tg.join(), TaskGroupError) as TaskGroupErrorT;
      equal(error.errors[0], boom);
      ok(cleaned, "the sibling was cancelled and settled before join() returned");
    }
  });

  s.case("TG-39", "leaving an await using block without join() cancels what still runs and waits for it", async () => {
    let cleaned = false;
    let saw: unknown;
    {
      await using tg = new TaskGroup();
      tg.spawn(async (signal) => {
        try {
          await until(signal);
        } catch (e) {
          saw = e;
          throw e;
        } finally {
          await c.shield(() => c.sleep(3), { timeout: 10_000 });
          cleaned = true;
        }
      });
      await s.tick();
    }
    ok(cleaned, "the child's cleanup finished before the block was left");
    ok(isCancelled(saw, "explicit"), "it was cancelled, not waited for");
  });

  s.case("TG-40", "disposing without join() throws the children's failures, not their cancellations", async () => {
    const boom = new Error("failed before the block ended");
    const error = await rejects(async () => {
      await using tg = new TaskGroup();
      tg.spawn(() => Promise.reject(boom));
      tg.spawn((signal) => until(signal));
      await s.tick();
    }, TaskGroupError) as TaskGroupErrorT;
    equal(error.errors.length, 1);
    equal(error.errors[0], boom);
  });

  s.case("TG-41", "disposing after join() does nothing: no second error, nothing cancelled", async () => {
    let tg: TaskGroupT | undefined;
    let joinError: unknown;
    {
      await using group = new TaskGroup();
      tg = group;
      group.spawn(() => Promise.reject(new Error("once")));
      joinError = await rejects(group.join(), TaskGroupError);
    } // leaving the block did not throw again
    ok(joinError instanceof TaskGroupError);
    await tg[Symbol.asyncDispose](); // nor does a second dispose
    {
      await using clean = new TaskGroup();
      clean.spawn(() => Promise.resolve(1));
      await clean.join();
      tg = clean;
    }
    equal(tg.signal.aborted, false, "a joined group is not cancelled by dispose");
  });

  s.case(
    "TG-42",
    "tg.cancel(reason) cancels every child with an explicit Cancelled; join() does not throw it",
    async () => {
      const saw: unknown[] = [];
      {
        await using tg = new TaskGroup({ name: "workers" });
        for (let i = 0; i < 3; i++) tg.spawn((signal) => until(signal).catch((e) => void saw.push(e)));
        tg.spawn((signal) => until(signal));
        await s.tick();
        tg.cancel("enough");
        await tg.join();
        ok(isCancelled(tg.signal.reason, "explicit"));
        ok(/enough/.test((tg.signal.reason as Error).message));
      }
      equal(saw.length, 3);
    },
  );

  s.case(
    "TG-43",
    "tg.cancel() in the body: the group returns undefined if it ended the body, the value if not",
    async () => {
      const ended = await taskGroup(async (tg) => {
        tg.spawn((signal) => until(signal));
        tg.cancel();
        await until(tg.signal);
        return "unreachable";
      });
      equal(ended, undefined);
      const finished = await taskGroup((tg) => {
        tg.spawn((signal) => until(signal));
        tg.cancel();
        return "body finished";
      });
      equal(finished, "body finished");
    },
  );

  s.case("TG-44", "invalid arguments throw TypeError/RangeError naming the option and the value", async () => {
    throws(() => new TaskGroup({ limit: 0 }), RangeError, /'limit'.*0/);
    throws(() => new TaskGroup({ limit: 1.5 }), RangeError, /'limit'.*1\.5/);
    throws(() => new TaskGroup({ limit: "2" as unknown as number }), TypeError, /'limit'.*"2"/);
    throws(() => new TaskGroup({ name: 7 as unknown as string }), TypeError, /'name'.*7/);
    throws(() => new TaskGroup({ signal: {} as AbortSignal }), TypeError, /'signal'/);
    throws(() => new TaskGroup(5 as unknown as object), TypeError, /'options'/);
    await rejects(taskGroup("nope" as unknown as () => void), TypeError, /'fn'.*"nope"/);
    await rejects(taskGroup(() => {}, { limit: -1 }), RangeError, /'limit'.*-1/);
    await taskGroup((tg) => {
      throws(() => tg.spawn(42 as unknown as () => void), TypeError, /'fn'.*42/);
      // Python's create_task(job(1)): a promise where the function goes; the message shows the fix.
      throws(
        () => tg.spawn(Promise.resolve(1) as never),
        TypeError,
        /'fn' must be a function: received a promise.*e\.g\. tg\.spawn\(\(\) => job\(1\)\)/,
      );
      throws(() => tg.spawn(async () => {}, { name: false as unknown as string }), TypeError, /'name'.*false/);
    });
    equal(new TaskGroup({ limit: Infinity }).name, "", "Infinity is a valid limit");
  });

  s.case(
    "TG-57",
    "limit must be a whole number from 1 to 2^53 - 1, or Infinity: the rest throw naming it",
    async () => {
      for (const bad of [NaN, -1, -0, 0, 0.5, -Infinity, 2 ** 53, 1e300]) {
        const shown = Object.is(bad, -0) ? "-0" : String(bad);
        throws(
          () => new TaskGroup({ limit: bad }),
          RangeError,
          new RegExp(`'limit'.*received ${shown.replace("+", "\\+")}$`),
        );
        await rejects(taskGroup(() => {}, { limit: bad }), RangeError, /'limit'/);
      }
      throws(() => new TaskGroup({ limit: null as unknown as number }), TypeError, /'limit'.*null/);
      throws(() => new TaskGroup({ limit: 2n as unknown as number }), TypeError, /'limit'.*2n/);
      for (const fine of [1, 2 ** 53 - 1, 1e12, Infinity]) {
        const tg = new TaskGroup({ limit: fine });
        tg.spawn(() => "ran");
        await tg.join();
      }
    },
  );
}
