import { delay, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";

/** The longest delay every host's `setTimeout` honours; longer ones fire after ~1 ms (Node: TimeoutOverflowWarning). */
const HOST_MAX_DELAY = 2 ** 31 - 1;
const DAY = 86_400_000;

type HostSetTimeout = (fn: () => void, ms?: number) => unknown;

/**
 * Records every host `setTimeout` call (its delay) while `fn` runs. `fn`
 * gets the original to wait with, so its own waits are not counted.
 */
async function recordHostTimers(fn: (wait: (ms: number) => Promise<void>) => Promise<void>): Promise<number[]> {
  const g = globalThis as unknown as { setTimeout: HostSetTimeout };
  const original = g.setTimeout;
  const delays: number[] = [];
  const wait = (ms: number) => new Promise<void>((resolve) => original(resolve, ms));
  g.setTimeout = function (this: unknown, ...args: unknown[]) {
    delays.push(Number(args[1] ?? 0));
    return Reflect.apply(original, this, args);
  } as HostSetTimeout;
  try {
    await fn(wait);
  } finally {
    g.setTimeout = original;
  }
  return delays;
}

/** A signal-like object that corral can fully use: it is an EventTarget with `aborted` and `reason`. */
class ForeignSignal extends EventTarget {
  aborted = false;
  reason: unknown = undefined;
  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    this.dispatchEvent(new Event("abort"));
  }
}

