/**
 * The errors corral raises. Every one of them is a plain `Error` subclass with
 * a stable `name`, so it can be recognised across realms and bundles.
 *
 * @module
 */

/** Why a scope was cancelled. */
export type CancelKind = "explicit" | "deadline" | "parent" | "sibling";

import { describe } from "./validate.ts";

const KINDS: ReadonlySet<string> = new Set(["explicit", "deadline", "parent", "sibling"]);

const DEFAULT_MESSAGES: Record<CancelKind, string> = {
  explicit: "the scope was cancelled",
  deadline: "the deadline passed",
  parent: "an enclosing scope was cancelled",
  sibling: "a sibling task failed",
};

/** Options for {@linkcode Cancelled}. */
export interface CancelledOptions {
  /** Text appended to the message ("Cancelled (explicit): <text>"). */
  message?: string;
  /** The value that caused the cancellation (the argument of `cancel()`, the parent's reason, …). */
  cause?: unknown;
}

/**
 * The reason a cancel scope's signal carries when the scope is cancelled.
 *
 * A scope catches its own `Cancelled` at its boundary (`run()` resolves with
 * `undefined`); a `Cancelled` that belongs to an enclosing scope propagates.
 *
 * @example Recognising a cancellation
 * ```ts
 * import assert from "node:assert/strict";
 * import { Cancelled, CancelScope } from "@corral/core";
 * const scope = new CancelScope();
 * scope.cancel("shutting down");
 * const reason = scope.signal.reason;
 * assert(reason instanceof Cancelled && reason.kind === "explicit");
 * ```
 */
export class Cancelled extends Error {
  /** Why the scope was cancelled. */
  readonly kind: CancelKind;

  /**
   * Makes the reason of a cancellation. corral makes these itself; make one
   * to cancel with a reason of your own kind of text (the scope still
   * recognises only the reason it was cancelled with, by identity).
   *
   * @param kind why the scope was cancelled
   * @param options text for the message, and the cause
   * @throws {RangeError} when `kind` is not one of the four kinds
   */
  constructor(kind: CancelKind = "explicit", options?: CancelledOptions) {
    if (!KINDS.has(kind)) {
      throw new RangeError(
        `Cannot create Cancelled as 'kind' must be "explicit", "deadline", "parent" or "sibling": received ${
          describe(kind)
        }`,
      );
    }
    const text = options?.message ?? DEFAULT_MESSAGES[kind];
    super(`Cancelled (${kind}): ${text}`, options && "cause" in options ? { cause: options.cause } : undefined);
    this.kind = kind;
  }

  /** Always `"Cancelled"`, on the prototype, so it survives bundling and minifying. */
  override get name(): string {
    return "Cancelled";
  }
}

/**
 * Raised when a deadline that the caller asked to fail on passes:
 * `failAfter`, a `shield` grace period, a pool's acquire timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failAfter, sleep, TimeoutError } from "@corral/core";
 * try {
 *   await failAfter(1, (signal) => sleep(1000, { signal }));
 * } catch (error) {
 *   assert(error instanceof TimeoutError);
 * }
 * ```
 */
export class TimeoutError extends Error {
  /** Always `"TimeoutError"`. */
  override get name(): string {
    return "TimeoutError";
  }
}

/**
 * Raised by a pool's `acquire()` (and so `use()`) when no resource came
 * within its acquire timeout: a {@link TimeoutError}, so code that catches
 * timeouts catches it too, that can be told apart from every other timeout
 * without reading its message — an HTTP layer answers it with `503`, while a
 * `failAfter` deadline or a hook's grace period running out is the caller's
 * own failure. Its `name` stays `"TimeoutError"`, as before it had a type of
 * its own. `cause` is the last create error when creating resources failed.
 *
 * @example Telling an exhausted pool apart from other timeouts
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool, failAfter, PoolTimeoutError, sleep, TimeoutError } from "@corral/core";
 * const pool = createPool({ create: () => ({}), max: 1 });
 * const held = await pool.acquire();
 * const exhausted = await pool.acquire({ timeout: 1 }).catch((error: unknown) => error);
 * assert(exhausted instanceof PoolTimeoutError && exhausted instanceof TimeoutError);
 * const deadline = await failAfter(1, (signal) => sleep(1000, { signal })).catch((error: unknown) => error);
 * assert(deadline instanceof TimeoutError && !(deadline instanceof PoolTimeoutError));
 * await held.release();
 * await pool.close();
 * ```
 */
