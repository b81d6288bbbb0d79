// The loop that runs an exit stack's callbacks, newest first. It is the hot
// path of every close():
// - a callback that returns a non-thenable is not awaited (no microtask for
//   nothing); the loop goes straight on to the next one. A thenable is
//   awaited in place (V8's await needs no throwaway promise, unlike .then);
// - a `defer`red function is stored as itself, every other record as one
//   small object, in one array: a callback costs one slot (V8 pushes
//   mixed-kind flat triples three times slower than one pointer);
// - all callbacks of one close share one shield node (plain JS; its
//   AbortSignal is made on first use). A new node is made only when a
//   callback overran its grace period: that callback's signal aborts, it is
//   abandoned (a new loop takes over; the old one, if the callback ever
//   settles, sees the generation changed and stops), and the rest run on a
//   fresh signal;
// - the grace period costs no clock read and no timer work per callback: a
//   watchdog (watchdog.ts) ticks every grace/8 ms once the close awaits
//   anything, and a callback that was pending at TICKS + 1 consecutive
//   ticks has been pending for at least the grace period (it started before
//   the first of them), and at most grace + grace/8 plus timer lateness.
// The loop runs inside the shield node's ambient context (one context.run
// per loop, inherited by await continuations), so waits inside cleanup
// ignore the cancellation of whatever scope is closing the stack.
//
// While a callback is being called (its synchronous part), `calling` names
// the unwinder: a context manager's exit() called from there runs on this
// cleanup (already shielded and bounded) instead of opening a shield of its
// own, and a close() of the very stack being unwound is caught as the wait
// on itself that it would be. Under an adapter the ambient node tells the
// same after an await (it is a CleanupNode that knows its unwinder).

import { Cancelled, TimeoutError } from "../../base/errors.ts";
import { hooks } from "../../base/runtime.ts";
import { ambientNode } from "../../cancellation/internal/ambient.ts";
import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import { isObject } from "../../base/validate.ts";
import { Pending } from "./dispose-errors.ts";
import { checkNonNegativeTime, checkOptions } from "../../base/validate.ts";
import { release, watch, type Watchdog, type Watched } from "./watchdog.ts";

/** `defer(fn)`: `fn(signal)`. Stored as the bare function. */
export const DEFER = 0;
/** `adopt(value, fn)`: `fn(value, signal)`. */
export const ADOPT = 1;
/** `push(fn)`: `fn(error, signal)`; `true` suppresses. */
export const EXIT = 2;
/** `enter(cm)`: `cm.exit(error)`; `true` suppresses. `fn` is the exit method, `value` the manager. */
export const CM_EXIT = 3;
/** `use(value)` with `Symbol.asyncDispose`: `fn.call(value)`, awaited. */
export const ASYNC_DISPOSE = 4;
/** `use(value)` with only `Symbol.dispose`: `fn.call(value)`; its result is ignored (TC39). */
export const SYNC_DISPOSE = 5;

const KIND_NAMES = ["defer", "adopt", "push", "enter", "use", "use"];

/** The grace period of cleanup when none is given, in milliseconds. */
export const DEFAULT_GRACE = 10_000;

/**
 * Validates an options bag that may hold `gracePeriod` (>= 0, `Infinity`
 * allowed); `what` names the call ("create ExitStack"). Returns the grace.
 */
export function graceOf(what: string, options: { gracePeriod?: number } | undefined): number {
  checkOptions(what, options);
  const grace = options?.gracePeriod;
  return grace === undefined ? DEFAULT_GRACE : checkNonNegativeTime(what, "gracePeriod", grace);
}

/** Watchdog ticks per grace period. */
const TICKS = 8;

type Callback = (...args: unknown[]) => unknown;

/** Any registration but `defer`. */
export class Registration {
  readonly kind: number;
  readonly fn: Callback;
  readonly value: unknown;
  constructor(kind: number, fn: Callback, value: unknown) {
    this.kind = kind;
    this.fn = fn;
    this.value = value;
  }
}

/**
 * The signal cleanup runs on: shielded (it has no parent), aborted only by
 * its own grace period. `unwinder` is the close it belongs to, if any
 * (`shield()` makes one of its own too).
 */
export class CleanupNode extends CancelNode {
  readonly unwinder: Unwinder | undefined;
  constructor(unwinder: Unwinder | undefined) {
    super();
    this.unwinder = unwinder;
  }
}

