// Argument checks shared by every public entry point. Messages follow one
// shape: "Cannot <do what> as '<name>' must be <rule>: received <value>".

/**
 * A short description of a value for an error message: strings quoted,
 * numbers, booleans, bigints, symbols, `null` and `undefined` as written,
 * a function by its name, any object by its tag (`[object Object]`,
 * `[object Array]`) — never its contents, which may be large or secret.
 * Public as `describeValue`, so drivers' messages show
 * values exactly as the core's do.
 *
 * @param value anything
 * @returns the description
 *
 * @example An argument check in the core's message style
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "@corral/core";
 *
 * assert.equal(describeValue("5"), '"5"');
 * assert.equal(describeValue(5n), "5n");
 * assert.equal(describeValue({ password: "x" }), "[object Object]");
 * assert.equal(describeValue(function connect() {}), "function connect");
 * const port: unknown = "5432";
 * const error = new TypeError(`Cannot connect as 'port' must be a number: received ${describeValue(port)}`);
 * assert.equal(error.message, `Cannot connect as 'port' must be a number: received "5432"`);
 * ```
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "symbol") return value.toString();
  return Object.prototype.toString.call(value);
}

// Durations. Three kinds, one checker each:
// - a time limit or deadline (`sleep`, `moveOnAfter`, `failAfter`, a scope's
//   `timeout`/`deadline`): any number but NaN; zero or negative means
//   "already expired" (docs/design.md), `Infinity` means "never" → checkTime.
// - a grace period, a cleanup or acquire timeout, an interval: a negative
//   value has no meaning and is a RangeError → checkNonNegativeTime (pass
//   allowInfinity = false where "never" has no meaning either).
// - a period that must pass before something happens again (a lifetime):
//   zero would mean "at once, forever" → checkPositiveTime.
// Any finite duration is honoured, however large: the scheduler arms the
// host timer for at most 2^31-1 ms and re-checks, so a far deadline costs
// nothing. Beyond ~2^53 ms (285,000 years) one is indistinguishable from
// `Infinity`, which is how it behaves.

/**
 * A time limit or deadline in milliseconds: any number but NaN. `Infinity`
 * means "never"; zero or negative means "already expired".
 */
export function checkTime(what: string, name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a number of milliseconds: received ${describe(value)}`);
  }
  if (value !== value) {
    throw new RangeError(`Cannot ${what} as '${name}' must not be NaN: received NaN`);
  }
  return value;
}

/** An optional time limit: `undefined` stays `undefined`. */
export function checkOptionalTime(what: string, name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkTime(what, name, value);
}

/**
 * A duration that cannot be negative (a grace period, a cleanup or acquire
 * timeout, an interval): a number >= 0; `Infinity` ("never") unless
 * `allowInfinity` is false.
 */
export function checkNonNegativeTime(what: string, name: string, value: unknown, allowInfinity = true): number {
  const ms = checkTime(what, name, value);
  if (ms < 0 || (!allowInfinity && ms === Infinity)) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be ${allowInfinity ? "" : "finite and "}>= 0: received ${ms}`,
    );
  }
  return ms;
}

/** An optional {@link checkNonNegativeTime} duration: `undefined` stays `undefined`. */
export function checkOptionalNonNegativeTime(
  what: string,
  name: string,
  value: unknown,
  allowInfinity = true,
): number | undefined {
  return value === undefined ? undefined : checkNonNegativeTime(what, name, value, allowInfinity);
}

/** A duration that must be > 0 (a lifetime); `Infinity` unless `allowInfinity` is false. */
export function checkPositiveTime(what: string, name: string, value: unknown, allowInfinity = true): number {
  const ms = checkTime(what, name, value);
  if (!(ms > 0) || (!allowInfinity && ms === Infinity)) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be ${allowInfinity ? "" : "finite and "}> 0: received ${ms}`,
    );
  }
  return ms;
}

// Counts. An integer past 2^53-1 cannot be counted up to (n + 1 === n), so
// it is a RangeError everywhere; a tighter bound (how many resources a pool
// may hold) is the caller's choice, through checkIntegerInRange.

/**
 * A non-negative integer count >= `min` and a safe integer (<= 2^53-1);
 * `Infinity` allowed when `allowInfinity`.
 */
export function checkCount(what: string, name: string, value: unknown, min = 0, allowInfinity = false): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be an integer: received ${describe(value)}`);
  }
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot ${what} as '${name}' must be an integer >= ${min}: received ${describe(value)}`);
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be at most ${Number.MAX_SAFE_INTEGER}${
        allowInfinity ? " (or Infinity)" : ""
      }: received ${describe(value)}`,
    );
  }
  return value;
}

/** An integer from `min` to `max` inclusive (for a count with a sensible upper bound). */
export function checkIntegerInRange(what: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be an integer: received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be an integer from ${min} to ${max}: received ${describe(value)}`,
    );
  }
  return value;
}

export function checkFunction(what: string, name: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a function: received ${describe(value)}`);
  }
}

export function checkBoolean(what: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a boolean: received ${describe(value)}`);
  }
}

/** True for a value that has identity (an object or a function): one that can be compared, and kept in a WeakMap. */
export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/**
 * True for what corral can fully use as a signal: a real AbortSignal, or an
 * object with everything corral touches — a boolean `aborted`, and
 * `addEventListener`/`removeEventListener` (a polyfill, another realm's
 * signal). `reason` may be missing (an `Error` stands in); `throwIfAborted`
 * and `onabort` are never called. A half-shaped object would be accepted
 * and then fail later, far from the call (say, when a wait ends and removes
 * its listener), so it is refused here.
 */
export function isSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function" &&
    typeof (value as AbortSignal).removeEventListener === "function";
}

/** An optional `signal` option: `undefined`, or what {@link isSignal} accepts. */
export function checkSignal(what: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!isSignal(value)) {
    throw new TypeError(
      `Cannot ${what} as 'signal' must be an AbortSignal (a boolean 'aborted', addEventListener and ` +
        `removeEventListener): received ${describe(value)}`,
    );
  }
  return value;
}

/** Options bags must be objects when given. */
export function checkOptions(what: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describe(value)}`);
  }
}
