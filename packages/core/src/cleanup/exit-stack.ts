/**
 * Exit stacks: Python's `contextlib.AsyncExitStack` on TC39 shapes.
 *
 * An exit stack is a list of cleanup callbacks, run newest first when the
 * stack closes. Reach for it when the number of resources is dynamic, when
 * cleanup must see the error that ended the block (`withExitStack`), or
 * when ownership of a set of resources moves elsewhere on success (`move()`).
 *
 * Guarantees:
 * - Callbacks run in reverse order of registration, each exactly once, and
 *   every one runs even when earlier ones throw.
 * - Errors travel TC39-style: an error thrown while another is in flight
 *   becomes `SuppressedError(newError, pendingError)`, newest outermost. The
 *   same error rethrown is never wrapped; no chain holds a cycle or the same
 *   object twice.
 * - Cleanup is shielded and bounded: callbacks run even when the scope
 *   closing the stack is cancelled, on a signal of their own that aborts only
 *   when their grace period (`gracePeriod`, per callback) passes. A callback
 *   still pending then is abandoned with a `TimeoutError`, and the rest run.
 * - `disposed` turns true the moment `close()` starts; from then on the
 *   stack is dead and registering throws `ReferenceError`.
 *
 * @example Open a dynamic number of resources, close them all
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExitStack } from "@corral/core";
 * const closed: string[] = [];
 * const open = (name: string) => ({ name, [Symbol.asyncDispose]: async () => void closed.push(name) });
 * {
 *   await using stack = new ExitStack();
 *   for (const name of ["a", "b", "c"]) stack.use(open(name));
 * }
 * assert(closed.join() === "c,b,a");
 * ```
 *
 * @module
 */

import { isObject } from "../base/validate.ts";
import { notAContextManager, notDisposable } from "../base/hints.ts";
import { Pending } from "./internal/dispose-errors.ts";
import {
  ADOPT,
  ASYNC_DISPOSE,
  CM_EXIT,
  EXIT,
  graceOf,
  isInside,
  Registration,
  SYNC_DISPOSE,
  Unwinder,
} from "./internal/unwinder.ts";
import { checkFunction } from "../base/validate.ts";

/** Options for {@linkcode ExitStack} and {@linkcode withExitStack}. */
export interface ExitStackOptions {
  /**
   * How long each cleanup callback may take once it returned a promise, in
   * milliseconds, before it is abandoned with a `TimeoutError` (its signal
   * aborts first). Default 10,000. `Infinity`: no limit. `0`: already
   * expired — callbacks still run, with an aborted signal. Negative or NaN:
   * a `RangeError`.
   */
  gracePeriod?: number;
}

/**
 * An exit callback for {@linkcode ExitStack.push}: receives the error in
 * flight (`undefined` when there is none) and the cleanup signal. Returning
 * (or resolving to) exactly `true` suppresses the error for the callbacks
 * registered before it and for the caller.
 */
export type ExitCallback = (error: unknown, signal: AbortSignal) => unknown;

/**
 * Anything with `enter()` and `exit(error?)` — what `ExitStack.enter` and
 * `withContext` accept. `exit` receives the error leaving the block
 * (`undefined` when there is none) and returns (or resolves to) `true` to
 * suppress it. `contextManager` makes them from generators.
 */
export interface ContextManager<T> {
  /** Acquires the resource; its value is what the block receives. */
  enter(): T | PromiseLike<T>;
  /** Releases it; `true` suppresses `error`. */
  exit(error?: unknown): unknown;
}

/**
 * A stack of cleanup callbacks (Python's `AsyncExitStack`), `AsyncDisposable`.
 * See the module doc for its guarantees.
 *
 * What callbacks receive: `defer(fn)` calls `fn(signal)`, `adopt(value, fn)`
 * calls `fn(value, signal)`, `push(exit)` calls `exit(error, signal)`;
 * `use(value)` calls its dispose method with no argument and `enter(cm)`
 * calls `cm.exit(error)`, as their protocols say. `signal` is the cleanup's
 * shield signal: not aborted by any outer cancellation, aborted when the
 * callback overruns its grace period. It is passed only to a callback that
 * declares a parameter for it (by its `length`: `(signal) => …` gets it,
 * `() => …` is called with no argument), so no `AbortSignal` is made for
 * callbacks that do not ask. With an adapter installed the same signal is
 * also `currentSignal()` inside every callback — and what corral's own
 * waits default to. (Wrap a method that takes optional parameters of its
 * own in an arrow: `stack.defer(() => server.close())`.)
 *
 * Awaiting `close()` (or `[Symbol.asyncDispose]()`) from inside one of the
 * stack's own callbacks would wait on itself: it rejects at once with an
 * `Error` saying so (the callback is already part of the close; return from
 * it instead). This is detected when `close()` is called in the callback's
 * synchronous part, and under an adapter anywhere in its async flow; a wait
 * through another stack's callback is only bounded by the grace period.
 *
 * @example The exception-aware form: a callback sees the error and may suppress it
 * ```ts
 * import assert from "node:assert/strict";
 * import { withExitStack } from "@corral/core";
 * const seen: unknown[] = [];
 * const value = await withExitStack((stack) => {
 *   stack.push((error) => {
 *     seen.push(error);
 *     return true; // suppress
 *   });
 *   throw new Error("boom");
 * });
 * assert(value === undefined && (seen[0] as Error).message === "boom");
 * ```
 */
