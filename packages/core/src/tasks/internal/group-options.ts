// Argument checks for task groups, in the shape every corral message takes:
// "Cannot <do what> as '<name>' must be <rule>: received <value>".

import { checkOptions, checkSignal, describe } from "../../base/validate.ts";
import { functionExpected } from "../../base/hints.ts";

export function checkName(what: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`Cannot ${what} as 'name' must be a string: received ${describe(value)}`);
  }
  return value;
}

/** How each entry point is called right, for the message when `fn` is not a function. */
const EXAMPLES: Readonly<Record<string, string>> = {
  "spawn into TaskGroup": "tg.spawn(() => job(1)) rather than tg.spawn(job(1))",
  "start in TaskGroup": "tg.start((signal, started) => serve(signal, started))",
  "run taskGroup": "taskGroup(async (tg) => { tg.spawn(() => job(1)); })",
};

export function checkFn(what: string, value: unknown): void {
  if (typeof value !== "function") throw functionExpected(what, "fn", value, EXAMPLES[what] ?? "() => job(1)");
}

/**
 * `limit`: a whole number from 1 to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`), or
 * `Infinity` for no limit. Zero would start nothing and so never finish,
 * negative and fractional values mean nothing, and a number past 2^53 - 1
 * cannot be counted to exactly (it is a unit mistake, not a limit). Any
 * limit above the number of children spawned behaves like `Infinity` and
 * costs nothing more: no slot is allocated ahead.
 */
export function checkLimit(what: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as 'limit' must be a number: received ${describe(value)}`);
  }
  if (value !== Infinity && !(Number.isSafeInteger(value) && value >= 1)) {
    const shown = Object.is(value, -0) ? "-0" : describe(value);
    throw new RangeError(
      `Cannot ${what} as 'limit' must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, or Infinity: received ${shown}`,
    );
  }
  return value;
}

/** The options a group is made with (`TaskGroupOptions`, as this module reads them). */
export interface GroupOptions {
  signal?: AbortSignal;
  limit?: number;
  name?: string;
}

/** The options, checked. */
export interface GroupSettings {
  parent: AbortSignal | undefined;
  limit: number;
  name: string;
}

export function checkGroupOptions(what: string, options: GroupOptions | undefined): GroupSettings {
  checkOptions(what, options);
  const parent = checkSignal(what, options?.signal);
  const limit = options?.limit === undefined ? Infinity : checkLimit(what, options.limit);
  const name = checkName(what, options?.name) ?? "";
  return { parent, limit, name };
}
