/**
 * Generator context managers: Python's `@asynccontextmanager`.
 *
 * Write setup, `yield` the resource, write cleanup — in one function, with
 * `try`/`catch`/`finally` doing what they say. `withContext(cm, fn)` runs
 * the body and throws its error into the generator at the `yield`, so the
 * cleanup can tell success from failure (commit or roll back) and can even
 * swallow the error.
 *
 * Guarantees:
 * - The body's error arrives at `yield` as the very same object. Rethrowing
 *   it propagates it unchanged; catching it without rethrowing suppresses it
 *   (`withContext` resolves `undefined`, `exit()` resolves `true`); throwing
 *   a different error replaces it as `SuppressedError(newError, bodyError)`.
 * - A generator that does not yield, or yields a second time, is an `Error`;
 *   the generator is closed (its `finally` blocks run).
 * - Arguments and `this` given to the factory reach the generator.
 * - The cleanup (everything after `yield`) runs shielded with a bounded
 *   grace period, like every cleanup corral runs, however the manager is
 *   closed (`withContext`, an `ExitStack`, `exit()`, `await using`): waits
 *   in it ignore the cancellation of the scope that closes it, and inside
 *   it `currentSignal()` is the cleanup's own signal, which aborts only when
 *   the grace period passes. A cleanup still pending then is abandoned with
 *   a `TimeoutError`. Closed on an `ExitStack` (or from inside any other
 *   cleanup) it runs on that cleanup's signal and grace period.
 * - A body that throws `undefined`, `null` or `0` has failed like any other:
 *   the generator sees it at `yield` (with `withContext` and on an
 *   `ExitStack` in `withExitStack`).
 *
 * `await using` works too (a manager made here is `AsyncDisposable`), but a
 * disposer cannot see the error leaving the block: the generator resumes as
 * if the block succeeded. Use `withContext` or `withExitStack` for anything
 * that must know — a transaction would commit.
 *
 * @example A transaction that commits or rolls back
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextManager, withContext } from "@corral/core";
 * const log: string[] = [];
 * const transaction = contextManager(async function* (name: string) {
 *   log.push(`begin ${name}`);
 *   try {
 *     yield name;
 *     log.push("commit");
 *   } catch (error) {
 *     log.push("rollback");
 *     throw error;
 *   }
 * });
 * await withContext(transaction("t1"), async () => {});
 * await withContext(transaction("t2"), async () => {
 *   throw new Error("constraint violated");
 * }).catch(() => {});
 * assert(log.join() === "begin t1,commit,begin t2,rollback");
 * ```
 *
 * @module
 */

import { combine, Pending } from "./internal/dispose-errors.ts";
import { currentCleanup, EXIT, graceOf, Registration, Unwinder } from "./internal/unwinder.ts";
import { checkFunction, describe } from "../base/validate.ts";
import { type ContextManager, type ExitStackOptions, withExitStack } from "./exit-stack.ts";

export type { ContextManager };

/** A generator a context manager can drive: sync or async, yielding the value once. */
export type AnyGenerator<T> = AsyncGenerator<T, unknown, undefined> | Generator<T, unknown, undefined>;

const FRESH = 0;
const ENTERING = 1;
const ENTERED = 2;
const EXITING = 3;
const DONE = 4;

function isGenerator(value: unknown): value is AnyGenerator<unknown> {
  return typeof value === "object" && value !== null && typeof (value as AnyGenerator<unknown>).next === "function" &&
    typeof (value as AnyGenerator<unknown>).throw === "function" &&
    typeof (value as AnyGenerator<unknown>).return === "function";
}

/**
 * A context manager driven by a generator (async or not) that yields
 * exactly once. Single use. Usually made by {@linkcode contextManager}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GeneratorContextManager } from "@corral/core";
 * async function* gen() {
 *   yield 42;
 * }
 * const cm = new GeneratorContextManager(gen());
 * assert((await cm.enter()) === 42);
 * assert((await cm.exit()) === false);
 * ```
 * @example A cleanup that hangs ends at its grace period
 * ```ts
 * import assert from "node:assert/strict";
 * import { GeneratorContextManager, TimeoutError } from "@corral/core";
 * async function* gen() {
 *   yield;
 *   await new Promise(() => {}); // never settles
 * }
 * const error = await (async () => {
 *   await using cm = new GeneratorContextManager(gen(), { gracePeriod: 10 });
 *   await cm.enter();
 * })().catch((e) => e);
 * assert(error instanceof TimeoutError);
 * ```
 */
export class GeneratorContextManager<T> implements ContextManager<T>, AsyncDisposable {
  #generator: AnyGenerator<T>;
  #state = FRESH;
  #grace: number;

