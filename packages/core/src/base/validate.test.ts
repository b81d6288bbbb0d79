import { describe, expect, test } from "vitest";
import {
  checkCount,
  checkIntegerInRange,
  checkNonNegativeTime,
  checkOptionalNonNegativeTime,
  checkPositiveTime,
  checkSignal,
  checkTime,
  describe as show,
  isObject,
} from "./validate.ts";
import { describeValue } from "../mod.ts";

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

  test("describe is public as describeValue, the one drivers use", () => {
    expect(describeValue).toBe(show);
  });

  test("isObject is true for values with identity: objects and functions", () => {
    for (const value of [{}, [], () => {}, new Error("e"), Object.create(null)]) expect(isObject(value)).toBe(true);
    for (const value of [null, undefined, 0, "", "x", 1n, Symbol("s"), false]) expect(isObject(value)).toBe(false);
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

  test("checkCount refuses integers past 2^53-1, which cannot be counted up to", () => {
    expect(checkCount("x", "limit", Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => checkCount("create pool", "max", 1e300, 1)).toThrow(
      new RangeError("Cannot create pool as 'max' must be at most 9007199254740991: received 1e+300"),
    );
    expect(() => checkCount("x", "limit", 2 ** 53, 1, true)).toThrow(/at most 9007199254740991 \(or Infinity\)/);
  });

  test("checkIntegerInRange bounds an integer on both sides", () => {
    expect(checkIntegerInRange("create pool", "max", 1, 1, 1000)).toBe(1);
    expect(checkIntegerInRange("create pool", "max", 1000, 1, 1000)).toBe(1000);
    expect(() => checkIntegerInRange("create pool", "max", 1e12, 1, 1000)).toThrow(
      new RangeError("Cannot create pool as 'max' must be an integer from 1 to 1000: received 1000000000000"),
    );
    expect(() => checkIntegerInRange("create pool", "max", 0, 1, 1000)).toThrow(RangeError);
    expect(() => checkIntegerInRange("create pool", "max", 2.5, 1, 1000)).toThrow(RangeError);
    expect(() => checkIntegerInRange("create pool", "max", Infinity, 1, 1000)).toThrow(RangeError);
    expect(() => checkIntegerInRange("create pool", "max", "1", 1, 1000)).toThrow(TypeError);
  });

  test("checkNonNegativeTime refuses negative durations and, when asked, Infinity", () => {
    expect(checkNonNegativeTime("run", "gracePeriod", 0)).toBe(0);
    expect(checkNonNegativeTime("run", "gracePeriod", Infinity)).toBe(Infinity);
    expect(checkNonNegativeTime("run", "gracePeriod", 1e300)).toBe(1e300);
    expect(() => checkNonNegativeTime("run", "gracePeriod", -1)).toThrow(
      new RangeError("Cannot run as 'gracePeriod' must be >= 0: received -1"),
    );
    expect(() => checkNonNegativeTime("run", "gracePeriod", -Infinity)).toThrow(/>= 0: received -Infinity/);
    expect(() => checkNonNegativeTime("run", "gracePeriod", NaN)).toThrow(/must not be NaN/);
    expect(() => checkNonNegativeTime("run", "gracePeriod", "5")).toThrow(TypeError);
    expect(() => checkNonNegativeTime("close pool", "timeout", Infinity, false)).toThrow(
      new RangeError("Cannot close pool as 'timeout' must be finite and >= 0: received Infinity"),
    );
    expect(checkOptionalNonNegativeTime("acquire", "timeout", undefined)).toBeUndefined();
    expect(() => checkOptionalNonNegativeTime("acquire", "timeout", -5)).toThrow(/'timeout' must be >= 0: received -5/);
  });

  test("checkPositiveTime refuses zero and negative durations", () => {
    expect(checkPositiveTime("create pool", "maxLifetime", 1)).toBe(1);
    expect(checkPositiveTime("create pool", "maxLifetime", Infinity)).toBe(Infinity);
    expect(() => checkPositiveTime("create pool", "maxLifetime", 0)).toThrow(
      new RangeError("Cannot create pool as 'maxLifetime' must be > 0: received 0"),
    );
    expect(() => checkPositiveTime("create pool", "maxLifetime", -1)).toThrow(RangeError);
    expect(() => checkPositiveTime("x", "every", Infinity, false)).toThrow(/must be finite and > 0: received Infinity/);
    expect(() => checkPositiveTime("x", "every", NaN)).toThrow(/must not be NaN/);
  });

  test("checkSignal accepts AbortSignals and undefined only", () => {
    const s = new AbortController().signal;
    expect(checkSignal("sleep", s)).toBe(s);
    expect(checkSignal("sleep", undefined)).toBeUndefined();
    expect(() => checkSignal("sleep", {})).toThrow(TypeError);
  });

  test("checkSignal accepts a signal-like object only with everything corral calls", () => {
    const usable = Object.assign(new EventTarget(), { aborted: false });
    expect(checkSignal("sleep", usable)).toBe(usable);
    const half = { aborted: false, addEventListener() {} };
    expect(() => checkSignal("sleep", half)).toThrow(
      new TypeError(
        "Cannot sleep as 'signal' must be an AbortSignal (a boolean 'aborted', addEventListener and " +
          "removeEventListener): received [object Object]",
      ),
    );
    expect(() => checkSignal("sleep", { aborted: false, removeEventListener() {} })).toThrow(TypeError);
    expect(() => checkSignal("sleep", Object.assign(new EventTarget(), { aborted: 0 }))).toThrow(TypeError);
  });
});
