/**
 * Cancel scopes: Trio's unit of cancellation, on `AbortSignal`.
 *
 * A cancel scope is a region of work that can be cancelled as a whole: by
 * calling `cancel()`, by its deadline passing, or by an enclosing scope
 * being cancelled (unless it is shielded). Its `signal` aborts with a
 * {@linkcode Cancelled} reason that says which. At its boundary (`run()`)
 * it catches its own cancellation and lets everything else through.
 *
 * Guarantees:
 * - A scope's signal aborts at most once, with the first reason.
 * - Nested scopes: the tightest deadline governs, because a child is
 *   cancelled when its parent is.
 * - A shielded scope ignores its parent's cancellation, but not its own
 *   deadline or `cancel()`. Un-shielding a scope whose parent was cancelled
 *   meanwhile cancels it then.
 * - `run()` frees the deadline timer and the parent link when it settles;
 *   `[Symbol.dispose]()` does the same for a scope used without `run()`.
 *
 * @example Time-boxing a fetch-like wait
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, sleep } from "@corral/core";
 * const scope = new CancelScope({ timeout: 10 });
 * const result = await scope.run(async (signal) => {
 *   await sleep(1000, { signal });
 *   return "finished";
 * });
 * assert(result === undefined && scope.cancelledCaught);
 * ```
 *
 * @module
 */

import { now } from "../base/clock.ts";
import { Cancelled } from "../base/errors.ts";
import { CancelNode } from "./internal/cancel-node.ts";
import { cancelledBy, cancelledByParent, chainHas, isAbortError, isFromParent } from "./internal/cancel-reason.ts";
import { reschedule, type TimerEntry, unschedule } from "../base/scheduler.ts";
import { checkBoolean, checkOptionalTime, checkOptions, checkSignal, checkTime } from "../base/validate.ts";
import { hooks } from "../base/runtime.ts";
import { ambientNode } from "./internal/ambient.ts";

/** Options for {@linkcode CancelScope}. */
export interface CancelScopeOptions {
  /**
   * The parent: the scope is cancelled when this signal aborts (unless
   * shielded). Defaults to the ambient `currentSignal()`.
   */
  signal?: AbortSignal;
  /** Milliseconds from now until the scope cancels itself. `0` or less: at once. */
  timeout?: number;
  /** An absolute deadline on the {@linkcode now} clock. With `timeout`, the earlier wins. */
  deadline?: number;
  /** Ignore the parent's cancellation. */
  shield?: boolean;
}

/** @internal The cancel node behind a scope; also its deadline timer entry. */
export class ScopeNode extends CancelNode implements TimerEntry {
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;
  shield = false;
  cancelCalled = false;
  cancelledCaught = false;
  released = false;
  /** The parent's reason, if the parent aborted while this scope was shielded. */
  parentReason: unknown = undefined;

  override onAbort(reason: unknown): void {
    if (this.shield) {
      this.parentReason = reason;
      return;
    }
    this.cancel(cancelledByParent(reason));
  }

  fire(): void {
    this.expire();
  }

  expire(): void {
    this.cancelCalled = true;
    if (this.reason === undefined) this.cancel(new Cancelled("deadline"));
  }

  /** `t` is the current time when the caller already read the clock (one read per scope). */
  setDeadline(deadline: number, t?: number): void {
    this.deadline = deadline;
    if (this.released || this.reason !== undefined) return;
    if (deadline === Infinity) {
      unschedule(this);
    } else if (deadline <= (t ?? now())) {
      unschedule(this);
      this.expire();
    } else {
      reschedule(this);
    }
  }

  /**
   * True when `error` is this scope's own cancellation (explicit or
   * deadline), recognised by identity: its reason on the error's cause
   * chain, or an `AbortError` while it is cancelled. Never by name: an error
   * that merely calls itself "Cancelled" is someone's own and propagates.
   */
  owns(error: unknown): boolean {
    if (!this.cancelCalled) return false;
    const reason = this.reason;
    if (reason === undefined || isFromParent(reason)) return false;
    return chainHas(error, reason) || isAbortError(error);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    unschedule(this);
    this.detach();
  }
}

/**
 * A region of work that can be cancelled as a whole. See the module doc for
 * its guarantees.
 *
 * @example A scope cancelled explicitly
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, sleep } from "@corral/core";
 * const scope = new CancelScope();
 * setTimeout(() => scope.cancel("user pressed stop"), 5);
 * await scope.run((signal) => sleep(10_000, { signal }));
 * assert(scope.cancelCalled && scope.cancelledCaught);
 * ```
 */
