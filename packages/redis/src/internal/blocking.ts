// Argument handling for the blocking commands.

import type { BlockingOptions, CallOptions, ListSide } from "../types.ts";
import { describeValue as describe } from "@corral/core";
import { checkOptions } from "./check.ts";

/**
 * A blocking timeout in Redis's seconds: 0 blocks forever; -1 means "do not
 * block" (XREAD only). Negative, NaN and absurdly long timeouts (past what
 * the server accepts) are refused at the call.
 */
export function seconds(what: string, options: BlockingOptions | undefined): number {
  checkOptions(what, options);
  const ms = options?.timeout ?? Infinity;
  if (typeof ms !== "number") {
    throw new TypeError(`Cannot ${what} as 'timeout' must be a number of milliseconds: received ${describe(ms)}`);
  }
  if (!(ms >= 0 && (ms <= Number.MAX_SAFE_INTEGER || ms === Infinity))) {
    throw new RangeError(
      `Cannot ${what} as 'timeout' must be a number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}, or Infinity: received ${
        describe(ms)
      }`,
    );
  }
  if (ms === Infinity) return 0;
  // Zero would mean "forever" to Redis: the shortest real wait is 1 ms.
  if (ms === 0) return what === "xread" ? -1 : 0.001;
  return Math.max(1, Math.round(ms)) / 1000;
}

export function side(name: string, value: unknown): ListSide {
  if (value !== "LEFT" && value !== "RIGHT") {
    throw new TypeError(`Cannot blmove as '${name}' must be "LEFT" or "RIGHT": received ${String(value)}`);
  }
  return value;
}

export function keeping<T>(options: BlockingOptions | undefined): CallOptions<T | null> {
  return { signal: options?.signal, keep: (value) => value !== null };
}