  /**
   * Wraps a generator that has not started as a context manager (what
   * {@linkcode contextManager} makes for you).
   *
   * @param generator a generator that has not started
   * @param options the grace period of the cleanup when the manager is
   * closed on its own (`exit()`, `await using`); on an `ExitStack` or in
   * `withContext` the stack's grace period applies
   * @throws {TypeError} when `generator` has no `next`, `throw` and `return`, or `gracePeriod` is not a number
   * @throws {RangeError} when `gracePeriod` is negative or NaN
   */
  constructor(generator: AnyGenerator<T>, options?: ExitStackOptions) {
    const what = "create GeneratorContextManager";
    if (!isGenerator(generator)) {
      throw new TypeError(`Cannot ${what} as 'generator' must be a generator: received ${describe(generator)}`);
    }
    this.#grace = graceOf(what, options);
    this.#generator = generator;
  }

  /**
   * Runs the generator up to its `yield`.
   *
   * @returns the yielded value
   * @throws {Error} (rejects) when the generator returns without yielding, or the manager was already entered
   * @throws {Error} (rejects) whatever the generator throws before its `yield`
   */
  async enter(): Promise<T> {
    if (this.#state !== FRESH) throw new Error("Cannot enter a context manager twice: it is single use");
    this.#state = ENTERING;
    let step: IteratorResult<T, unknown>;
    try {
      step = await this.#generator.next();
    } catch (error) {
      this.#state = DONE;
      throw error;
    }
    if (step.done) {
      this.#state = DONE;
      throw new Error("Cannot enter a context manager as its generator returned without yielding");
    }
    this.#state = ENTERED;
    return step.value;
  }

  /**
   * Resumes the generator after its `yield`: normally when `error` is
   * `undefined`, by throwing `error` into it otherwise. The cleanup runs
   * shielded, bounded by the grace period (see the module doc).
   *
   * @param error the error leaving the block, if any
   * @returns `true` when the generator swallowed `error`, `false` otherwise
   * @throws {Error} (rejects) when the generator yields again (it is closed), or the manager is not entered
   * (called from inside its own cleanup, the manager is exiting already: this rejects at once)
   * @throws {SuppressedError} (rejects) `SuppressedError(newError, error)` when the generator threw something else
   * @throws {TimeoutError} (rejects) when the cleanup did not settle within the grace period
   */
  async exit(error?: unknown): Promise<boolean> {
    const state = this.#state;
    if (state !== ENTERED) {
      throw new Error(
        state === FRESH
          ? "Cannot exit a context manager that was not entered"
          : state === EXITING
          ? "Cannot exit a context manager that is not entered now: it is already exiting (exit() was called from " +
            "inside its own cleanup, or while the first exit() runs); await the first exit() instead"
          : "Cannot exit a context manager that is not entered now: it has exited already (it is single use)",
      );
    }
    this.#state = EXITING;
    const cleanup = currentCleanup();
    // An ExitStack hands its exit callbacks `undefined` for a thrown undefined too; it says which it is.
    const hasError = error !== undefined || (cleanup instanceof Unwinder && cleanup.handedError);
    // Inside a cleanup already (an ExitStack's callback, a shield): run on its signal, within its grace period.
    if (cleanup !== undefined) return this.#resume(error, hasError);
    // On its own: as the one callback of a close of its own, on a shielded signal with a grace period.
    const unwinder = new Unwinder(
      [new Registration(EXIT, () => this.#resume(error, hasError), undefined)],
      this.#grace,
      new Pending(hasError, error),
      "the context manager's cleanup",
    );
    try {
      await unwinder.start();
    } catch (thrown) {
      if (hasError && Object.is(thrown, error)) return false;
      throw thrown;
    }
    return hasError;
  }

  /** The generator after its `yield`; `hasError` tells a thrown `undefined` from none. */
  async #resume(error: unknown, hasError: boolean): Promise<boolean> {
    const gen = this.#generator;
    if (!hasError) {
      let step: IteratorResult<T, unknown>;
      try {
        step = await gen.next();
      } catch (thrown) {
        this.#state = DONE;
        throw thrown;
      }
      if (step.done) {
        this.#state = DONE;
        return false;
      }
      throw await this.#closeGenerator(
        new Error("Cannot exit a context manager as its generator yielded more than once"),
      );
    }
    let step: IteratorResult<T, unknown>;
    try {
      step = await gen.throw(error);
    } catch (thrown) {
      this.#state = DONE;
      const result = combine(error, thrown);
      if (result === error) return false;
      throw result;
    }
    if (step.done) {
      this.#state = DONE;
      return true;
    }
    const stray = await this.#closeGenerator(
      new Error("Cannot exit a context manager as its generator yielded again after the error was thrown in"),
    );
    throw combine(error, stray);
  }