export class CancelScope implements Disposable {
  #node: ScopeNode;
  #ran = false;

  /**
   * Makes a scope that has not run yet. Its deadline starts counting now
   * (a `timeout` is from now; a `deadline` is on the `now()` clock), and it
   * hangs under `signal`, or under the ambient signal inside `run()`.
   *
   * @param options parent signal, timeout or deadline, shield
   * @throws {TypeError} when an option has the wrong type
   * @throws {RangeError} when `timeout` or `deadline` is NaN
   */
  constructor(options?: CancelScopeOptions) {
    const what = "create CancelScope";
    checkOptions(what, options);
    const signal = checkSignal(what, options?.signal);
    const timeout = checkOptionalTime(what, "timeout", options?.timeout);
    const deadline = checkOptionalTime(what, "deadline", options?.deadline);
    const shield = options?.shield;
    if (shield !== undefined) checkBoolean(what, "shield", shield);

    const node = new ScopeNode();
    this.#node = node;
    if (shield === true) node.shield = true;
    const parent = signal ?? ambientNode();
    if (parent !== undefined) {
      const reason = node.attach(parent);
      if (reason !== undefined) node.onAbort(reason);
    }
    let at = deadline ?? Infinity;
    let t: number | undefined;
    if (timeout !== undefined) {
      t = now();
      if (t + timeout < at) at = t + timeout;
    }
    if (at !== Infinity) node.setDeadline(at, t);
  }

  /** The signal that aborts when this scope is cancelled. Always the same object. */
  get signal(): AbortSignal {
    return this.#node.signal;
  }

  /** True once `cancel()` was called or the scope's own deadline passed. */
  get cancelCalled(): boolean {
    return this.#node.cancelCalled;
  }

  /** True when `run()` caught this scope's own cancellation. */
  get cancelledCaught(): boolean {
    return this.#node.cancelledCaught;
  }

  /** The deadline on the {@linkcode now} clock; `Infinity` means none. */
  get deadline(): number {
    return this.#node.deadline;
  }

  /** @throws {TypeError} / {RangeError} for a non-number or NaN (the deadline is unchanged) */
  set deadline(value: number) {
    this.#node.setDeadline(checkTime("set deadline", "deadline", value));
  }

  /** Whether the parent's cancellation is ignored. */
  get shield(): boolean {
    return this.#node.shield;
  }

  /** @throws {TypeError} for a non-boolean */
  set shield(value: boolean) {
    checkBoolean("set shield", "shield", value);
    const node = this.#node;
    node.shield = value;
    if (!value && node.parentReason !== undefined) node.onAbort(node.parentReason);
  }

  /**
   * Cancels the scope: its signal aborts with a `Cancelled` of kind
   * `"explicit"`. Does nothing more if the scope is already cancelled.
   *
   * @param reason why; a string (or an error's message) appears in the
   * `Cancelled` message, and the value is its `cause`
   */
  cancel(reason?: unknown): void {
    const node = this.#node;
    node.cancelCalled = true;
    if (node.reason !== undefined) return;
    node.cancel(cancelledBy(reason));
  }

  /**
   * Runs `fn(signal)` inside the scope. Resolves with `fn`'s value whenever
   * `fn` completes (even if a cancellation arrived meanwhile), with
   * `undefined` when `fn` failed with this scope's own cancellation, and
   * rejects with any other error. A cancellation that came from the parent
   * is rethrown as the parent's own reason. The scope frees its timer and
   * parent link when this settles. A scope runs once.
   *
   * @param fn the work; receives `scope.signal`
   * @returns `fn`'s value, or `undefined` if the scope cancelled it
   * @throws {TypeError} when `fn` is not a function
   * @throws {Error} when the scope has already run or been disposed
   */
  async run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T | undefined> {
    if (typeof fn !== "function") {
      throw new TypeError("Cannot run CancelScope as 'fn' must be a function");
    }
    const node = this.#node;
    if (this.#ran || node.released) {
      throw new Error("Cannot run CancelScope as it has already run or been disposed");
    }
    this.#ran = true;
    try {
      const signal = node.signal;
      const context = hooks.context;
      return await (context === undefined ? fn(signal) : context.run(node, () => fn(signal)));
    } catch (error) {
      if (node.owns(error)) {
        node.cancelledCaught = true;
        return undefined;
      }
      const reason = node.reason;
      if (error === reason && isFromParent(reason)) throw reason.cause;
      throw error;
    } finally {
      node.release();
    }
  }

  /** Frees the scope's deadline timer and parent link. Idempotent. */
  [Symbol.dispose](): void {
    this.#node.release();
  }
}
