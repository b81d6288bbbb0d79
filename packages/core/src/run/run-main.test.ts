import { afterEach, describe, expect, test } from "vitest";
import { AsyncLocalStorage } from "node:async_hooks";
import { Cancelled } from "../base/errors.ts";
import { CancelScope } from "../cancellation/cancel-scope.ts";
import { currentSignal } from "../cancellation/context.ts";
import { runMain, type RunPlatform, type ShutdownSignal } from "./run-main.ts";
import { hooks, installRuntime } from "../base/runtime.ts";
import { sleep } from "../cancellation/sleep.ts";

/** A platform that records what run() does instead of doing it. */
function fakePlatform() {
  const signals = new Map<string, Set<() => void>>();
  const unhandled = new Set<(error: unknown) => void>();
  const record = { exits: [] as number[], exitCode: undefined as number | undefined, printed: [] as string[] };
  const platform: RunPlatform = {
    onSignal(name, handler) {
      const set = signals.get(name) ?? new Set();
      signals.set(name, set);
      set.add(handler);
      return () => set.delete(handler);
    },
    exit: (code) => void record.exits.push(code),
    setExitCode: (code) => void (record.exitCode = code),
    onUnhandled(handler) {
      unhandled.add(handler);
      return () => unhandled.delete(handler);
    },
    printError: (text) => void record.printed.push(text),
  };
  const raise = (name: ShutdownSignal) => {
    for (const handler of [...(signals.get(name) ?? [])]) handler();
  };
  const fail = (error: unknown) => {
    for (const handler of [...unhandled]) handler(error);
  };
  const listeners = () => [...signals.values()].reduce((n, set) => n + set.size, 0) + unhandled.size;
  return { platform, record, raise, fail, listeners };
}

const saved = { ...hooks };
afterEach(() => installRuntime(saved));