  /**
   * Exits without an error when entered (the generator resumes as if the
   * block succeeded: `await using` cannot see the block's error); closes the
   * generator when never entered; does nothing once exiting or exited.
   *
   * @returns a promise that settles when the generator has finished
   * @throws {Error} (rejects) what {@linkcode GeneratorContextManager.exit} throws
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === ENTERED) {
      await this.exit();
    } else if (this.#state === FRESH) {
      this.#state = DONE;
      await this.#generator.return(undefined);
    }
  }

  /** Closes a generator that yielded once too often; returns the error to throw. */
  async #closeGenerator(error: Error): Promise<unknown> {
    try {
      await this.#generator.return(undefined);
    } catch (thrown) {
      return combine(error, thrown);
    } finally {
      this.#state = DONE;
    }
    return error;
  }
}

/**
 * Turns a generator function that yields once into a factory of context
 * managers (Python's `@asynccontextmanager`). Setup goes before the `yield`,
 * cleanup after it; the body's error is thrown in at the `yield` when the
 * manager is used with {@linkcode withContext} or an `ExitStack` in
 * `withExitStack`. Arguments and `this` are forwarded to `fn`.
 *
 * @param fn an `async function*` (or `function*`) that yields the resource once
 * @returns a function with `fn`'s parameters that returns a fresh manager
 * @throws {TypeError} when `fn` is not a function; the factory throws one
 * when `fn` does not return a generator
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextManager, withContext } from "@corral/core";
 * const connection = contextManager(async function* (url: string) {
 *   const conn = { url, open: true };
 *   try {
 *     yield conn;
 *   } finally {
 *     conn.open = false;
 *   }
 * });
 * const url = await withContext(connection("db://x"), (conn) => conn.url);
 * assert(url === "db://x");
 * ```
 */
export function contextManager<A extends unknown[], T, This = unknown>(
  fn: (this: This, ...args: A) => AnyGenerator<T>,
): (this: This, ...args: A) => GeneratorContextManager<T> {
  checkFunction("create contextManager", "fn", fn);
  const factory = function (this: This, ...args: A): GeneratorContextManager<T> {
    const generator = fn.apply(this, args);
    if (!isGenerator(generator)) {
      throw new TypeError(
        `Cannot create a context manager as ${fn.name || "fn"}() must return a generator: received ${
          describe(generator)
        }`,
      );
    }
    return new GeneratorContextManager(generator);
  };
  Object.defineProperty(factory, "name", { value: fn.name });
  return factory;
}

/**
 * Enters `cm`, runs `fn(value)` and exits `cm` with `fn`'s error, if any
 * (Python's `async with cm as value:`). `exit` resolving `true` suppresses
 * the error; then this resolves `undefined`. The exit runs shielded, bounded
 * by the grace period.
 *
 * @param cm any context manager (`enter()`/`exit(error?)`)
 * @param fn the body
 * @param options the grace period for the exit
 * @returns `fn`'s value, or `undefined` when its error was suppressed
 * @throws {TypeError} (rejects) when `cm` lacks `enter()`/`exit()` (before `enter()` is called), `fn` is not a
 * function, or `gracePeriod` is not a number
 * @throws {RangeError} (rejects) when `gracePeriod` is negative or NaN
 * @throws {Error} (rejects) `fn`'s error, or what `exit` turned it into
 * @example Swallow one kind of error, like `contextlib.suppress`
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextManager, withContext } from "@corral/core";
 * const ignoring = contextManager(async function* (name: string) {
 *   try {
 *     yield;
 *   } catch (error) {
 *     if ((error as Error).name !== name) throw error;
 *   }
 * });
 * const value = await withContext(ignoring("RangeError"), () => {
 *   throw new RangeError("out of range");
 * });
 * assert(value === undefined);
 * ```
 */
export async function withContext<T, R>(
  cm: ContextManager<T>,
  fn: (value: Awaited<T>) => R | PromiseLike<R>,
  options?: ExitStackOptions,
): Promise<R | undefined> {
  if (
    (typeof cm !== "object" && typeof cm !== "function") || cm === null || typeof cm.enter !== "function" ||
    typeof cm.exit !== "function"
  ) {
    throw new TypeError(
      `Cannot run withContext as 'cm' must have enter() and exit() methods: received ${describe(cm)}`,
    );
  }
  checkFunction("run withContext", "fn", fn);
  graceOf("run withContext", options);
  return await withExitStack(async (stack) => fn(await stack.enter(cm)), options);
}
