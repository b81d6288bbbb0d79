import { deferred, delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { lookAlikes } from "./look-alikes.ts";

export function timeoutCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope, Cancelled, TimeoutError } = c;
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });

  s.case("CS-40", "moveOnAfter returns the value when the work is fast enough", async () => {
    equal(await c.moveOnAfter(60_000, () => Promise.resolve("fast")), "fast");
  });

  s.case("CS-41", "moveOnAfter cancels the work itself, not only the wait, and resolves undefined", async () => {
    let seen: AbortSignal | undefined;
    const value = await c.moveOnAfter(5, (signal) => {
      seen = signal;
      return until(signal);
    });
    equal(value, undefined);
    ok(seen?.aborted, "the work's signal aborted");
    equal((seen!.reason as InstanceType<typeof Cancelled>).kind, "deadline");
  });

  s.case("CS-42", "moveOnAfter(0) still runs fn, with an already-aborted signal", async () => {
    let aborted: boolean | undefined;
    const value = await c.moveOnAfter(0, (signal) => {
      aborted = signal.aborted;
      return "ran";
    });
    equal(aborted, true);
    equal(value, "ran");
  });

  s.case("CS-43", "failAfter throws TimeoutError caused by the deadline's Cancelled", async () => {
    const error = await rejects(c.failAfter(5, until), TimeoutError);
    ok((error as Error).cause instanceof Cancelled);
    equal(((error as Error).cause as InstanceType<typeof Cancelled>).kind, "deadline");
    equal((error as Error).name, "TimeoutError");
  });

  s.case("CS-44", "failAfter returns the value when the work finishes in time", async () => {
    equal(await c.failAfter(60_000, () => 7), 7);
  });

  s.case("CS-45", "failAfter under an outer cancellation propagates the outer reason, not TimeoutError", async () => {
    const outer = new CancelScope();
    const value = await outer.run(async (signal) => {
      const error = await rejects(c.failAfter(60_000, async (inner) => {
        queueMicrotask(() => outer.cancel("outer"));
        await until(inner);
      }, { signal }));
      ok(!(error instanceof TimeoutError), "not a TimeoutError");
      equal(error, outer.signal.reason);
      throw error;
    });
    equal(value, undefined);
    ok(outer.cancelledCaught);
  });

  s.case("CS-46", "moveOnAfter and failAfter validate their arguments", async () => {
    await rejects(c.moveOnAfter(NaN, () => 1), RangeError, /'ms'.*NaN/);
    await rejects(c.moveOnAfter("5" as unknown as number, () => 1), TypeError, /'ms'.*"5"/);
    await rejects(c.failAfter(NaN, () => 1), RangeError, /'ms'/);
    await rejects(c.failAfter(5, "fn" as never), TypeError, /'fn'/);
    await rejects(c.moveOnAfter(5, () => 1, { signal: 3 as never }), TypeError, /'signal'.*3/);
  });

  s.case("CS-47", "shield() keeps running under a cancelled scope and returns its value", async () => {
    const outer = new CancelScope();
    const value = await outer.run(async (signal) => {
      outer.cancel();
      ok(signal.aborted);
      return await c.shield(async (inner) => {
        await c.sleep(2, { signal: inner });
        return inner.aborted ? "aborted" : "cleaned up";
      });
    });
    equal(value, "cleaned up");
  });

  s.case("CS-48", "shield() with a grace period fails with TimeoutError when cleanup hangs", async () => {
    const error = await rejects(c.shield(until, { timeout: 5 }), TimeoutError, /grace/);
    equal(((error as Error).cause as InstanceType<typeof Cancelled>).kind, "deadline");
    await rejects(c.shield(() => 1, { timeout: NaN }), RangeError, /'timeout'/);
    await rejects(c.shield(5 as never), TypeError, /'fn'/);
  });

  s.case("CS-49", "a deadline that fires while fn completes in the same turn still yields fn's value", async () => {
    const gate = deferred<string>();
    const scope = new CancelScope({ timeout: 2 });
    const run = scope.run(async (signal) => {
      await delay(10); // a host timer: c.sleep() would inherit the scope and be cancelled (ambient context)
      // The deadline has passed (the signal is aborted) but fn finishes normally.
      ok(signal.aborted);
      return gate.promise;
    });
    gate.resolve("kept");
    equal(await run, "kept");
    equal(scope.cancelledCaught, false);
  });

  // CS-50..CS-63 are the waits (waits.ts); timeouts continue at CS-70.

  /** Fails with `error` once `signal` aborts. */
  const failOnAbort = (error: unknown) => async (signal: AbortSignal) => {
    try {
      await until(signal);
    } catch {
      throw error;
    }
  };

  s.case(
    "CS-70",
    "moveOnAfter and failAfter let an error that only looks like a cancellation through when the deadline fires",
    async () => {
      for (const own of lookAlikes(c)) {
        equal(await rejects(c.moveOnAfter(1, failOnAbort(own))), own, `moveOnAfter: ${own.message}`);
        const error = await rejects(c.failAfter(1, failOnAbort(own)));
        equal(error, own, `failAfter: ${own.message}, not a TimeoutError`);
      }
    },
  );

  s.case(
    "CS-71",
    'over a task group, a child\'s own error named "Cancelled" comes out as a TaskGroupError, not a timeout',
    async () => {
      const [own] = lookAlikes(c);
      const group = () => c.taskGroup((tg) => void tg.spawn(failOnAbort(own)));
      const moved = await rejects(c.moveOnAfter(1, group), c.TaskGroupError, /order 7/);
      equal((moved as AggregateError).errors[0], own, "moveOnAfter did not resolve undefined");
      const failed = await rejects(c.failAfter(1, group), c.TaskGroupError, /order 7/);
      equal((failed as AggregateError).errors[0], own, "failAfter did not throw a TimeoutError");
    },
  );
}
