// One rule for errors that travel together during cleanup (DESIGN.md):
// an error thrown while another is in flight becomes
// SuppressedError(new, pending), newest outermost — except that nothing is
// ever wrapped twice. Rethrowing the very object in flight changes nothing,
// throwing an object that is already somewhere in the chain changes nothing,
// and throwing a SuppressedError that already carries the pending error
// replaces it (the thrower did the wrapping). So no chain holds a cycle or
// the same object twice, whatever the callbacks throw.
//
// Primitives have no identity: two `throw undefined`s are two errors, and
// wrap as TC39's DisposeResources wraps them — unless the thrower was
// handed the pending value (an exit callback, a generator manager's
// `yield`) and threw it back: that is a rethrow, and changes nothing.
// "An error is pending" is a flag (`Pending.has`), never a value test, so
// `undefined`, `null` and `0` are errors like any other.

import { SuppressedError } from "../../base/errors.ts";
import { isObject } from "../../base/validate.ts";

const MESSAGE = "An error was suppressed during cleanup";

/** True for TC39's SuppressedError, the fallback, or a look-alike from another realm or polyfill. */
function isSuppressed(value: object): value is { error: unknown; suppressed: unknown } {
  return value instanceof SuppressedError ||
    (value instanceof Error && value.name === "SuppressedError" && "error" in value && "suppressed" in value);
}

/**
 * Adds `root` and every object in its SuppressedError structure to `into`
 * (and, with `primitives`, the primitive leaves too). Cycle-safe.
 */
function collect(root: unknown, into: Set<unknown>, primitives = false): Set<unknown> {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const value = todo.pop();
    if (!isObject(value)) {
      if (primitives) into.add(value);
      continue;
    }
    if (into.has(value)) continue;
    into.add(value);
    if (isSuppressed(value)) todo.push(value.error, value.suppressed);
  }
  return into;
}

/** True when `target` is `root` or anywhere inside its SuppressedError structure (primitives by value). */
function contains(root: unknown, target: unknown): boolean {
  if (Object.is(root, target)) return true;
  if (!isObject(root) || !isSuppressed(root)) return false;
  return collect(root, new Set(), true).has(target);
}

/**
 * The error that results when `error` is thrown by code that was handed
 * `pending` (a generator manager's exit), by the rule above. Returns
 * `pending` itself when nothing changes.
 */
export function combine(pending: unknown, error: unknown): unknown {
  if (Object.is(error, pending)) return pending;
  if (isObject(error)) {
    if (contains(pending, error)) return pending;
    if (contains(error, pending)) return error;
  }
  return new SuppressedError(error, pending, MESSAGE);
}

/**
 * The error in flight while a stack unwinds. `has` distinguishes "no error"
 * from a thrown `undefined`. The set of objects already in the chain is
 * built only when a second error arrives, then kept up to date, so that N
 * failing callbacks cost O(N), not O(N²).
 */
export class Pending {
  has: boolean;
  error: unknown;
  #members: Set<unknown> | undefined = undefined;

  constructor(has: boolean, error: unknown) {
    this.has = has;
    this.error = has ? error : undefined;
  }

  /**
   * Records `error`, thrown by a cleanup while `this.error` may be in
   * flight. `handed`: the thrower was given `this.error` (an exit callback),
   * so throwing that same primitive back is a rethrow, not a new error.
   */
  add(error: unknown, handed = false): void {
    if (!this.has) {
      this.has = true;
      this.error = error;
      this.#members = undefined;
      return;
    }
    const pending = this.error;
    if (isObject(error) ? error === pending : handed && Object.is(error, pending)) return;
    // Objects only: a primitive is never "already in the chain".
    const members = this.#members ?? (this.#members = collect(pending, new Set()));
    if (isObject(error)) {
      if (members.has(error)) return;
      if (isSuppressed(error)) {
        const own = collect(error, new Set(), true);
        for (const m of own) if (isObject(m)) members.add(m);
        if (own.has(pending)) {
          // The thrower wrapped the pending error itself: its error replaces it.
          this.error = error;
          return;
        }
      } else {
        members.add(error);
      }
    }
    const wrapped = new SuppressedError(error, pending, MESSAGE);
    members.add(wrapped);
    this.error = wrapped;
  }

  /** An exit callback returned `true`: the error in flight is gone. */
  suppress(): void {
    this.has = false;
    this.error = undefined;
    this.#members = undefined;
  }
}