export function waitCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope } = c;

  s.case("CS-50", "sleep(ms) resolves no earlier than ms and frees its timer", async () => {
    const start = c.now();
    await c.sleep(10);
    ok(c.now() - start >= 9, "waited");
    equal(c.diagnostics().timers, 0);
  });

  s.case("CS-51", "sleep(0) and negative resolve at once; an aborted signal rejects even then", async () => {
    await c.sleep(0);
    await c.sleep(-5);
    const why = new Error("already");
    const error = await rejects(c.sleep(0, { signal: AbortSignal.abort(why) }));
    equal(error, why);
  });

  s.case("CS-52", "sleep rejects with the signal's reason when aborted and removes its listener", async () => {
    const controller = new AbortController();
    const pending = c.sleep(60_000, { signal: controller.signal });
    equal(c.diagnostics().listeners, 1);
    equal(c.diagnostics().timers, 1);
    const why = new Error("stop");
    controller.abort(why);
    equal(await rejects(pending), why);
    equal(c.diagnostics().listeners, 0);
    equal(c.diagnostics().timers, 0);
  });

  s.case("CS-53", "sleep on a corral signal links in plain JS (no listener) and unlinks when done", async () => {
    using scope = new CancelScope();
    const pending = c.sleep(1, { signal: scope.signal });
    equal(c.diagnostics().listeners, 0);
    equal(c.diagnostics().links, 1);
    await pending;
    equal(c.diagnostics().links, 0);
  });

  s.case("CS-54", "sleep(Infinity) waits for the signal only, with no timer", async () => {
    using scope = new CancelScope();
    const pending = c.sleep(Infinity, { signal: scope.signal });
    equal(c.diagnostics().timers, 0);
    scope.cancel();
    equal(await rejects(pending), scope.signal.reason);
  });

  s.case("CS-55", "sleep validates ms and options", async () => {
    await rejects(c.sleep(NaN), RangeError, /'ms'.*NaN/);
    await rejects(c.sleep("10" as unknown as number), TypeError, /'ms'.*"10"/);
    await rejects(c.sleep(1, { signal: "x" as never }), TypeError, /'signal'/);
    await rejects(c.sleep(1, 7 as never), TypeError, /'options'/);
  });

  s.case("CS-56", "abortable resolves with the promise's value and removes its listener", async () => {
    const controller = new AbortController();
    equal(await c.abortable(Promise.resolve(5), { signal: controller.signal }), 5);
    equal(await c.abortable(6, { signal: controller.signal }), 6);
    equal(c.diagnostics().listeners, 0);
    const boom = new Error("boom");
    equal(await rejects(c.abortable(Promise.reject(boom), { signal: controller.signal })), boom);
  });

  s.case("CS-57", "abortable stops waiting on abort and swallows the promise's later rejection", async () => {
    const controller = new AbortController();
    let rejectLater!: (e: unknown) => void;
    const slow = new Promise((_, reject) => (rejectLater = reject));
    const pending = c.abortable(slow, { signal: controller.signal });
    const why = new Error("gave up");
    controller.abort(why);
    equal(await rejects(pending), why);
    rejectLater(new Error("late failure, must not be unhandled"));
    await delay(5);
    equal(c.diagnostics().listeners, 0);
  });

  s.case("CS-58", "abortable with an already-aborted signal rejects at once", async () => {
    const why = new Error("before");
    const failing = Promise.reject(new Error("ignored"));
    equal(await rejects(c.abortable(failing, { signal: AbortSignal.abort(why) })), why);
    await delay(1);
  });

  s.case("CS-59", "Cancelled has a name, a kind, and rejects unknown kinds", () => {
    const e = new c.Cancelled("sibling", { cause: 1 });
    ok(e instanceof Error);
    equal(e.name, "Cancelled");
    equal(e.kind, "sibling");
    equal(e.cause, 1);
    equal(new c.Cancelled().kind, "explicit");
    throws(() => new c.Cancelled("bogus" as never), RangeError, /'kind'.*"bogus"/);
  });

  s.case("CS-60", "SuppressedError is spec-shaped on every runtime", () => {
    const inner = new Error("first");
    const outer = new Error("second");
    const e = new c.SuppressedError(outer, inner, "cleanup failed");
    ok(e instanceof c.SuppressedError);
    ok(e instanceof Error);
    equal(e.name, "SuppressedError");
    equal(e.error, outer);
    equal(e.suppressed, inner);
    equal(e.message, "cleanup failed");
    equal(new c.SuppressedError(1, 2).message, "");
  });

  s.case(
    "CS-61",
    "TimeoutError (PoolTimeoutError among them), PoolClosedError and TaskGroupError are named errors",
    () => {
      equal(new c.TimeoutError("t").name, "TimeoutError");
      const pool = new c.PoolTimeoutError("p", { cause: 1 });
      ok(pool instanceof c.TimeoutError && pool instanceof Error, "a PoolTimeoutError is a TimeoutError");
      equal(pool.name, "TimeoutError");
      equal(pool.cause, 1);
      ok(!(new c.TimeoutError("t") instanceof c.PoolTimeoutError), "and not every TimeoutError is one");
      equal(new c.PoolClosedError().name, "PoolClosedError");
      const group = new c.TaskGroupError([new Error("a")], "failed");
      ok(group instanceof AggregateError);
      equal(group.name, "TaskGroupError");
      equal(group.errors.length, 1);
    },
  );

  s.case("CS-62", "now() is a monotonic millisecond clock", async () => {
    const a = c.now();
    await delay(2);
    const b = c.now();
    equal(typeof a, "number");
    ok(b >= a + 1);
  });

  s.case("CS-63", "diagnostics() counts live timers, links and listeners, and returns to zero", () => {
    const zero = c.diagnostics();
    const scope = new CancelScope({ timeout: 60_000, signal: new AbortController().signal });
    const child = new CancelScope({ signal: scope.signal });
    const live = c.diagnostics();
    equal(live.timers, zero.timers + 1);
    equal(live.listeners, zero.listeners + 1);
    equal(live.links, zero.links + 1);
    child[Symbol.dispose]();
    scope[Symbol.dispose]();
    const after = c.diagnostics();
    equal(after.timers + after.links + after.listeners, zero.timers + zero.links + zero.listeners);
  });

  s.case(
    "WT-01",
    "far deadlines (25 and 30 days, 1e15 ms) arm the host timer once, in range, and never spin",
    async () => {
      const delays = await recordHostTimers(async (wait) => {
        const stop = new AbortController();
        const sleeping = c.sleep(30 * DAY, { signal: stop.signal });
        using scope = new CancelScope({ timeout: 1e15 });
        const moved = c.moveOnAfter(25 * DAY, () => wait(100).then(() => "done"));
        equal(await moved, "done");
        stop.abort(new Error("enough"));
        await rejects(sleeping);
        ok(!scope.signal.aborted, "the far scope did not fire");
      });
      ok(delays.every((ms) => ms <= HOST_MAX_DELAY), `host delays within 2^31-1 ms: ${delays.slice(0, 5).join(", ")}`);
      ok(delays.length <= 3, `the host timer was armed ${delays.length} times in 100 ms (a spin arms it every 1 ms)`);
    },
  );

  s.case("WT-02", "an idle pool with a 30-day maxLifetime does no host timer work while idle", async () => {
    const pool = c.createPool({ create: () => ({}), min: 1, max: 1, idleTimeout: Infinity, maxLifetime: 30 * DAY });
    try {
      await pool.ready();
      const delays = await recordHostTimers((wait) => wait(100));
      ok(delays.length <= 2, `the host timer was armed ${delays.length} times in 100 ms of idling`);
      ok(delays.every((ms) => ms <= HOST_MAX_DELAY), `host delays within 2^31-1 ms: ${delays.slice(0, 5).join(", ")}`);
    } finally {
      await pool.close();
    }
  });

  s.case(
    "WT-03",
    "a signal-like object missing what corral calls is a TypeError naming 'signal' at the call",
    async () => {
      const shapes = [
        { aborted: false, addEventListener() {} }, // no removeEventListener: would throw when the wait ends
        { aborted: false, removeEventListener() {} },
        { aborted: "no", addEventListener() {}, removeEventListener() {} },
        { addEventListener() {}, removeEventListener() {} },
      ];
      const never = () => new Promise<never>(() => {});
      for (const signal of shapes as unknown as AbortSignal[]) {
        // A call that accepted the object would hang or crash later: give each a short bound.
        const settled = <T>(p: Promise<T>) =>
          Promise.race([p, delay(200).then(() => Promise.reject(new Error("still pending: the signal was accepted")))]);
        const pattern = /'signal' must be an AbortSignal/;
        await rejects(settled(c.sleep(60_000, { signal })), TypeError, pattern);
        await rejects(settled(c.abortable(never(), { signal })), TypeError, pattern);
        await rejects(settled(c.moveOnAfter(60_000, never, { signal })), TypeError, pattern);
        await rejects(settled(c.failAfter(60_000, never, { signal })), TypeError, pattern);
        await rejects(settled(c.taskGroup(() => {}, { signal })), TypeError, pattern);
        throws(() => new CancelScope({ signal }), TypeError, pattern);
        throws(() => new c.TaskGroup({ signal }), TypeError, pattern);
        const pool = c.createPool({ create: () => ({}), max: 1 });
        try {
          await rejects(settled(pool.acquire({ signal })), TypeError, pattern);
          await rejects(settled(pool.use(() => {}, { signal })), TypeError, pattern);
          await rejects(settled(pool.ready({ signal })), TypeError, pattern);
          equal(pool.stats.pending, 0, "nothing queued");
        } finally {
          await pool.close();
        }
      }
    },
  );

  s.case("WT-04", "a foreign signal with everything corral calls works, and its listener is removed", async () => {
    const foreign = new ForeignSignal() as unknown as AbortSignal & ForeignSignal;
    equal(await c.sleep(1, { signal: foreign }), undefined);
    equal(c.diagnostics().listeners, 0, "removed after the sleep");
    const pending = c.sleep(60_000, { signal: foreign });
    equal(c.diagnostics().listeners, 1);
    const why = new Error("foreign abort");
    foreign.abort(why);
    equal(await rejects(pending), why);
    equal(c.diagnostics().listeners, 0, "removed after the abort");
    const pool = c.createPool({ create: () => ({}), max: 1 });
    try {
      const lease = await pool.acquire({ signal: new ForeignSignal() as unknown as AbortSignal });
      await lease.release();
    } finally {
      await pool.close();
    }
  });

  s.case(
    "WT-05",
    "a signal aborted without a reason: every wait rejects with one AbortError, the same object each time",
    async () => {
      const foreign = new ForeignSignal() as unknown as AbortSignal & ForeignSignal;
      const never = new Promise<never>(() => {});
      const sleeping = c.sleep(60_000, { signal: foreign });
      const waiting = c.abortable(never, { signal: foreign });
      foreign.abort(undefined);
      const [reason, other] = await Promise.all([rejects(sleeping), rejects(waiting)]);
      ok(reason instanceof Error && reason.name === "AbortError", `an AbortError: ${String(reason)}`);
      equal(other, reason, "abortable rejects with the same object");
      equal(await rejects(c.sleep(1, { signal: foreign })), reason, "a wait started after the abort too");
      const scoped = c.moveOnAfter(60_000, (signal) => c.sleep(60_000, { signal }), { signal: foreign });
      equal(await rejects(scoped), reason, "a scope under it rethrows it as itself");
      equal(c.abortReasonOf(foreign), reason, "abortReasonOf names the same reason");
      equal(c.abortReasonOf(new ForeignSignal() as unknown as AbortSignal), undefined, "none before an abort");
      const why = new Error("given");
      equal(c.abortReasonOf(AbortSignal.abort(why)), why, "a reason the signal carries is its own");
    },
  );
}
