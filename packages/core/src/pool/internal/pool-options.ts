// A pool's options, checked once at construction and resolved to plain
// settings with every default filled in, so the hot paths read fields and
// never test for `undefined`.
//
// Bounds, decided once for every numeric option (each violation is a
// TypeError for a non-number, a RangeError otherwise, naming the option, the
// value and, where the user plainly meant something else, the fix):
//   max                 integer, 1 ..= 2^32 - 1 (what the idle stack, an
//                       Array, can hold; there is no unlimited pool)
//   min                 integer, 0 ..= max
//   maxUses             integer, 1 ..= 2^53 - 1, or Infinity (no limit)
//   maxShared           integer, 1 ..= 2^53 - 1 (shared leases a resource serves at once)
//   maxLifetimeJitter   number, 0 ..= 1
//   maxLifetime         > 0 ms, Infinity = never
//   acquireTimeout, idleTimeout, validateAfterIdle, leakTimeout
//                       >= 0 ms, Infinity = never
//   cleanupTimeout      >= 0 ms, finite: cleanup is always bounded
//   retryDelay          > 0 ms, finite: 0 would retry a failing create in a
//                       loop (and 0 * 2^n turns NaN after 1,024 failures)
//   maxRetryDelay       >= retryDelay, finite: without a cap, a long outage
//                       would leave a pool that never tries again
// and per call: acquire/use `timeout` and close `timeout` are >= 0 ms
// (Infinity waits for ever). A negative timeout is refused rather than
// read as "already expired": it is a bug in the caller's arithmetic, and
// `0` says "do not wait" plainly.

import {
  checkCount,
  checkFunction,
  checkNonNegativeTime,
  checkOptionalTime,
  checkTime,
  describe,
} from "../../base/validate.ts";

/** The most resources a pool may hold: the longest Array (the idle stack). */
export const MAX_SIZE: number = 2 ** 32 - 1;

/** The callbacks and limits a pool runs with (see `PoolOptions` in pool.ts for the meaning of each). */
export interface PoolSettings<T> {
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  destroy: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  validate: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  reset: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  isBroken: (error: unknown, resource: T) => boolean;
  isAlive: ((resource: T) => boolean) | undefined;
  setup: ((resource: T, signal: AbortSignal) => void) | undefined;
  min: number;
  max: number;
  acquireTimeout: number;
  idleTimeout: number;
  validateAfterIdle: number;
  maxLifetime: number;
  maxLifetimeJitter: number;
  maxUses: number;
  maxShared: number;
  leakTimeout: number;
  cleanupTimeout: number;
  retryDelay: number;
  maxRetryDelay: number;
}

type Defaulted =
  | "min"
  | "acquireTimeout"
  | "idleTimeout"
  | "validateAfterIdle"
  | "maxLifetime"
  | "maxLifetimeJitter"
  | "maxUses"
  | "maxShared"
  | "leakTimeout"
  | "cleanupTimeout"
  | "retryDelay"
  | "maxRetryDelay";

/** The defaults, in milliseconds where they are durations. */
export const DEFAULTS: Readonly<Record<Defaulted, number>> = {
  min: 0,
  acquireTimeout: 30_000,
  idleTimeout: 30_000,
  validateAfterIdle: 500,
  maxLifetime: Infinity,
  maxLifetimeJitter: 0.1,
  maxUses: Infinity,
  maxShared: 1,
  leakTimeout: Infinity,
  cleanupTimeout: 5_000,
  retryDelay: 20,
  maxRetryDelay: 2_000,
};

const KNOWN: ReadonlySet<string> = new Set([
  "create",
  "destroy",
  "validate",
  "reset",
  "isBroken",
  "isAlive",
  "setup",
  "max",
  ...Object.keys(DEFAULTS),
]);

const WHAT = "create pool";

function alwaysBroken(): boolean {
  return true;
}

function optionalFunction(options: Record<string, unknown>, name: string): void {
  const value = options[name];
  if (value !== undefined) checkFunction(WHAT, name, value);
}

function time(options: Record<string, unknown>, name: keyof typeof DEFAULTS): number {
  const value = options[name];
  return value === undefined ? DEFAULTS[name] : checkNonNegativeTime(WHAT, name, value);
}

/** A duration that must be finite (and > 0 when `positive`); `why` says what the bound protects. */
function finiteTime(
  options: Record<string, unknown>,
  name: keyof typeof DEFAULTS,
  positive: boolean,
  why: string,
): number {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  const ms = checkTime(WHAT, name, value);
  if (!(positive ? ms > 0 : ms >= 0) || ms === Infinity) {
    throw new RangeError(
      `Cannot ${WHAT} as '${name}' must be ${positive ? "> 0" : ">= 0"} and finite (${why}): received ${ms}`,
    );
  }
  return ms;
}

