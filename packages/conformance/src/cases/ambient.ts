import { delay, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";

// The ambient cancellation context. Every adapter installs it on import, so
// these hold identically on all four targets.
export function ambientCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope, Cancelled } = c;
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });

  s.case("AM-01", "inside scope.run, currentSignal() is the scope's signal, before and after an await", async () => {
    const scope = new CancelScope();
    let before: AbortSignal | undefined;
    let after: AbortSignal | undefined;
    await scope.run(async () => {
      before = c.currentSignal();
      await s.tick();
      after = c.currentSignal();
    });
    equal(before, scope.signal, "synchronously");
    equal(after, scope.signal, "after an await");
  });

  s.case("AM-02", "outside any scope currentSignal() is undefined, also after a scope has run", async () => {
    equal(c.currentSignal(), undefined, "before");
    await new CancelScope().run(() => s.tick());
    equal(c.currentSignal(), undefined, "after");
  });

  s.case("AM-03", "inside moveOnAfter and failAfter, currentSignal() is the work's signal", async () => {
    let moved: [AbortSignal | undefined, AbortSignal] | undefined;
    await c.moveOnAfter(60_000, (signal) => {
      moved = [c.currentSignal(), signal];
    });
    ok(moved !== undefined && moved[0] === moved[1], "moveOnAfter");
    const failed = await c.failAfter(60_000, (signal) => c.currentSignal() === signal);
    equal(failed, true, "failAfter");
  });

  s.case("AM-04", "inside shield, currentSignal() is the shield's signal, not the cancelled outer one", async () => {
    const outer = new CancelScope();
    await outer.run(async (signal) => {
      outer.cancel("stop");
      const inner = await c.shield((shielded) => {
        equal(c.currentSignal(), shielded);
        ok(shielded !== signal, "a signal of its own");
        return { aborted: shielded.aborted };
      }, { timeout: 60_000 });
      equal(inner.aborted, false, "the shield's signal ignores the outer cancellation");
      equal(c.currentSignal(), signal, "the outer one is back after the shield");
    });
  });

  s.case(
    "AM-05",
    "a scope created without a signal inherits the ambient one: cancelling the outer cancels it",
    async () => {
      const outer = new CancelScope();
      let inner: InstanceType<typeof CancelScope> | undefined;
      const value = await outer.run(async () => {
        inner = new CancelScope();
        queueMicrotask(() => outer.cancel("outer"));
        await inner.run(until);
        return "unreachable";
      });
      equal(value, undefined, "the outer scope caught its own cancellation");
      ok(inner!.signal.aborted, "the inner scope was cancelled");
      const reason = inner!.signal.reason as InstanceType<typeof Cancelled>;
      equal(reason.kind, "parent");
      equal(reason.cause, outer.signal.reason, "caused by the outer reason");
      equal(inner!.cancelCalled, false);
    },
  );

  s.case("AM-06", "sleep and abortable without a signal stop when the ambient scope is cancelled", async () => {
    const scope = new CancelScope();
    const errors: unknown[] = [];
    await scope.run(async () => {
      const slept = c.sleep(60_000).catch((e: unknown) => errors.push(e));
      const waited = c.abortable(new Promise(() => {})).catch((e: unknown) => errors.push(e));
      await s.tick();
      scope.cancel("enough");
      await Promise.all([slept, waited]);
    });
    equal(errors.length, 2);
    equal(errors[0], scope.signal.reason, "sleep rejects with the scope's reason");
    equal(errors[1], scope.signal.reason, "abortable rejects with the scope's reason");
  });

  s.case("AM-07", "a sleep created inside an already-cancelled ambient scope rejects at once", async () => {
    const scope = new CancelScope();
    scope.cancel();
    await scope.run(async () => {
      const error = await rejects(c.sleep(60_000), Cancelled);
      equal(error, scope.signal.reason);
    });
    ok(scope.cancelledCaught === false, "run() completed normally; the rejection was handled inside");
  });

  s.case("AM-08", "nesting: the inner scope is ambient inside, the outer again after it settles or fails", async () => {
    const outer = new CancelScope();
    const seen: (AbortSignal | undefined)[] = [];
    await outer.run(async () => {
      const inner = new CancelScope();
      await inner.run(async () => {
        seen.push(c.currentSignal());
        await s.tick();
        seen.push(c.currentSignal());
      });
      seen.push(c.currentSignal());
      await rejects(
        new CancelScope().run(async () => {
          await s.tick();
          throw new Error("inner failed");
        }),
        Error,
        /inner failed/,
      );
      seen.push(c.currentSignal());
      equal(seen[0], inner.signal);
      equal(seen[1], inner.signal);
    });
    equal(seen[2], outer.signal, "after the inner scope settled");
    equal(seen[3], outer.signal, "after an inner scope failed");
    equal(c.currentSignal(), undefined, "outside both");
  });

  s.case("AM-09", "the context survives timers, microtasks and promise callbacks started inside a scope", async () => {
    const scope = new CancelScope();
    const seen: Record<string, AbortSignal | undefined> = {};
    await scope.run(async () => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.timer = c.currentSignal();
          resolve();
        }, 1)
      );
      await new Promise<void>((resolve) =>
        queueMicrotask(() => {
          seen.microtask = c.currentSignal();
          resolve();
        })
      );
      await Promise.resolve().then(() => {
        seen.then = c.currentSignal();
      });
      await delay(2);
      seen.afterDelay = c.currentSignal();
    });
    for (const where of ["timer", "microtask", "then", "afterDelay"]) equal(seen[where], scope.signal, where);
  });

  s.case("AM-10", "concurrent scopes each see their own signal across interleaved awaits", async () => {
    const a = new CancelScope();
    const b = new CancelScope();
    const body = (signal: AbortSignal) => async () => {
      for (let i = 0; i < 3; i++) {
        equal(c.currentSignal(), signal);
        await s.tick();
      }
      return c.currentSignal() === signal;
    };
    const results = await Promise.all([a.run(body(a.signal)), b.run(body(b.signal))]);
    equal(results[0], true);
    equal(results[1], true);
  });

  s.case("AM-11", "an explicit signal wins over the ambient one", async () => {
    const outer = new CancelScope();
    const other = new AbortController();
    await outer.run(() => {
      const child = new CancelScope({ signal: other.signal });
      outer.cancel();
      equal(child.signal.aborted, false, "the ambient scope's cancellation does not reach it");
      other.abort(new Error("other"));
      equal(child.signal.aborted, true, "the explicit parent's does");
      child[Symbol.dispose]();
    });
  });

  s.case("AM-12", "a deadline fires outside the context of whichever scope armed the timer", async () => {
    const outer = new CancelScope();
    const parent = new AbortController();
    let timed: InstanceType<typeof CancelScope> | undefined;
    // Armed while `outer` is ambient: its deadline is corral's earliest timer.
    await outer.run(() => {
      timed = new CancelScope({ signal: parent.signal, timeout: 5 });
    });
    let seen: AbortSignal | undefined | "not called" = "not called";
    timed!.signal.addEventListener("abort", () => {
      seen = c.currentSignal();
    }, { once: true });
    for (let i = 0; i < 2000 && !timed!.signal.aborted; i++) await delay(1);
    ok(timed!.signal.aborted, "the deadline fired");
    equal(seen, undefined, "the abort listener ran with no ambient scope");
    timed![Symbol.dispose]();
  });
}