/** The unwinder whose callback is being called right now (its synchronous part), if any. */
let calling: Unwinder | undefined = undefined;

/**
 * The cleanup the caller is running in: the unwinder calling it
 * synchronously, else (under an adapter) the cleanup node of the ambient
 * context. `undefined` outside any cleanup.
 */
export function currentCleanup(): Unwinder | CleanupNode | undefined {
  if (calling !== undefined) return calling;
  const node = ambientNode();
  return node instanceof CleanupNode ? node : undefined;
}

/** True when the caller runs inside one of `unwinder`'s callbacks: waiting on it would wait on itself. */
export function isInside(unwinder: Unwinder): boolean {
  if (calling === unwinder) return true;
  const node = ambientNode();
  return node instanceof CleanupNode && node.unwinder === unwinder;
}

/**
 * One run over a stack's records. `promise` settles when every callback has run.
 *
 * Pinning (engine tuning, kept because a benchmark shows it): V8 holds the
 * hidden classes an object passes through as its fields are added only
 * weakly. When full GCs find no instance of a class alive — between two
 * bursts of closes, say — those classes die, and every optimised function
 * specialised on them (the loop, `defer`, the signal getter) is deoptimised
 * and must warm up again. One idle unwinder (`#pinned`) and one idle stack
 * with a callback (`ExitStack`'s `#pinned`), kept for the life of the
 * module, pin them. `npm run bench -- exit-stack` shows it in both tables:
 * without the two pins, row "corral ExitStack" of "push 10000 async
 * callbacks, then dispose" went from 0.25–0.37× native to 0.54–0.63× on
 * Node 24 and from 0.16–0.18× to 0.42–0.56× on Deno (Node 20: 104–171 ns a
 * callback to 627–846 ns), and row "corral withExitStack" of "a stack of 3
 * async callbacks, opened and closed" from 1.7–2.1× native to 3.0–5.6× on
 * Node 24 and 1.0× to 2.6–3.1× on Deno. The two go together: in a reduced
 * run of the same rows, the stack's pin without the unwinder's was 2–3×
 * slower than no pin at all. (A pinned watchdog showed no difference, and
 * was dropped.)
 */
export class Unwinder implements Watched {
  /** True once every callback has run (set before `promise` settles). */
  finished = false;
  readonly promise: Promise<void>;
  readonly pending: Pending;
  #items: unknown[];
  /** The records below this index have not run yet (the loop runs them from the top down). */
  #remaining: number;
  /** The kind of the callback being called or awaited (for the timeout's message). */
  #kind = DEFER;
  readonly #grace: number;
  /** Bumped when a callback is abandoned: a loop of an older generation stops. */
  #generation = 0;
  /** Async callbacks started so far: the watchdog's way to tell them apart. */
  #started = 0;
  /** `#started` at the last tick, and for how many ticks in a row it stayed so. */
  #startedAtLastTick = -1;
  #ticksStuck = 0;
  #watchdog: Watchdog | undefined = undefined;
  #node: CleanupNode;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;

  static readonly #pinned: Unwinder = Unwinder.#pin();

