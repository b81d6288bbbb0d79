import { describe, expect, test } from "vitest";
import { checkTimeout, DEFAULTS, MAX_SIZE, resolvePoolOptions } from "./pool-options.ts";

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
      [{ max: 2, cleanupTimeout: -1 }, /'cleanupTimeout' must be >= 0 and finite \(.*\): received -1/],
      [{ max: 2, retryDelay: 50, maxRetryDelay: 10 }, /'maxRetryDelay' must be >= 'retryDelay' \(50\): received 10/],
      [{ max: 2, maxUses: 1.5 }, /'maxUses'.*1\.5/],
      [{ max: 2, maxLifetimeJitter: -0.1 }, /'maxLifetimeJitter'.*-0\.1/],
      [{ max: 2, isBroken: true }, /'isBroken' must be a function: received true/],
      [{ max: 2, minSize: 1 }, /'minSize' is not a pool option \(did you mean 'min'\?\): received 1/],
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

  test("every numeric option has its documented bounds, each edge accepted and the next value refused", () => {
    const ok = (options: Record<string, unknown>) => resolvePoolOptions({ create, max: 1, ...options });
    expect(ok({ max: MAX_SIZE }).max).toBe(MAX_SIZE);
    expect(() => ok({ max: MAX_SIZE + 1 })).toThrow(/'max' must be an integer between 1 and 4294967295/);
    expect(() => ok({ max: Infinity })).toThrow(/'max'.*no unlimited mode.*received Infinity/);
    expect(ok({ maxUses: Number.MAX_SAFE_INTEGER }).maxUses).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => ok({ maxUses: 2 ** 53 })).toThrow(
      /'maxUses' must be at most 9007199254740991 \(or Infinity\): received 9007199254740992/,
    );
    expect(ok({ maxLifetimeJitter: 0 }).maxLifetimeJitter).toBe(0);
    expect(ok({ maxLifetimeJitter: 1 }).maxLifetimeJitter).toBe(1);
    expect(() => ok({ maxLifetimeJitter: NaN })).toThrow(RangeError);
    expect(ok({ retryDelay: 0.001, maxRetryDelay: 0.001 }).retryDelay).toBe(0.001);
    expect(() => ok({ retryDelay: 0 })).toThrow(/'retryDelay' must be > 0 and finite \(0 would retry/);
    expect(() => ok({ maxRetryDelay: Infinity })).toThrow(/'maxRetryDelay' must be >= 0 and finite.*Infinity/);
    expect(ok({ cleanupTimeout: 0 }).cleanupTimeout).toBe(0);
    expect(() => ok({ cleanupTimeout: Infinity })).toThrow(RangeError);
    for (const name of ["acquireTimeout", "idleTimeout", "validateAfterIdle", "leakTimeout", "maxLifetime"]) {
      expect(ok({ [name]: Infinity })[name as "idleTimeout"], name).toBe(Infinity);
      expect(() => ok({ [name]: -1 }), name).toThrow(RangeError);
    }
  });

  test("a per-call timeout is undefined or >= 0; a negative one names the fix", () => {
    expect(checkTimeout("acquire", undefined, "")).toBe(undefined);
    expect(checkTimeout("acquire", 0, "")).toBe(0);
    expect(checkTimeout("acquire", Infinity, "")).toBe(Infinity);
    expect(() => checkTimeout("acquire", -5, "0 fails at once")).toThrow(
      new RangeError("Cannot acquire as 'timeout' must be >= 0 (0 fails at once): received -5"),
    );
    expect(() => checkTimeout("acquire", "5", "")).toThrow(TypeError);
  });
});
