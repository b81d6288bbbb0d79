// Argument checks for task groups, in the shape every corral message takes:
// "Cannot <do what> as '<name>' must be <rule>: received <value>".

import type { TaskGroupOptions } from "../task-group.ts";
import { checkCount, checkOptions, checkSignal, describe } from "./validate.ts";

export function checkName(what: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`Cannot ${what} as 'name' must be a string: received ${describe(value)}`);
  }
  return value;
}

export function checkFn(what: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(`Cannot ${what} as 'fn' must be a function: received ${describe(value)}`);
  }
}

export interface GroupSettings {
  parent: AbortSignal | undefined;
  limit: number;
  name: string;
}

export function checkGroupOptions(what: string, options: TaskGroupOptions | undefined): GroupSettings {
  checkOptions(what, options);
  const parent = checkSignal(what, options?.signal);
  const limit = options?.limit === undefined ? Infinity : checkCount(what, "limit", options.limit, 1, true);
  const name = checkName(what, options?.name) ?? "";
  return { parent, limit, name };
}
