// A pool's options, checked once at construction and resolved to plain
// settings with every default filled in, so the hot paths read fields and
// never test for `undefined`.

import { checkCount, checkFunction, checkNonNegativeTime, checkTime, describe } from "./validate.ts";

/** The callbacks and limits a pool runs with (see `PoolOptions` in pool.ts for the meaning of each). */
export interface PoolSettings<T> {
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  destroy: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  validate: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  reset: ((resource: T, signal: AbortSignal) => unknown) | undefined;
  isBroken: (error: unknown, resource: T) => boolean;
  min: number;
  max: number;
  acquireTimeout: number;
  idleTimeout: number;
  validateAfterIdle: number;
  maxLifetime: number;
  maxLifetimeJitter: number;
  maxUses: number;
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
  if (o.max === undefined) {
    throw new TypeError(`Cannot ${WHAT} as 'max' must be a positive integer: received undefined`);
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
    jitter = checkTime(WHAT, "maxLifetimeJitter", o.maxLifetimeJitter);
    if (jitter < 0 || jitter > 1) {
      throw new RangeError(`Cannot ${WHAT} as 'maxLifetimeJitter' must be between 0 and 1: received ${jitter}`);
    }
  }
  const maxUses = o.maxUses === undefined ? Infinity : checkCount(WHAT, "maxUses", o.maxUses, 1, true);
  const retryDelay = time(o, "retryDelay");
  const maxRetryDelay = time(o, "maxRetryDelay");
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
    min,
    max,
    acquireTimeout: time(o, "acquireTimeout"),
    idleTimeout: time(o, "idleTimeout"),
    validateAfterIdle: time(o, "validateAfterIdle"),
    maxLifetime,
    maxLifetimeJitter: jitter,
    maxUses,
    leakTimeout: time(o, "leakTimeout"),
    cleanupTimeout: time(o, "cleanupTimeout"),
    retryDelay,
    maxRetryDelay,
  };
}
