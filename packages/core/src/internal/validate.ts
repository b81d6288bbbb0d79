// Argument checks shared by every public entry point. Messages follow one
// shape: "Cannot <do what> as '<name>' must be <rule>: received <value>".

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "symbol") return value.toString();
  return Object.prototype.toString.call(value);
}

/**
 * A duration or deadline in milliseconds: any number but NaN. `Infinity`
 * means "never"; zero or negative means "already expired".
 */
export function checkTime(what: string, name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a number of milliseconds: received ${describe(value)}`);
  }
  if (value !== value) {
    throw new RangeError(`Cannot ${what} as '${name}' must not be NaN: received NaN`);
  }
  return value;
}

/** An optional duration: `undefined` stays `undefined`. */
export function checkOptionalTime(what: string, name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkTime(what, name, value);
}

/** A non-negative integer count (`Infinity` allowed when `allowInfinity`). */
export function checkCount(what: string, name: string, value: unknown, min = 0, allowInfinity = false): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be an integer: received ${describe(value)}`);
  }
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot ${what} as '${name}' must be an integer >= ${min}: received ${describe(value)}`);
  }
  return value;
}

/** A duration option that must be finite-or-Infinity and >= 0. */
export function checkNonNegativeTime(what: string, name: string, value: unknown): number {
  const ms = checkTime(what, name, value);
  if (ms < 0) throw new RangeError(`Cannot ${what} as '${name}' must be >= 0: received ${ms}`);
  return ms;
}

export function checkFunction(what: string, name: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a function: received ${describe(value)}`);
  }
}

export function checkBoolean(what: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a boolean: received ${describe(value)}`);
  }
}

/** True for a real AbortSignal or anything shaped like one. */
export function isSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function";
}

export function checkSignal(what: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!isSignal(value)) {
    throw new TypeError(`Cannot ${what} as 'signal' must be an AbortSignal: received ${describe(value)}`);
  }
  return value;
}

/** Options bags must be objects when given. */
export function checkOptions(what: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describe(value)}`);
  }
}