  static #pin(): Unwinder {
    const unwinder = new Unwinder(
      [new Registration(DEFER, () => {}, undefined)],
      Infinity,
      new Pending(false, undefined),
    );
    void unwinder.#node.signal;
    return unwinder;
  }

  /** What to call the callbacks in a timeout's message; by default "cleanup callback #N (kind name)". */
  readonly #callbackLabel: string | undefined;

  /**
   * Takes ownership of `items`; `pending` is the error already in flight
   * (the body's), if any; `name` names the callbacks in a timeout's message.
   */
  constructor(items: unknown[], grace: number, pending: Pending, name?: string) {
    this.#callbackLabel = name;
    this.#items = items;
    this.#remaining = items.length;
    this.#grace = grace;
    this.pending = pending;
    this.#node = this.#freshNode();
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  start(): Promise<void> {
    this.#startLoop();
    return this.promise;
  }

  /**
   * True when the callback being called was handed the error in flight and
   * one is pending: it received `undefined` as a thrown `undefined`, not as
   * "no error". Meaningful while `calling` is this unwinder.
   */
  get handedError(): boolean {
    const kind = this.#kind;
    return (kind === EXIT || kind === CM_EXIT) && this.pending.has;
  }

  /** A watchdog tick, while a callback is awaited. */
  tick(): boolean {
    if (this.#started !== this.#startedAtLastTick) {
      this.#startedAtLastTick = this.#started;
      this.#ticksStuck = 0;
    } else {
      this.#ticksStuck++;
    }
    if (this.#grace <= 0 || this.#ticksStuck >= TICKS) this.#abandon();
    return true;
  }

  /** The callback being awaited overran its grace period: abort its signal, record a TimeoutError, go on. */
  #abandon(): void {
    const grace = this.#grace;
    const node = this.#node;
    const label = this.#label();
    let reason: unknown = new Cancelled("deadline", {
      message: `the cleanup grace period of ${grace} ms passed for ${label}`,
    });
    if (!node.cancel(reason)) reason = node.reason;
    this.pending.add(
      new TimeoutError(`Cannot finish cleanup as ${label} did not settle within its grace period of ${grace} ms`, {
        cause: reason,
      }),
    );
    this.#generation++;
    this.#startedAtLastTick = -1;
    this.#node = this.#freshNode();
    this.#startLoop();
  }

  #freshNode(): CleanupNode {
    const node = new CleanupNode(this);
    const grace = this.#grace;
    if (grace <= 0) node.cancel(new Cancelled("deadline", { message: `the cleanup grace period is ${grace} ms` }));
    return node;
  }

  #label(): string {
    if (this.#callbackLabel !== undefined) return this.#callbackLabel;
    const i = this.#remaining;
    const item = this.#items[i];
    const fn = (typeof item === "function" ? item : (item as Registration).fn) as { name?: unknown };
    const name = typeof fn.name === "string" && fn.name !== "" ? ` ${fn.name}` : "";
    return `cleanup callback #${i + 1} (${KIND_NAMES[this.#kind]}${name})`;
  }

  /** Starts a loop inside the shield node's ambient context. */
  #startLoop(): void {
    const context = hooks.context;
    const generation = this.#generation;
    if (context === undefined) void this.#drive(generation);
    else context.run(this.#node, () => void this.#drive(generation));
  }

  async #drive(generation: number): Promise<void> {
    const items = this.#items;
    const pending = this.pending;
    let i = this.#remaining;
    while (i > 0) {
      const item = items[--i];
      const kind = typeof item === "function" ? DEFER : (item as Registration).kind;
      const outer = calling;
      calling = this;
      this.#kind = kind;
      let result: unknown;
      try {
        // The signal goes only to callbacks that declare a parameter for it:
        // an AbortSignal is made only when one is asked for.
        if (kind === DEFER) {
          result = (item as Callback).length === 0 ? (item as Callback)() : (item as Callback)(this.#node.signal);
        } else {
          const { fn, value } = item as Registration;
          if (kind === ASYNC_DISPOSE) result = fn.call(value);
          else if (kind === EXIT) result = fn.length < 2 ? fn(pending.error) : fn(pending.error, this.#node.signal);
          else if (kind === CM_EXIT) result = fn.call(value, pending.error);
          else if (kind === ADOPT) result = fn.length < 2 ? fn(value) : fn(value, this.#node.signal);
          else fn.call(value); // SYNC_DISPOSE: its result is not awaited
        }
        calling = outer;
        if (isObject(result) && typeof (result as PromiseLike<unknown>).then === "function") {
          this.#remaining = i;
          this.#started++;
          if (this.#watchdog === undefined && this.#grace !== Infinity) {
            this.#watchdog = watch(this, this.#grace > 0 ? this.#grace / TICKS : 0);
          }
          result = await result;
          if (generation !== this.#generation) return;
        }
      } catch (error) {
        // A synchronous throw: the call is over. (After an await `calling`
        // is never this: no frame of this loop is below a microtask.)
        if (calling === this) calling = outer;
        if (generation !== this.#generation) return;
        pending.add(error, kind === EXIT || kind === CM_EXIT);
        continue;
      }
      if (result === true && (kind === EXIT || kind === CM_EXIT)) pending.suppress();
    }
    this.#remaining = 0;
    this.#finish();
  }

  #finish(): void {
    if (this.#watchdog !== undefined) release(this.#watchdog);
    this.#generation++;
    this.#items.length = 0;
    this.finished = true;
    const pending = this.pending;
    if (pending.has) this.#reject(pending.error);
    else this.#resolve();
  }
}