export class ExitStack implements AsyncDisposable {
  #items: unknown[] = [];
  #grace: number;
  #disposed = false;
  #unwinder: Unwinder | undefined = undefined;

  /** Pins the hidden classes of a stack with callbacks: engine tuning the bench shows (see `Unwinder`). */
  static readonly #pinned: ExitStack = new ExitStack();

  static {
    ExitStack.#pinned.defer(() => {});
  }

  /**
   * Makes an empty stack; register cleanups with `use`, `enter`, `adopt`,
   * `defer` or `push`, and close it with `await using` or `close()`.
   *
   * @param options the grace period for each cleanup callback
   * @throws {TypeError} when `options` is not an object or `gracePeriod` not a number
   * @throws {RangeError} when `gracePeriod` is negative or NaN
   */
  constructor(options?: ExitStackOptions) {
    this.#grace = graceOf("create ExitStack", options);
  }

  /** True once `close()` (or `move()`) started: the stack accepts nothing more. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Registers `value`'s `[Symbol.asyncDispose]()` (or, failing that, its
   * `[Symbol.dispose]()`, whose result is not awaited) — any TC39 disposable,
   * including `DisposableStack` and `AsyncDisposableStack`. `null` and
   * `undefined` are returned and ignored. The method is read now, as `using` does.
   *
   * @param value the resource
   * @returns `value`
   * @throws {TypeError} when `value` has neither method
   * @throws {ReferenceError} when the stack is disposed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExitStack } from "@corral/core";
   * const stack = new ExitStack();
   * let closed = false;
   * const file = stack.use({ [Symbol.dispose]: () => void (closed = true) });
   * await stack.close();
   * assert(closed && file !== undefined);
   * ```
   */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    this.#checkOpen("use a resource");
    if (value === null || value === undefined) return value;
    if (isObject(value)) {
      const asyncDispose = (value as Partial<AsyncDisposable>)[Symbol.asyncDispose];
      if (asyncDispose !== undefined && asyncDispose !== null) {
        if (typeof asyncDispose === "function") {
          this.#items.push(new Registration(ASYNC_DISPOSE, asyncDispose, value));
          return value;
        }
      } else {
        const dispose = (value as Partial<Disposable>)[Symbol.dispose];
        if (typeof dispose === "function") {
          this.#items.push(new Registration(SYNC_DISPOSE, dispose, value));
          return value;
        }
      }
    }
    throw notDisposable(value);
  }

  /**
   * Enters a context manager (anything with `enter()` and `exit(error?)`,
   * such as those made by `contextManager`) and registers its `exit` —
   * Python's `enter_async_context`. When the stack closes, `exit` receives
   * the error in flight (`undefined` if none); resolving `true` suppresses it.
   * If the stack is closed while `enter()` runs, the manager is exited at
   * once and this rejects with `ReferenceError`.
   *
   * @param cm the context manager
   * @returns what `cm.enter()` resolved to
   * @throws {TypeError} (rejects) when `cm` lacks `enter()` or `exit()`; `enter()` is not called. For a
   * disposable (a pool: Python's `enter_async_context(create_pool())`) the message points to `stack.use(value)`;
   * the stack takes nothing over, so the value is still the caller's to close
   * @throws {ReferenceError} (rejects) when the stack is disposed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { contextManager, ExitStack } from "@corral/core";
   * const log: string[] = [];
   * const resource = contextManager(async function* (name: string) {
   *   log.push(`open ${name}`);
   *   try {
   *     yield name;
   *   } finally {
   *     log.push(`close ${name}`);
   *   }
   * });
   * const stack = new ExitStack();
   * const a = await stack.enter(resource("a"));
   * await stack.enter(resource("b"));
   * await stack.close();
   * assert(a === "a" && log.join() === "open a,open b,close b,close a");
   * ```
   */
  async enter<T>(cm: ContextManager<T>): Promise<Awaited<T>> {
    this.#checkOpen("enter a context manager");
    if (!isObject(cm) || typeof cm.enter !== "function" || typeof cm.exit !== "function") {
      throw notAContextManager(cm);
    }
    const exit = cm.exit;
    const value = await cm.enter();
    if (this.#disposed) {
      const error = new ReferenceError(
        "Cannot enter a context manager as the ExitStack was disposed while it was entering",
      );
      const orphan = new ExitStack({ gracePeriod: this.#grace });
      orphan.#items.push(new Registration(CM_EXIT, exit, cm));
      await orphan.#closeWith(new Pending(true, error));
      throw error;
    }
    this.#items.push(new Registration(CM_EXIT, exit, cm));
    return value;
  }

  /**
   * Registers `onDispose(value, signal)` for a value that is not itself
   * disposable (TC39 `adopt`). `signal` is passed when `onDispose` declares it.
   *
   * @param value the resource
   * @param onDispose its cleanup
   * @returns `value`
   * @throws {TypeError} when `onDispose` is not a function
   * @throws {ReferenceError} when the stack is disposed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExitStack } from "@corral/core";
   * const stack = new ExitStack();
   * const timer = stack.adopt(setInterval(() => {}, 1000), (t) => clearInterval(t));
   * await stack.close();
   * assert(timer !== undefined);
   * ```
   */
  adopt<T>(value: T, onDispose: (value: T, signal: AbortSignal) => unknown): T {
    this.#checkOpen("adopt a value");
    checkFunction("adopt a value in ExitStack", "onDispose", onDispose);
    this.#items.push(new Registration(ADOPT, onDispose as (...args: unknown[]) => unknown, value));
    return value;
  }

  /**
   * Registers `fn(signal)` (TC39 `defer`, Python's `push_async_callback`).
   * `signal` is passed when `fn` declares it (`fn.length > 0`).
   *
   * @param fn the cleanup
   * @throws {TypeError} when `fn` is not a function
   * @throws {ReferenceError} when the stack is disposed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExitStack, sleep } from "@corral/core";
   * const stack = new ExitStack();
   * let flushed = false;
   * stack.defer(async (signal) => {
   *   await sleep(1, { signal });
   *   flushed = true;
   * });
   * await stack.close();
   * assert(flushed);
   * ```
   */
  defer(fn: (signal: AbortSignal) => unknown): void {
    this.#checkOpen("defer a callback");
    checkFunction("defer a callback in ExitStack", "fn", fn);
    this.#items.push(fn);
  }

  /**
   * Registers an exit callback (Python's `push_async_exit`): `exit(error,
   * signal)` sees the error in flight (`undefined` if none) and returns
   * exactly `true` to suppress it for the callbacks registered before it
   * (`signal` is passed when `exit` declares a second parameter).
   * Only `withExitStack` (and `close()`'s own cleanup errors) give it an
   * error to see: `await using` cannot.
   *
   * @param exit the callback
   * @returns `exit`
   * @throws {TypeError} when `exit` is not a function
   * @throws {ReferenceError} when the stack is disposed
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { withExitStack } from "@corral/core";
   * let rolledBack = false;
   * await withExitStack((stack) => {
   *   stack.push((error) => {
   *     if (error !== undefined) rolledBack = true;
   *   });
   *   throw new Error("failed");
   * }).catch(() => {});
   * assert(rolledBack);
   * ```
   */
  push<F extends ExitCallback>(exit: F): F {
    this.#checkOpen("push an exit callback");
    checkFunction("push an exit callback in ExitStack", "exit", exit);
    this.#items.push(new Registration(EXIT, exit as (...args: unknown[]) => unknown, undefined));
    return exit;
  }

  /**
   * Moves every callback to a new stack and disposes this one (TC39 `move`,
   * Python's `pop_all`): closing this stack then does nothing. The new stack
   * has the same grace period.
   *
   * @returns the new stack, owning the callbacks
   * @throws {ReferenceError} when the stack is disposed
   * @example Keep the resources only if everything opened
   * ```ts
   * import { ExitStack } from "@corral/core";
   * async function openBoth() {
   *   await using stack = new ExitStack();
   *   const a = stack.use({ [Symbol.asyncDispose]: async () => {} });
   *   const b = stack.use({ [Symbol.asyncDispose]: async () => {} });
   *   return { a, b, owner: stack.move() }; // success: nothing closes here
   * }
   * const { owner } = await openBoth();
   * await owner.close();
   * ```
   */
  move(): ExitStack {
    this.#checkOpen("move the callbacks");
    const next = new ExitStack({ gracePeriod: this.#grace });
    next.#items = this.#items;
    this.#items = [];
    this.#disposed = true;
    return next;
  }

  /**
   * Runs every callback, newest first, and disposes the stack. Rejects with
   * the error the callbacks left in flight (chained as described above).
   * Called again while running, it returns the same promise; once finished,
   * it resolves at once (even if the first close rejected). Called from
   * inside one of the stack's own callbacks, it rejects at once (see the
   * class doc).
   *
   * @returns a promise that settles when every callback has run
   * @throws {Error} (rejects) whatever the callbacks threw, chained
   * @throws {Error} (rejects) at once, when called from inside one of the stack's own callbacks
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExitStack } from "@corral/core";
   * const stack = new ExitStack();
   * stack.defer(() => {
   *   throw new Error("first registered, runs last");
   * });
   * stack.defer(() => {
   *   throw new Error("runs first");
   * });
   * const error = await stack.close().catch((e) => e);
   * assert(error.name === "SuppressedError" && error.error.message === "first registered, runs last");
   * ```
   */
  close(): Promise<void> {
    return this.#closeWith(new Pending(false, undefined));
  }

  /** Same as {@linkcode ExitStack.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#closeWith(new Pending(false, undefined));
  }

  #closeWith(pending: Pending): Promise<void> {
    const running = this.#unwinder;
    if (running !== undefined && !running.finished && isInside(running)) return waitsOnItself(pending);
    if (running !== undefined || this.#disposed) {
      // Closed (or moved) already. The error in flight, if any, still travels.
      const wait = running === undefined || running.finished ? Promise.resolve() : running.promise;
      if (!pending.has) return wait;
      const error = pending.error;
      const rethrow = () => {
        throw error;
      };
      return wait.then(rethrow, rethrow);
    }
    this.#disposed = true;
    const items = this.#items;
    this.#items = [];
    const unwinder = new Unwinder(items, this.#grace, pending);
    this.#unwinder = unwinder;
    return unwinder.start();
  }

  #checkOpen(what: string): void {
    if (this.#disposed) throw new ReferenceError(`Cannot ${what} as the ExitStack is disposed`);
  }
}

/**
 * The answer to a close() awaited from inside the stack's own callback. The
 * rejection is marked handled: a callback that calls close() without
 * awaiting it waits on nothing, and must not crash the process.
 */
function waitsOnItself(pending: Pending): Promise<void> {
  pending.add(
    new Error(
      "Cannot await close() of an ExitStack from inside one of its own callbacks, as it would wait for itself: " +
        "the stack is already closing and runs every callback once; return from the callback instead",
    ),
  );
  const rejected = Promise.reject(pending.error);
  rejected.catch(() => {});
  return rejected;
}

/**
 * Runs `fn(stack)` on a fresh {@linkcode ExitStack} and closes it, offering
 * `fn`'s error to the exit callbacks (Python's `async with AsyncExitStack()`).
 * Each `push`ed exit and each entered context manager sees the error in
 * flight, newest first; one that returns `true` suppresses it. This is the
 * form to use when cleanup must know whether the work failed (commit or roll
 * back): `await using` cannot tell its disposers.
 *
 * If `fn` closes or moves the stack itself, this waits for that close.
 *
 * @param fn the work; receives the stack
 * @param options the grace period for each cleanup callback
 * @returns `fn`'s value, or `undefined` when its error was suppressed
 * @throws {TypeError} (rejects) when `fn` is not a function or `gracePeriod` not a number
 * @throws {RangeError} (rejects) when `gracePeriod` is negative or NaN
 * @throws {Error} (rejects) `fn`'s error, and cleanup errors chained onto it
 * @example Roll back on failure, commit on success
 * ```ts
 * import assert from "node:assert/strict";
 * import { withExitStack } from "@corral/core";
 * const log: string[] = [];
 * const tx = { commit: async () => void log.push("commit"), rollback: async () => void log.push("rollback") };
 * await withExitStack((stack) => {
 *   stack.push((error) => (error === undefined ? tx.commit() : tx.rollback()));
 *   throw new Error("constraint violated");
 * }).catch(() => {});
 * assert(log.join() === "rollback");
 * ```
 */
export async function withExitStack<T>(
  fn: (stack: ExitStack) => T | PromiseLike<T>,
  options?: ExitStackOptions,
): Promise<T | undefined> {
  checkFunction("run withExitStack", "fn", fn);
  graceOf("run withExitStack", options); // named for this call; the stack then finds it valid
  const stack = new ExitStack(options);
  let value: T;
  try {
    value = await fn(stack);
  } catch (error) {
    if (stack.disposed) {
      // `fn` closed or moved the stack itself: wait for that close; the body's error travels on.
      const rethrow = () => {
        throw error;
      };
      return await stack.close().then(rethrow, rethrow);
    }
    // The body's error enters the close as if the newest callback threw it,
    // so every callback sees it in flight (TC39's DisposeResources takes the
    // block's completion the same way).
    stack.push(() => {
      throw error;
    });
    await stack.close();
    return undefined;
  }
  await stack.close();
  return value;
}
