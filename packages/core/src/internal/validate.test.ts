import { describe, expect, test } from "vitest";
import { checkCount, checkSignal, checkTime, describe as show } from "./validate.ts";

describe("validate", () => {
  test("describe shows values safely", () => {
    expect(show("a")).toBe('"a"');
    expect(show(NaN)).toBe("NaN");
    expect(show(10n)).toBe("10n");
    expect(show(null)).toBe("null");
    expect(show(Symbol("s"))).toBe("Symbol(s)");
    expect(show(function named() {})).toBe("function named");
    expect(show({})).toBe("[object Object]");
  });

  test("checkTime names the thing, the option and the value", () => {
    expect(() => checkTime("create pool", "idleTimeout", "1")).toThrow(
      new TypeError(`Cannot create pool as 'idleTimeout' must be a number of milliseconds: received "1"`),
    );
    expect(() => checkTime("sleep", "ms", NaN)).toThrow(RangeError);
    expect(checkTime("sleep", "ms", -1)).toBe(-1);
    expect(checkTime("sleep", "ms", Infinity)).toBe(Infinity);
  });

  test("checkCount accepts integers at or above the minimum", () => {
    expect(checkCount("create pool", "max", 1, 1)).toBe(1);
    expect(() => checkCount("create pool", "max", 0, 1)).toThrow(/'max' must be an integer >= 1: received 0/);
    expect(() => checkCount("create pool", "max", 1.5, 1)).toThrow(RangeError);
    expect(checkCount("x", "limit", Infinity, 1, true)).toBe(Infinity);
  });

  test("checkSignal accepts AbortSignals and undefined only", () => {
    const s = new AbortController().signal;
    expect(checkSignal("sleep", s)).toBe(s);
    expect(checkSignal("sleep", undefined)).toBeUndefined();
    expect(() => checkSignal("sleep", {})).toThrow(TypeError);
  });
});
