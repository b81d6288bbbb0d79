import { equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";

// Cancel scopes: run(), cancel(), timeouts and deadlines.
// Nesting, shielding and which errors a scope catches: cancel-scope-tree.ts.
export function cancelScopeCases(s: Suite): void {
  const { corral: c } = s;
  const { CancelScope, Cancelled } = c;
  const until = (signal: AbortSignal) => c.sleep(Infinity, { signal });

  s.case("CS-01", "run() passes scope.signal itself and returns fn's value", async () => {
    const scope = new CancelScope();
    let seen: AbortSignal | undefined;
    const value = await scope.run((signal) => {
      seen = signal;
      return 42;
    });
    equal(value, 42);
    equal(seen, scope.signal, "fn receives the same object as scope.signal");
    equal(scope.signal.aborted, false);
    equal(scope.cancelCalled, false);
    equal(scope.cancelledCaught, false);
  });

  s.case("CS-02", "cancel(reason) aborts the signal with an explicit Cancelled naming the reason", () => {
    const scope = new CancelScope();
    scope.cancel("shutting down");
    ok(scope.signal.aborted);
    const reason = scope.signal.reason;
    ok(reason instanceof Cancelled, "reason is a Cancelled");
    equal(reason.kind, "explicit");
    ok(reason.message.includes("shutting down"), "the text appears in the message");
    equal(reason.cause, "shutting down", "the value is the cause");
    equal(scope.cancelCalled, true);
    scope[Symbol.dispose]();
  });

  s.case("CS-03", "run() catches its own cancellation and resolves undefined", async () => {
    const scope = new CancelScope();
    const value = await scope.run(async (signal) => {
      queueMicrotask(() => scope.cancel());
      await until(signal);
      return "unreachable";
    });
    equal(value, undefined);
    equal(scope.cancelledCaught, true);
  });

  s.case("CS-04", "run() rethrows other errors unchanged and does not mark them caught", async () => {
    const scope = new CancelScope();
    const boom = new Error("boom");
    const error = await rejects(scope.run(() => {
      throw boom;
    }));
    equal(error, boom, "the very same object");
    equal(scope.cancelledCaught, false);
  });

  s.case("CS-05", "a timeout cancels with kind deadline and run() resolves undefined", async () => {
    const scope = new CancelScope({ timeout: 5 });
    const value = await scope.run(until);
    equal(value, undefined);
    equal((scope.signal.reason as InstanceType<typeof Cancelled>).kind, "deadline");
    equal(scope.cancelCalled, true, "its own deadline sets cancelCalled");
    equal(scope.cancelledCaught, true);
  });

  s.case("CS-06", "timeout 0 means already expired, yet fn still runs", async () => {
    const scope = new CancelScope({ timeout: 0 });
    ok(scope.signal.aborted, "aborted at construction");
    let ran = false;
    const value = await scope.run((signal) => {
      ran = true;
      equal(signal.aborted, true);
      return "ran";
    });
    ok(ran);
    equal(value, "ran", "fn completed, so its value is returned");
  });

  s.case("CS-07", "a negative timeout is already expired", () => {
    using scope = new CancelScope({ timeout: -100 });
    ok(scope.signal.aborted);
    equal((scope.signal.reason as InstanceType<typeof Cancelled>).kind, "deadline");
  });

  s.case("CS-08", "an absolute deadline is kept as given and fires on the now() clock", async () => {
    const at = c.now() + 5;
    const scope = new CancelScope({ deadline: at });
    equal(scope.deadline, at);
    await scope.run(until);
    ok(c.now() >= at - 1, "did not fire early");
    ok(scope.cancelledCaught);
  });

  s.case("CS-09", "with both timeout and deadline, the earlier wins", () => {
    const t = c.now();
    using a = new CancelScope({ timeout: 10_000, deadline: t + 50_000 });
    ok(a.deadline <= t + 10_000 + 50 && a.deadline >= t + 10_000 - 1);
    using b = new CancelScope({ timeout: 50_000, deadline: t + 10_000 });
    equal(b.deadline, t + 10_000);
  });

  s.case("CS-10", "moving the deadline later postpones the cancellation", async () => {
    const scope = new CancelScope({ timeout: 5 });
    scope.deadline = c.now() + 60_000;
    await c.sleep(20);
    equal(scope.signal.aborted, false, "the first deadline no longer applies");
    scope[Symbol.dispose]();
  });

  s.case("CS-11", "moving the deadline into the past cancels at once", () => {
    using scope = new CancelScope({ timeout: 60_000 });
    scope.deadline = c.now() - 1;
    ok(scope.signal.aborted);
    equal(scope.cancelCalled, true);
  });

  s.case("CS-12", "deadline = Infinity removes the deadline and its timer", () => {
    const before = c.diagnostics().timers;
    using scope = new CancelScope({ timeout: 60_000 });
    equal(c.diagnostics().timers, before + 1);
    scope.deadline = Infinity;
    equal(scope.deadline, Infinity);
    equal(c.diagnostics().timers, before, "the timer entry is freed");
  });

  s.case("CS-13", "setting deadline to NaN or a non-number throws and changes nothing", () => {
    using scope = new CancelScope({ timeout: 60_000 });
    const before = scope.deadline;
    throws(() => (scope.deadline = NaN), RangeError, /'deadline'.*NaN/);
    throws(() => (scope.deadline = "soon" as unknown as number), TypeError, /'deadline'.*"soon"/);
    equal(scope.deadline, before);
  });

  s.case("CS-14", "invalid options throw TypeError/RangeError naming the option and value", () => {
    throws(() => new CancelScope({ timeout: "5" as unknown as number }), TypeError, /'timeout'.*"5"/);
    throws(() => new CancelScope({ timeout: NaN }), RangeError, /'timeout'.*NaN/);
    throws(() => new CancelScope({ deadline: NaN }), RangeError, /'deadline'/);
    throws(() => new CancelScope({ signal: {} as AbortSignal }), TypeError, /'signal'/);
    throws(() => new CancelScope({ shield: 1 as unknown as boolean }), TypeError, /'shield'.*1/);
    throws(() => new CancelScope(5 as never), TypeError, /'options'/);
  });
}