export class PoolTimeoutError extends TimeoutError {}

/**
 * Every failure of a task group, together. Strict: even a single failure is
 * wrapped. Cancellations that belong to the group are never in `errors`.
 *
 * @example One failing child
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskGroup, TaskGroupError } from "@corral/core";
 * const failure = await taskGroup((tg) => {
 *   tg.spawn(() => Promise.reject(new Error("boom")));
 * }).catch((error: unknown) => error);
 * assert.ok(failure instanceof TaskGroupError);
 * assert.equal((failure.errors[0] as Error).message, "boom");
 * ```
 */
export class TaskGroupError extends AggregateError {
  /** The failures, in the order they happened: whatever was thrown (narrow one before using it). */
  declare errors: unknown[];

  /** Always `"TaskGroupError"`. */
  override get name(): string {
    return "TaskGroupError";
  }
}

/** Raised by a pool's `acquire()` once `close()` or `terminate()` has started. */
export class PoolClosedError extends Error {
  /**
   * Makes the error a closed pool rejects with.
   *
   * @param message what happened (default: "The pool is closed")
   * @param options the `cause`, as for `Error`
   */
  constructor(message = "The pool is closed", options?: ErrorOptions) {
    super(message, options);
  }

  /** Always `"PoolClosedError"`. */
  override get name(): string {
    return "PoolClosedError";
  }
}

/** The shape of TC39's `SuppressedError` (also the fallback's shape). */
export interface SuppressedErrorLike extends Error {
  /** The error thrown last (the one that replaced `suppressed`). */
  error: unknown;
  /** The error that was in flight when `error` was thrown. */
  suppressed: unknown;
}

/** The constructor of {@linkcode SuppressedError}. */
export interface SuppressedErrorConstructor {
  /** Makes `SuppressedError(error, suppressed)`: `error` was thrown while `suppressed` was in flight. */
  new (error: unknown, suppressed: unknown, message?: string): SuppressedErrorLike;
  /** The same, called without `new` (as the native constructor allows). */
  (error: unknown, suppressed: unknown, message?: string): SuppressedErrorLike;
  /** The prototype every `SuppressedError` inherits from (`instanceof` uses it). */
  readonly prototype: SuppressedErrorLike;
}

class SuppressedErrorFallback extends Error {
  error: unknown;
  suppressed: unknown;
  constructor(error: unknown, suppressed: unknown, message?: string) {
    super(message === undefined ? "" : String(message));
    this.error = error;
    this.suppressed = suppressed;
  }
  override get name(): string {
    return "SuppressedError";
  }
}

function makeFallback(): SuppressedErrorConstructor {
  // Spec-shaped: callable without `new`, like the native constructor.
  const ctor = function SuppressedError(error: unknown, suppressed: unknown, message?: string) {
    return new SuppressedErrorFallback(error, suppressed, message);
  } as unknown as SuppressedErrorConstructor;
  Object.defineProperty(ctor, "prototype", { value: SuppressedErrorFallback.prototype });
  Object.defineProperty(SuppressedErrorFallback.prototype, "constructor", { value: ctor });
  return ctor;
}

/**
 * TC39's `SuppressedError`: the runtime's own where it has one (Node 24,
 * Deno, Bun), a spec-shaped fallback where not (Node 20). corral chains
 * cleanup errors with it, newest outermost.
 */
export const SuppressedError: SuppressedErrorConstructor =
  (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError ?? makeFallback();
