import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { live } from "./live.ts";
import { reschedule, schedule, type TimerEntry, unschedule } from "./scheduler.ts";

const DAY = 86_400_000;
/** The longest delay a host setTimeout honours; a longer one fires after 1 ms (Node: TimeoutOverflowWarning). */
const HOST_MAX_DELAY = 2 ** 31 - 1;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function entry(deadline: number, fired: number[], id: number): TimerEntry {
  return { deadline, index: -1, keepAlive: true, fire: () => fired.push(id) };
}

describe("scheduler", () => {
  test("fires entries in deadline order and frees every slot", async () => {
    const fired: number[] = [];
    const t = performance.now();
    const delays = [30, 5, 20, 10, 25, 15];
    delays.forEach((d, i) => schedule(entry(t + d, fired, i)));
    expect(live.timers).toBe(6);
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toEqual([1, 3, 5, 2, 4, 0]);
    expect(live.timers).toBe(0);
  });

  test("unschedule removes an entry so it never fires, and is idempotent", async () => {
    const fired: number[] = [];
    const e = entry(performance.now() + 5, fired, 1);
    schedule(e);
    unschedule(e);
    unschedule(e);
    expect(e.index).toBe(-1);
    expect(live.timers).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual([]);
  });

  test("reschedule to an earlier deadline re-arms the host timer", async () => {
    const fired: number[] = [];
    const e = entry(performance.now() + 60_000, fired, 7);
    schedule(e);
    e.deadline = performance.now() + 5;
    reschedule(e);
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toEqual([7]);
  });

  test("the heap keeps its order under any mix of schedule and unschedule (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1_000, max: 1_000_000 }), fc.boolean()), { maxLength: 200 }),
        (ops) => {
          const fired: number[] = [];
          const base = performance.now() + 10_000_000;
          const entries: TimerEntry[] = [];
          for (const [d, remove] of ops) {
            const e = entry(base + d, fired, entries.length);
            schedule(e);
            entries.push(e);
            if (remove && entries.length > 0) unschedule(entries[(d * 7) % entries.length]!);
          }
          const scheduled = entries.filter((e) => e.index >= 0);
          expect(live.timers).toBe(scheduled.length);
          // Every entry's index is its slot; the heap property holds for each.
          for (const e of scheduled) {
            const parent = scheduled.find((p) => p.index === ((e.index - 1) >> 1));
            if (e.index > 0) expect(parent!.deadline).toBeLessThanOrEqual(e.deadline);
          }
          for (const e of entries) unschedule(e);
          expect(live.timers).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a deadline beyond the host timer's range arms it once, in range, and causes no overflow warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on("warning", onWarning);
    const wait = globalThis.setTimeout; // the original: the spy counts only corral's arms
    const arm = vi.spyOn(globalThis, "setTimeout");
    const fired: number[] = [];
    const far = entry(performance.now() + 30 * DAY, fired, 1);
    try {
      schedule(far);
      await new Promise((resolve) => wait(resolve, 100));
      const delays = arm.mock.calls.map((call) => call[1] ?? 0);
      expect(delays.length, `arms in 100 ms: ${delays.slice(0, 5).join(", ")}`).toBeLessThanOrEqual(1);
      expect(delays.every((ms) => ms <= HOST_MAX_DELAY)).toBe(true);
      expect(fired).toEqual([]);
    } finally {
      unschedule(far);
      process.off("warning", onWarning);
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(warnings.filter((name) => name === "TimeoutOverflowWarning")).toEqual([]);
  });

  test("a 30-day deadline still fires on time, re-arming in range when the host timer ends early", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const arm = vi.spyOn(globalThis, "setTimeout");
    const fired: number[] = [];
    const start = performance.now();
    schedule(entry(start + 30 * DAY, fired, 1));
    // The fake clock treats a delay over 2^31-1 as 1 ms, like the hosts: a spin shows up here.
    vi.advanceTimersByTime(100);
    expect(arm.mock.calls.length, "arms in the first 100 ms").toBe(1);
    vi.advanceTimersByTime(30 * DAY - 200);
    expect(fired, "not before its deadline").toEqual([]);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual([1]);
    expect(arm.mock.calls.length, "one arm per 2^31-1 ms, then the last stretch").toBe(2);
    expect(arm.mock.calls.every((call) => (call[1] ?? 0) <= HOST_MAX_DELAY)).toBe(true);
    expect(live.timers).toBe(0);
  });
});
