// Messages for the mistakes a port from Python makes first: a coroutine's
// promise where corral wants the function that starts the work
// (`create_task(coro())` → `tg.spawn(() => coro())`), and a disposable where
// a context manager goes (`enter_async_context(create_pool())` →
// `stack.use(pool)`), or the reverse. Built only on the failing branch.

import { describe, isObject } from "./validate.ts";

function isThenable(value: unknown): boolean {
  return isObject(value) && typeof (value as { then?: unknown }).then === "function";
}

/**
 * The TypeError for a non-function where the function that does the work
 * goes; `example` shows the call written right (`tg.spawn(() => job(1))`).
 * A promise gets its own sentence: the work it stands for already started,
 * outside corral's reach.
 */
export function functionExpected(what: string, name: string, value: unknown, example: string): TypeError {
  const received = isThenable(value)
    ? "a promise (its work already started, outside any scope): pass a function that starts the work"
    : `${describe(value)}: pass the function that does the work`;
  return new TypeError(`Cannot ${what} as '${name}' must be a function: received ${received}, e.g. ${example}`);
}

/** True for a value with `[Symbol.asyncDispose]()` or `[Symbol.dispose]()`. */
function isDisposable(value: unknown): boolean {
  return isObject(value) &&
    (typeof (value as Partial<AsyncDisposable>)[Symbol.asyncDispose] === "function" ||
      typeof (value as Partial<Disposable>)[Symbol.dispose] === "function");
}

/**
 * The TypeError for `stack.enter(value)` given something that is not a
 * context manager; for a disposable (a pool, a connection) it points to
 * `stack.use(value)`, and says the stack took nothing over.
 */
export function notAContextManager(value: unknown): TypeError {
  const hint = isDisposable(value)
    ? ", which is disposable, not a context manager: register it with stack.use(value), which disposes it when " +
      "the stack closes (the stack neither entered nor closed it: it is still yours)"
    : "";
  return new TypeError(
    `Cannot enter a context manager as 'cm' must have enter() and exit() methods: received ${describe(value)}${hint}`,
  );
}

/**
 * The TypeError for `stack.use(value)` given something that is not
 * disposable; for a context manager it points to `stack.enter(value)`.
 */
export function notDisposable(value: unknown): TypeError {
  const cm = isObject(value) && typeof (value as { enter?: unknown }).enter === "function" &&
    typeof (value as { exit?: unknown }).exit === "function";
  return new TypeError(
    `Cannot use a resource in ExitStack as 'value' must have a [Symbol.asyncDispose]() or [Symbol.dispose]() method: ` +
      `received ${describe(value)}${
        cm ? ", a context manager: enter it with await stack.enter(value), which exits it when the stack closes" : ""
      }`,
  );
}
