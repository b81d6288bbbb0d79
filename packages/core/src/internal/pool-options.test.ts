import { describe, expect, test } from "vitest";
import { DEFAULTS, resolvePoolOptions } from "./pool-options.ts";

const create = () => ({});

describe("resolvePoolOptions", () => {
  test("fills in every default, with validation on borrow after at most 500 ms idle", () => {
    const s = resolvePoolOptions({ create, max: 3 });
    expect(s).toMatchObject({ ...DEFAULTS, max: 3, create });
    expect(s.validateAfterIdle).toBeLessThanOrEqual(500);
    expect(s.isBroken(new Error("x"), {})).toBe(true);
  });

  test("messages name the option and the value", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ max: 0 }, /Cannot create pool as 'max' must be an integer >= 1: received 0/],
      [{ max: Infinity }, /'max'.*Infinity/],
      [{ max: 2, min: 3 }, /'min' must be <= 'max' \(2\): received 3/],
      [{ max: 2, cleanupTimeout: -1 }, /'cleanupTimeout' must be >= 0: received -1/],
      [{ max: 2, retryDelay: 50, maxRetryDelay: 10 }, /'maxRetryDelay' must be >= 'retryDelay' \(50\): received 10/],
      [{ max: 2, maxUses: 1.5 }, /'maxUses'.*1\.5/],
      [{ max: 2, maxLifetimeJitter: -0.1 }, /'maxLifetimeJitter'.*-0\.1/],
      [{ max: 2, isBroken: true }, /'isBroken' must be a function: received true/],
      [{ max: 2, minSize: 1 }, /'minSize' is not a pool option: received 1/],
    ];
    for (const [options, message] of bad) {
      expect(() => resolvePoolOptions({ create, ...options }), JSON.stringify(options)).toThrow(message);
    }
  });

  test("Infinity turns a limit off; 0 is accepted for durations", () => {
    const s = resolvePoolOptions({ create, max: 1, acquireTimeout: 0, idleTimeout: Infinity, maxUses: Infinity });
    expect(s.acquireTimeout).toBe(0);
    expect(s.idleTimeout).toBe(Infinity);
    expect(s.maxUses).toBe(Infinity);
  });
});
