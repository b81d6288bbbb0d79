/**
 * Cancellable waits: `sleep` and `abortable`.
 *
 * @module
 */

import { abortReasonOf } from "../base/abort-reason.ts";
import { Watcher } from "./internal/cancel-node.ts";
import { schedule, type TimerEntry, unschedule } from "../base/scheduler.ts";
import { checkOptions, checkSignal, checkTime } from "../base/validate.ts";
import { now } from "../base/clock.ts";
import { ambientNode } from "./internal/ambient.ts";

/** Options for {@linkcode sleep} and {@linkcode abortable}. */
export interface WaitOptions {
  /** Stop waiting when this aborts. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
}

class Sleeper extends Watcher implements TimerEntry {
  // Declared and assigned, not class fields: see Watcher.
  declare deadline: number;
  declare index: number;
  declare readonly keepAlive: boolean;
  declare resolve: () => void;
  declare reject: (reason: unknown) => void;
  constructor(deadline: number, resolve: () => void, reject: (reason: unknown) => void) {
    super();
    this.deadline = deadline;
    this.index = -1;
    this.keepAlive = true;
    this.resolve = resolve;
    this.reject = reject;
  }
  fire(): void {
    this.detach();
    this.resolve();
  }
  onAbort(reason: unknown): void {
    unschedule(this);
    this.reject(reason);
  }
}

/**
 * Waits `ms` milliseconds, or until the signal aborts (then rejects with its
 * reason). The timer and the listener are gone once it settles.
 *
 * @param ms milliseconds; `0` or less resolves at once (after checking the
 * signal), `Infinity` waits for the signal only
 * @param options the signal
 * @throws {TypeError} when `ms` is not a number
 * @throws {RangeError} when `ms` is NaN
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "@corral/core";
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error("stop")), 1);
 * const error = await sleep(10_000, { signal: controller.signal }).catch((e) => e);
 * assert(error.message === "stop");
 * ```
 */
export function sleep(ms: number, options?: WaitOptions): Promise<void> {
  let signal: AbortSignal | undefined;
  try {
    checkTime("sleep", "ms", ms);
    checkOptions("sleep", options);
    signal = checkSignal("sleep", options?.signal);
  } catch (error) {
    return Promise.reject(error);
  }
  const target = signal ?? ambientNode();
  if (target !== undefined) {
    const reason = target instanceof Watcher ? target.reason : abortReasonOf(target);
    if (reason !== undefined) return Promise.reject(reason);
  }
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const sleeper = new Sleeper(ms === Infinity ? Infinity : now() + ms, resolve, reject);
    if (target !== undefined) sleeper.attach(target);
    if (ms !== Infinity) schedule(sleeper);
  });
}

class Abandoner extends Watcher {
  #reject: (reason: unknown) => void;
  constructor(reject: (reason: unknown) => void) {
    super();
    this.#reject = reject;
  }
  onAbort(reason: unknown): void {
    this.#reject(reason);
  }
}

function ignore(): void {}

/**
 * Waits for `promise`, but stops waiting (rejecting with the signal's
 * reason) when the signal aborts. The promise itself is not cancelled — use
 * this for work that takes no signal. Its later rejection is swallowed, and
 * the listener is removed once settled.
 *
 * @param promise what to wait for (a non-promise value resolves at once)
 * @param options the signal
 * @returns the promise's value
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortable } from "@corral/core";
 * const never = new Promise<never>(() => {});
 * const error = await abortable(never, { signal: AbortSignal.abort(new Error("gave up")) }).catch((e) => e);
 * assert(error.message === "gave up");
 * ```
 */
export function abortable<T>(promise: T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
  let signal: AbortSignal | undefined;
  try {
    checkOptions("abortable", options);
    signal = checkSignal("abortable", options?.signal);
  } catch (error) {
    return Promise.reject(error);
  }
  const target = signal ?? ambientNode();
  const source = Promise.resolve(promise) as Promise<Awaited<T>>;
  if (target === undefined) return source;
  const early = target instanceof Watcher ? target.reason : abortReasonOf(target);
  if (early !== undefined) {
    source.then(undefined, ignore);
    return Promise.reject(early);
  }
  return new Promise<Awaited<T>>((resolve, reject) => {
    const watcher = new Abandoner(reject);
    watcher.attach(target);
    source.then(
      (value) => {
        watcher.detach();
        resolve(value);
      },
      (error) => {
        watcher.detach();
        reject(error);
      },
    );
  });
}
