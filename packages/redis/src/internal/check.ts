// Argument checks for the driver's public entry points. Messages follow the
// core's shape: "Cannot <do what> as '<name>' must be <rule>: received <value>".

import { describeValue as describe } from "@corral/core";

/** Options bags must be objects when given. */
export function checkOptions(what: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describe(value)}`);
  }
}

/** An integer >= `min`, or `undefined` when optional and absent. */
export function checkInt(what: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be an integer: received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot ${what} as '${name}' must be an integer >= ${min}: received ${describe(value)}`);
  }
  return value;
}

/** A duration in milliseconds: a finite number >= `min` (`Infinity` when allowed). */
export function checkMs(what: string, name: string, value: unknown, min: number, infinite = false): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a number of milliseconds: received ${describe(value)}`);
  }
  if (value !== value || value < min || (value === Infinity && !infinite)) {
    const rule = infinite ? `>= ${min}` : `finite and >= ${min}`;
    throw new RangeError(`Cannot ${what} as '${name}' must be ${rule}: received ${describe(value)}`);
  }
  return value;
}

/** The longest delay a host timer takes (2^31 − 1 ms, ~24.8 days): a longer one fires at once. */
export const MAX_TIMER: number = 2 ** 31 - 1;

/** A duration that arms a host timer: finite, from `min` to {@linkcode MAX_TIMER}. */
export function checkTimerMs(what: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a number of milliseconds: received ${describe(value)}`);
  }
  if (!(value >= min && value <= MAX_TIMER)) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be a number of milliseconds from ${min} to ${MAX_TIMER}: received ${
        describe(value)
      }`,
    );
  }
  return value;
}

export function checkString(what: string, name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a non-empty string: received ${describe(value)}`);
  }
  return value;
}

export function checkSignal(what: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "object" || value === null || typeof (value as AbortSignal).aborted !== "boolean" ||
    typeof (value as AbortSignal).addEventListener !== "function"
  ) {
    throw new TypeError(`Cannot ${what} as 'signal' must be an AbortSignal: received ${describe(value)}`);
  }
  return value as AbortSignal;
}

/** `REDIS_URL` from the environment, where the runtime lets us read it. */
export function envUrl(): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(name: string): string | undefined } };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    if (g.Deno) return g.Deno.env.get("REDIS_URL") || undefined;
    return g.process?.env?.REDIS_URL || undefined;
  } catch {
    // Deno without --allow-env: fall back to the default address.
    return undefined;
  }
}

/** The address used when neither `url` nor `REDIS_URL` is given. */
export const DEFAULT_URL = "redis://127.0.0.1:6379";

/** Resolves `url`: the option, else `REDIS_URL`, else the local default. */
export function resolveUrl(what: string, url: unknown): string {
  if (url === undefined) return envUrl() ?? DEFAULT_URL;
  if (typeof url !== "string" || !/^rediss?:\/\//.test(url)) {
    throw new TypeError(`Cannot ${what} as 'url' must be a redis:// or rediss:// URL: received ${describe(url)}`);
  }
  return url;
}
