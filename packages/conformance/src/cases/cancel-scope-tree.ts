import { deferred, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { lookAlikes } from "./look-alikes.ts";

// Cancel scopes in the tree: parents and children, shielding, which errors a scope catches,
// and what disposing frees.
export function cancelScopeTreeCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope, Cancelled } = c;
  const never = () => new Promise<never>(() => {});
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });

  s.case("CS-15", "a child of a cancelled parent gets kind parent with the parent's reason as cause", () => {
    using parent = new CancelScope();
    using child = new CancelScope({ signal: parent.signal });
    parent.cancel("stop");
    ok(child.signal.aborted);
    const reason = child.signal.reason as InstanceType<typeof Cancelled>;
    ok(reason instanceof Cancelled);
    equal(reason.kind, "parent");
    equal(reason.cause, parent.signal.reason);
    equal(child.cancelCalled, false, "only cancel() or its own deadline set cancelCalled");
  });

  s.case("CS-16", "a parent's cancellation passes through the child's run() to the parent's", async () => {
    const parent = new CancelScope();
    let child!: InstanceType<typeof CancelScope>;
    const value = await parent.run(async (signal) => {
      child = new CancelScope({ signal });
      const error = await rejects(child.run(async (s2) => {
        queueMicrotask(() => parent.cancel());
        await until(s2);
      }));
      equal(error, parent.signal.reason, "the child rethrows the parent's own reason");
      equal(child.cancelledCaught, false);
      throw error;
    });
    equal(value, undefined);
    equal(parent.cancelledCaught, true, "the parent catches it");
  });

  s.case("CS-17", "nested deadlines: the tighter outer deadline governs the inner scope", async () => {
    const outer = new CancelScope({ timeout: 5 });
    let inner!: InstanceType<typeof CancelScope>;
    await outer.run(async (signal) => {
      inner = new CancelScope({ signal, timeout: 60_000 });
      await inner.run(until);
    });
    equal((inner.signal.reason as InstanceType<typeof Cancelled>).kind, "parent");
    ok(outer.cancelledCaught);
    equal(inner.cancelledCaught, false);
  });

  s.case("CS-18", "nested deadlines: a tighter inner deadline cancels only the inner scope", async () => {
    const outer = new CancelScope({ timeout: 60_000 });
    const value = await outer.run(async (signal) => {
      const inner = new CancelScope({ signal, timeout: 5 });
      const innerValue = await inner.run(until);
      equal(innerValue, undefined);
      ok(inner.cancelledCaught);
      return signal.aborted ? "outer aborted" : "outer fine";
    });
    equal(value, "outer fine");
  });

  s.case("CS-19", "a shielded scope ignores its parent's cancellation", async () => {
    const parent = new CancelScope();
    const value = await parent.run(async (signal) => {
      const shielded = new CancelScope({ signal, shield: true });
      return await shielded.run(async (inner) => {
        parent.cancel();
        await c.sleep(1);
        equal(inner.aborted, false);
        return "finished";
      });
    });
    equal(value, "finished");
    ok(parent.signal.aborted);
  });

  s.case("CS-20", "a shielded scope still obeys its own deadline", async () => {
    const scope = new CancelScope({ shield: true, timeout: 5 });
    equal(await scope.run(until), undefined);
    ok(scope.cancelledCaught);
  });

  s.case("CS-21", "a shielded scope still obeys its own cancel()", async () => {
    const scope = new CancelScope({ shield: true });
    queueMicrotask(() => scope.cancel());
    equal(await scope.run(until), undefined);
    ok(scope.cancelledCaught);
  });

  s.case("CS-22", "un-shielding after the parent was cancelled cancels the scope then", () => {
    using parent = new CancelScope();
    using child = new CancelScope({ signal: parent.signal, shield: true });
    parent.cancel();
    equal(child.signal.aborted, false);
    child.shield = false;
    ok(child.signal.aborted);
    equal((child.signal.reason as InstanceType<typeof Cancelled>).kind, "parent");
    throws(() => (child.shield = "no" as unknown as boolean), TypeError, /'shield'/);
  });

  s.case("CS-23", "a scope under an already-aborted parent starts aborted, unless shielded", () => {
    using parent = new CancelScope();
    parent.cancel();
    using child = new CancelScope({ signal: parent.signal });
    ok(child.signal.aborted);
    using shielded = new CancelScope({ signal: parent.signal, shield: true });
    equal(shielded.signal.aborted, false);
  });

  s.case("CS-24", "a foreign AbortSignal parent propagates and its listener is removed afterwards", async () => {
    const controller = new AbortController();
    const scope = new CancelScope({ signal: controller.signal });
    equal(c.diagnostics().listeners, 1, "one listener on the foreign signal");
    const why = new Error("user abort");
    const error = await rejects(scope.run(async (signal) => {
      queueMicrotask(() => controller.abort(why));
      await until(signal);
    }));
    equal(error, why, "the foreign signal's own reason propagates");
    equal(c.diagnostics().listeners, 0);
    const other = new CancelScope({ signal: new AbortController().signal });
    equal(c.diagnostics().listeners, 1);
    other[Symbol.dispose]();
    equal(c.diagnostics().listeners, 0, "dispose removes the listener of a scope that never ran");
  });

  s.case("CS-25", "run() returns fn's value even when a cancellation arrived meanwhile", async () => {
    const scope = new CancelScope();
    const value = await scope.run(async () => {
      scope.cancel();
      await s.tick(); // a host yield: c.sleep() would inherit the cancelled scope (ambient context)
      return "done anyway";
    });
    equal(value, "done anyway");
    equal(scope.cancelledCaught, false);
  });

  s.case("CS-26", "a scope runs once; run() after dispose or a second run() rejects", async () => {
    const scope = new CancelScope();
    await scope.run(() => 1);
    await rejects(scope.run(() => 2), Error, /already run/);
    const disposed = new CancelScope();
    disposed[Symbol.dispose]();
    await rejects(disposed.run(() => 3), Error);
    await rejects(new CancelScope().run(5 as never), TypeError, /'fn'/);
  });

  s.case("CS-27", "the first reason wins; cancel() after a parent cancel does not make it catch", async () => {
    const parent = new CancelScope();
    await parent.run(async (signal) => {
      const child = new CancelScope({ signal });
      child.cancel("first");
      const first = child.signal.reason;
      child.cancel("second");
      equal(child.signal.reason, first);
      child[Symbol.dispose]();

      const late = new CancelScope({ signal });
      parent.cancel();
      late.cancel();
      equal(late.cancelCalled, true);
      const error = await rejects(late.run(until));
      equal(error, parent.signal.reason, "the parent's cancellation still propagates");
      throw error;
    });
    ok(parent.cancelledCaught);
  });

  s.case("CS-28", "an AbortError raised while its own signal is aborted is caught", async () => {
    const scope = new CancelScope();
    const value = await scope.run((signal) => {
      scope.cancel();
      ok(signal.aborted);
      const error = new Error("The operation was aborted");
      error.name = "AbortError";
      throw error;
    });
    equal(value, undefined);
    ok(scope.cancelledCaught);
  });

  s.case("CS-29", "an error whose cause is the scope's reason is caught; unrelated Cancelled is not", async () => {
    const scope = new CancelScope();
    const value = await scope.run((signal) => {
      scope.cancel();
      throw new Error("wrapped", { cause: signal.reason });
    });
    equal(value, undefined);
    ok(scope.cancelledCaught);

    const other = new CancelScope();
    const foreign = new Cancelled("explicit");
    const error = await rejects(other.run(() => {
      other.cancel();
      throw foreign;
    }));
    equal(error, foreign, "someone else's Cancelled propagates");
  });

  s.case("CS-30", "dispose frees the deadline timer and parent link, idempotently", () => {
    const parent = new CancelScope();
    const before = c.diagnostics();
    {
      using child = new CancelScope({ signal: parent.signal, timeout: 60_000 });
      ok(child.deadline < Infinity);
      equal(c.diagnostics().timers, before.timers + 1);
      equal(c.diagnostics().links, before.links + 1);
    }
    equal(c.diagnostics().timers, before.timers);
    equal(c.diagnostics().links, before.links);
    const again = new CancelScope({ signal: parent.signal, timeout: 60_000 });
    again[Symbol.dispose]();
    again[Symbol.dispose]();
    equal(c.diagnostics().links, before.links);
    parent[Symbol.dispose]();
  });

  s.case("CS-31", "cancellation reaches grandchildren, each reason chained to the root's", () => {
    using root = new CancelScope();
    using mid = new CancelScope({ signal: root.signal });
    using leaf = new CancelScope({ signal: mid.signal });
    root.cancel("root");
    const leafReason = leaf.signal.reason as InstanceType<typeof Cancelled>;
    equal(leafReason.kind, "parent");
    equal(leafReason.cause, mid.signal.reason);
    equal((mid.signal.reason as Error).cause, root.signal.reason);
  });

  s.case("CS-32", "cancelling a parent with 10,000 children aborts every one and frees every link", () => {
    const parent = new CancelScope();
    const children = [];
    for (let i = 0; i < 10_000; i++) children.push(new CancelScope({ signal: parent.signal }));
    equal(c.diagnostics().links, 10_000);
    parent.cancel();
    equal(c.diagnostics().links, 0);
    ok(children.every((child) => child.signal.aborted));
    for (const child of children) child[Symbol.dispose]();
  });

  s.case("CS-33", "abort listeners on scope.signal see the Cancelled reason", () => {
    using scope = new CancelScope();
    const seen = deferred<unknown>();
    scope.signal.addEventListener("abort", () => seen.resolve(scope.signal.reason), { once: true });
    scope.cancel(new Error("why"));
    return seen.promise.then((reason) => {
      ok(reason instanceof Cancelled);
      equal((reason as Error).message.includes("why"), true);
    });
  });

  s.case("CS-34", "a never-settling body is still released when its scope is cancelled via sleep", async () => {
    const scope = new CancelScope({ timeout: 1 });
    const value = await scope.run((signal) => c.abortable(never(), { signal }));
    equal(value, undefined);
    ok(scope.cancelledCaught);
  });

  s.case(
    "CS-35",
    "run() lets an error that only looks like a cancellation through, whoever cancels the scope",
    async () => {
      for (const own of lookAlikes(c)) {
        const scope = new CancelScope();
        const error = await rejects(scope.run(() => {
          scope.cancel();
          throw own;
        }));
        equal(error, own, `${own.message}: its own cancel()`);
        equal(scope.cancelledCaught, false);

        const parent = new CancelScope();
        const outcome = await rejects(parent.run((signal) =>
          new CancelScope({ signal }).run(() => {
            parent.cancel();
            throw own;
          })
        ));
        equal(outcome, own, `${own.message}: its parent's cancel(), unchanged through both scopes`);
        equal(parent.cancelledCaught, false);
      }
    },
  );

  s.case(
    "CS-36",
    'run() over a task group: a child\'s own error named "Cancelled" comes out as a TaskGroupError',
    async () => {
      const [own] = lookAlikes(c);
      const scope = new CancelScope();
      const error = await rejects(
        scope.run(() =>
          c.taskGroup((tg) => {
            tg.spawn(async (signal) => {
              try {
                await until(signal);
              } catch {
                throw own;
              }
            });
            queueMicrotask(() => scope.cancel("stop"));
          })
        ),
        c.TaskGroupError,
      );
      equal((error as AggregateError).errors[0], own);
      equal(scope.cancelledCaught, false);
    },
  );
}
