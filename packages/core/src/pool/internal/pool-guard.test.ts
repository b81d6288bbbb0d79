import { describe, expect, test } from "vitest";
import { TimeoutError } from "../../base/errors.ts";
import { type Guard, type GuardOwner, runGuarded } from "./pool-guard.ts";

/** runGuarded, as a promise of the settled guard. */
function guarded<T>(
  what: string,
  fn: (resource: T, signal: AbortSignal) => unknown,
  resource: T,
  grace: number,
  owner?: GuardOwner,
): Promise<Guard> {
  return runGuarded(what, fn, resource, grace, owner).settledPromise();
}
import { live } from "../../base/live.ts";

describe("guarded", () => {
  test("resolves with the value, sync or async, and frees its timer", async () => {
    const sync = await guarded("reset", (r: number) => r + 1, 1, 1000);
    expect([sync.ok, sync.value]).toEqual([true, 2]);
    const async = await guarded("reset", (r: number) => Promise.resolve(r * 3), 2, 1000);
    expect([async.ok, async.value]).toEqual([true, 6]);
    expect(live.timers).toBe(0);
  });

  test("a callback that returns synchronously settles at once and arms no timer; a promise arms one", async () => {
    const sync = runGuarded("reset", (r: number) => (expect(live.timers).toBe(0), r + 1), 1, 1000);
    expect([sync.settled, sync.ok, sync.value]).toEqual([true, true, 2]);
    expect(sync.hasSignal).toBe(false);
    expect(live.timers).toBe(0);
    let finish!: () => void;
    const async = runGuarded("reset", () => new Promise<void>((resolve) => (finish = resolve)), 1, 1000);
    expect(async.settled).toBe(false);
    expect(live.timers, "the grace timer, armed after the call returned a promise").toBe(1);
    finish();
    expect((await async.settledPromise()).ok).toBe(true);
    expect(live.timers).toBe(0);
  });

  test("the shield signal goes only to a callback that declares it, and aborts at the grace period", async () => {
    const bare = await guarded(
      "reset",
      function (this: unknown, _r: number) {
        return arguments.length;
      },
      1,
      1000,
    );
    expect(bare.value).toBe(1);
    expect(bare.hasSignal).toBe(false);
    let seen: AbortSignal | undefined;
    const declared = await guarded(
      "validate",
      (_r: number, signal: AbortSignal) => {
        seen = signal;
        return new Promise(() => {});
      },
      1,
      5,
    );
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(seen!.aborted).toBe(true);
    expect(declared.ok).toBe(false);
    expect(declared.value).toBeInstanceOf(TimeoutError);
    expect(live.timers).toBe(0);
  });

  test("a throw or a rejection is an outcome, never a rejection", async () => {
    const boom = new Error("boom");
    const thrown = await guarded(
      "destroy",
      () => {
        throw boom;
      },
      0,
      1000,
    );
    expect([thrown.ok, thrown.value]).toEqual([false, boom]);
    const rejected = await guarded("destroy", () => Promise.reject(boom), 0, 1000);
    expect([rejected.ok, rejected.value]).toEqual([false, boom]);
  });

  test("a callback that hangs fails with TimeoutError when the grace passes, and its signal aborts", async () => {
    let signal: AbortSignal | undefined;
    const hung = await guarded(
      "destroy",
      (_r: number, s: AbortSignal) => {
        signal = s;
        return new Promise(() => {});
      },
      0,
      5,
    );
    expect(hung.ok).toBe(false);
    expect(hung.value).toBeInstanceOf(TimeoutError);
    expect((hung.value as Error).message).toMatch(/destroy did not finish within its grace period of 5 ms/);
    expect(signal?.aborted).toBe(true);
    expect(live.timers).toBe(0);
  });

  test("a grace of 0 still runs the callback, on an aborted signal; only a synchronous result counts", async () => {
    let aborted: boolean | undefined;
    const sync = await guarded(
      "reset",
      (_r: number, s: AbortSignal) => {
        aborted = s.aborted;
        return "done";
      },
      0,
      0,
    );
    expect([sync.ok, sync.value, aborted]).toEqual([true, "done", true]);
    const late = await guarded("reset", () => Promise.resolve("late"), 0, 0);
    expect(late.ok).toBe(false);
  });

  test("tells its owner which guard runs synchronously, and uncounts a hook in close when it settles", async () => {
    const owner: GuardOwner = { running: undefined, hooksInClose: 0 };
    let inside: Guard | undefined;
    let release!: () => void;
    const settled = guarded(
      "destroy",
      () => {
        inside = owner.running;
        inside!.inClose = true;
        owner.hooksInClose++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      0,
      1000,
      owner,
    );
    expect(inside).toBeDefined();
    expect(owner.running, "only while the callback runs synchronously").toBe(undefined);
    expect(owner.hooksInClose).toBe(1);
    release();
    expect(await settled).toBe(inside);
    expect(owner.hooksInClose).toBe(0);
    expect(live.timers).toBe(0);
  });
});
