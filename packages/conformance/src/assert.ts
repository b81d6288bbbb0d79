/**
 * The suite's own assertions, with no dependency on any runtime or test
 * runner (the suite imports none): each throws an {@linkcode AssertionError}
 * when it fails. Exported as `assert` for drivers' and adapters' own checks.
 *
 * @example
 * ```ts
 * import { assert } from "@corral/conformance";
 * assert.equal(1 + 1, 2);
 * await assert.rejects(Promise.reject(new TypeError("no")), TypeError, /no/);
 * ```
 *
 * @module
 */

/** What every assertion here throws when it fails. */
export class AssertionError extends Error {
  /** Always `"AssertionError"`. */
  override get name(): string {
    return "AssertionError";
  }
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}

/** Asserts that `condition` is truthy. */
export function ok(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Asserts that `actual` is `expected` (`Object.is`: the same object, or the same primitive). */
export function equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Asserts that `actual` and `expected` have the same JSON form (plain data only). */
export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new AssertionError(`${message ? message + ": " : ""}expected ${b}, got ${a}`);
}

type ErrorClass = abstract new (...args: never[]) => unknown;

function check(error: unknown, expected: ErrorClass | undefined, pattern?: RegExp): void {
  if (expected !== undefined && !(error instanceof expected)) {
    throw new AssertionError(`unexpected error (wanted ${expected.name}): ${show(error)}`);
  }
  if (pattern && !pattern.test(String((error as Error)?.message))) {
    throw new AssertionError(`error message ${show((error as Error)?.message)} does not match ${pattern}`);
  }
}

/** Asserts that `fn` throws synchronously; returns the error. */
export function throws(fn: () => unknown, expected?: ErrorClass, pattern?: RegExp): unknown {
  try {
    fn();
  } catch (error) {
    check(error, expected, pattern);
    return error;
  }
  throw new AssertionError("expected the function to throw");
}

/** Asserts that `promise` rejects; returns the reason. */
export async function rejects(
  promise: PromiseLike<unknown> | (() => PromiseLike<unknown>),
  expected?: ErrorClass,
  pattern?: RegExp,
): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    check(error, expected, pattern);
    return error;
  }
  throw new AssertionError("expected the promise to reject");
}

/** A promise with its resolvers exposed (Promise.withResolvers is not on Node 20). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after `ms` on the host timer (independent of corral's own timers). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