describe("runMain", () => {
  test("success resolves 0, sets exit code 0, prints nothing and removes its listeners", async () => {
    const fake = fakePlatform();
    const done = runMain(fake.platform, () => "ok");
    expect(fake.listeners()).toBe(3);
    await expect(done).resolves.toBe(0);
    expect(fake.record).toEqual({ exits: [], exitCode: 0, printed: [] });
    expect(fake.listeners()).toBe(0);
  });

  test("a failure resolves 1 and prints the error once with its cause chain", async () => {
    const fake = fakePlatform();
    const error = new Error("top", { cause: new Error("root cause") });
    await expect(runMain(fake.platform, () => Promise.reject(error))).resolves.toBe(1);
    expect(fake.record.exitCode).toBe(1);
    expect(fake.record.printed).toHaveLength(1);
    expect(fake.record.printed[0]).toMatch(/^Error: top[\s\S]*\[cause\]:\n\s+Error: root cause/);
  });

  test("SIGINT cancels main's signal with a Cancelled naming the signal; exit 130 even though main returns", async () => {
    const fake = fakePlatform();
    let reason: unknown;
    const done = runMain(fake.platform, async (signal) => {
      try {
        await sleep(60_000, { signal });
      } catch {
        reason = signal.reason;
      }
      return "cleaned up";
    });
    await sleep(1);
    fake.raise("SIGINT");
    await expect(done).resolves.toBe(130);
    expect(reason).toBeInstanceOf(Cancelled);
    expect((reason as Cancelled).kind).toBe("explicit");
    expect((reason as Cancelled).cause).toBe("SIGINT");
    expect((reason as Cancelled).message).toContain("SIGINT");
    expect(fake.record).toEqual({ exits: [], exitCode: 130, printed: [] });
  });

  test("SIGTERM gives 143 when main fails with the cancellation", async () => {
    const fake = fakePlatform();
    const done = runMain(fake.platform, (signal) => sleep(60_000, { signal }));
    await sleep(1);
    fake.raise("SIGTERM");
    await expect(done).resolves.toBe(143);
    expect(fake.record.printed).toEqual([]);
  });

  test("a second signal exits at once with the first signal's code", async () => {
    const fake = fakePlatform();
    const release = new AbortController();
    const done = runMain(fake.platform, async (signal) => {
      await sleep(60_000, { signal }).catch(() => {});
      await sleep(60_000, { signal: release.signal }).catch(() => {}); // a slow cleanup
    }, { gracePeriod: Infinity });
    await sleep(1);
    fake.raise("SIGTERM");
    await sleep(1);
    expect(fake.record.exits).toEqual([]);
    fake.raise("SIGINT");
    expect(fake.record.exits).toEqual([143]);
    expect(fake.record.printed.join("\n")).toMatch(/received SIGINT during shutdown.*143/);
    release.abort();
    await done;
  });

  test("the grace period, counted from the first signal, bounds a hung cleanup", async () => {
    const fake = fakePlatform();
    const release = new AbortController();
    const done = runMain(fake.platform, async (signal) => {
      await sleep(60_000, { signal }).catch(() => {});
      await sleep(60_000, { signal: release.signal }).catch(() => {});
    }, { gracePeriod: 20 });
    await sleep(40);
    expect(fake.record.exits, "no signal yet: the grace period has not started").toEqual([]);
    fake.raise("SIGINT");
    for (let i = 0; i < 500 && fake.record.exits.length === 0; i++) await sleep(5);
    expect(fake.record.exits).toEqual([130]);
    expect(fake.record.printed.join("\n")).toMatch(/longer than 20 ms/);
    release.abort();
    await done;
  });

  test("a grace period longer than the host timer's range (30 days) does not end the process early", async () => {
    const fake = fakePlatform();
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const release = new AbortController();
      const done = runMain(fake.platform, async (signal) => {
        await sleep(60_000, { signal }).catch(() => {});
        await sleep(60_000, { signal: release.signal }).catch(() => {}); // a slow cleanup
      }, { gracePeriod: 30 * 86_400_000 });
      await sleep(1);
      fake.raise("SIGINT");
      await sleep(50);
      expect(fake.record.exits, "the grace period is 30 days, not 1 ms").toEqual([]);
      release.abort();
      await expect(done).resolves.toBe(130);
      expect(fake.record.exits).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((name) => name === "TimeoutOverflowWarning")).toEqual([]);
  });

  test("gracePeriod 0 ends the process on the first signal", async () => {
    const fake = fakePlatform();
    const release = new AbortController();
    const done = runMain(fake.platform, () => sleep(60_000, { signal: release.signal }).catch(() => {}), {
      gracePeriod: 0,
    });
    fake.raise("SIGTERM");
    expect(fake.record.exits).toEqual([143]);
    release.abort();
    await done;
  });

  test("an unhandled error cancels main, is printed once and makes the run fail", async () => {
    const fake = fakePlatform();
    const boom = new Error("unhandled boom");
    let reason: unknown;
    const done = runMain(fake.platform, async (signal) => {
      await sleep(60_000, { signal }).catch(() => (reason = signal.reason));
      throw boom; // the same object again: not printed twice
    });
    await sleep(1);
    fake.fail(boom);
    await expect(done).resolves.toBe(1);
    expect((reason as Cancelled).cause).toBe(boom);
    expect(fake.record.printed).toHaveLength(1);
    expect(fake.record.printed[0]).toMatch(/unhandled error[\s\S]*unhandled boom/);
  });

  test("only the configured signals are listened to; [] listens to none", async () => {
    const a = fakePlatform();
    await runMain(a.platform, () => expect(a.listeners()).toBe(2), { signals: ["SIGHUP"] });
    const b = fakePlatform();
    await runMain(b.platform, () => expect(b.listeners()).toBe(1), { signals: [] });
    const c = fakePlatform();
    const done = runMain(c.platform, (signal) => sleep(60_000, { signal }), { signals: ["SIGHUP", "SIGHUP"] });
    expect(c.listeners()).toBe(2);
    c.raise("SIGHUP");
    await expect(done).resolves.toBe(129);
  });

  test("bad input is rejected naming the option and value, before anything is installed", async () => {
    const fake = fakePlatform();
    await expect(runMain(fake.platform, 5 as never)).rejects.toThrow(/'main' must be a function: received 5/);
    await expect(runMain(fake.platform, () => {}, { gracePeriod: NaN })).rejects.toThrow(RangeError);
    await expect(runMain(fake.platform, () => {}, { gracePeriod: -1 })).rejects.toThrow(
      new RangeError("Cannot run as 'gracePeriod' must be >= 0: received -1"),
    );
    await expect(runMain(fake.platform, () => {}, { gracePeriod: -Infinity })).rejects.toThrow(RangeError);
    await expect(runMain(fake.platform, () => {}, { gracePeriod: "1" as never })).rejects.toThrow(
      /'gracePeriod'.*"1"/,
    );
    await expect(runMain(fake.platform, () => {}, { signals: "SIGINT" as never })).rejects.toThrow(TypeError);
    await expect(runMain(fake.platform, () => {}, { signals: ["SIGKILL" as never] })).rejects.toThrow(
      /'signals'.*"SIGKILL"/,
    );
    await expect(runMain(fake.platform, () => {}, { signals: ["toString" as never] })).rejects.toThrow(RangeError);
    await expect(runMain(fake.platform, () => {}, 3 as never)).rejects.toThrow(/'options'/);
    expect(fake.listeners()).toBe(0);
    expect(fake.record.exitCode).toBeUndefined();
  });

  test("with a context installed, main's signal is ambient and the root ignores an enclosing scope", async () => {
    installRuntime({ context: new AsyncLocalStorage() });
    const fake = fakePlatform();
    const outer = new CancelScope();
    await outer.run(async () => {
      const done = runMain(fake.platform, async (signal) => {
        expect(currentSignal()).toBe(signal);
        outer.cancel();
        await sleep(1); // inherits main's signal, which the outer cancellation does not reach
        return "fine";
      });
      await expect(done).resolves.toBe(0);
    });
  });

  test("can run twice in a row", async () => {
    const fake = fakePlatform();
    await expect(runMain(fake.platform, () => {})).resolves.toBe(0);
    const second = runMain(fake.platform, (signal) => sleep(60_000, { signal }));
    fake.raise("SIGINT");
    await expect(second).resolves.toBe(130);
    expect(fake.listeners()).toBe(0);
  });
});
