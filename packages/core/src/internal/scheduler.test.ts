import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { live } from "./live.ts";
import { reschedule, schedule, type TimerEntry, unschedule } from "./scheduler.ts";

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
});