/**
 * A per-call timeout (acquire, use, close): `undefined`, or >= 0 ms
 * (`Infinity` waits for ever). `zero` says what 0 does, for the message.
 */
export function checkTimeout(what: string, value: unknown, zero: string): number | undefined {
  const ms = checkOptionalTime(what, "timeout", value);
  if (ms !== undefined && ms < 0) {
    throw new RangeError(`Cannot ${what} as 'timeout' must be >= 0 (${zero}): received ${ms}`);
  }
  return ms;
}

/**
 * Checks `options` and fills in the defaults. Throws `TypeError` for a wrong
 * type or an unknown option (a typo such as `acquireTimeoutMillis` would
 * otherwise be ignored silently) and `RangeError` for a value out of range;
 * every message names the option and the value.
 */
export function resolvePoolOptions<T>(options: unknown): PoolSettings<T> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${WHAT} as 'options' must be an object: received ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(`Cannot ${WHAT} as '${key}' is not a pool option: received ${describe(o[key])}`);
    }
  }
  checkFunction(WHAT, "create", o.create);
  optionalFunction(o, "destroy");
  optionalFunction(o, "validate");
  optionalFunction(o, "reset");
  optionalFunction(o, "isBroken");
  optionalFunction(o, "isAlive");
  optionalFunction(o, "setup");
  if (o.max === undefined) {
    throw new TypeError(`Cannot ${WHAT} as 'max' must be a positive integer: received undefined`);
  }
  if (typeof o.max === "number" && o.max > MAX_SIZE) {
    throw new RangeError(
      `Cannot ${WHAT} as 'max' must be an integer between 1 and ${MAX_SIZE} (a pool has no unlimited mode: ` +
        `give the most resources you can afford): received ${o.max}`,
    );
  }
  const max = checkCount(WHAT, "max", o.max, 1);
  const min = o.min === undefined ? 0 : checkCount(WHAT, "min", o.min, 0);
  if (min > max) {
    throw new RangeError(`Cannot ${WHAT} as 'min' must be <= 'max' (${max}): received ${min}`);
  }
  let maxLifetime = DEFAULTS.maxLifetime;
  if (o.maxLifetime !== undefined) {
    maxLifetime = checkTime(WHAT, "maxLifetime", o.maxLifetime);
    if (maxLifetime <= 0) {
      throw new RangeError(`Cannot ${WHAT} as 'maxLifetime' must be > 0: received ${maxLifetime}`);
    }
  }
  let jitter = DEFAULTS.maxLifetimeJitter;
  if (o.maxLifetimeJitter !== undefined) {
    jitter = o.maxLifetimeJitter as number;
    const rule = "must be a number between 0 and 1";
    if (typeof jitter !== "number") {
      throw new TypeError(`Cannot ${WHAT} as 'maxLifetimeJitter' ${rule}: received ${describe(jitter)}`);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new RangeError(`Cannot ${WHAT} as 'maxLifetimeJitter' ${rule}: received ${jitter}`);
    }
  }
  const maxUses = o.maxUses === undefined ? Infinity : checkCount(WHAT, "maxUses", o.maxUses, 1, true);
  const maxShared = o.maxShared === undefined ? DEFAULTS.maxShared : checkCount(WHAT, "maxShared", o.maxShared, 1);
  const retryDelay = finiteTime(o, "retryDelay", true, "0 would retry a failing create in a busy loop");
  const maxRetryDelay = finiteTime(
    o,
    "maxRetryDelay",
    false,
    "without a cap, a long outage would stop the retries for good",
  );
  if (maxRetryDelay < retryDelay) {
    throw new RangeError(
      `Cannot ${WHAT} as 'maxRetryDelay' must be >= 'retryDelay' (${retryDelay}): received ${maxRetryDelay}`,
    );
  }
  return {
    create: o.create as PoolSettings<T>["create"],
    destroy: o.destroy as PoolSettings<T>["destroy"],
    validate: o.validate as PoolSettings<T>["validate"],
    reset: o.reset as PoolSettings<T>["reset"],
    isBroken: (o.isBroken as PoolSettings<T>["isBroken"] | undefined) ?? alwaysBroken,
    isAlive: o.isAlive as PoolSettings<T>["isAlive"],
    setup: o.setup as PoolSettings<T>["setup"],
    min,
    max,
    acquireTimeout: time(o, "acquireTimeout"),
    idleTimeout: time(o, "idleTimeout"),
    validateAfterIdle: time(o, "validateAfterIdle"),
    maxLifetime,
    maxLifetimeJitter: jitter,
    maxUses,
    maxShared,
    leakTimeout: time(o, "leakTimeout"),
    cleanupTimeout: finiteTime(o, "cleanupTimeout", false, "cleanup is always bounded: give the longest you can wait"),
    retryDelay,
    maxRetryDelay,
  };
}
