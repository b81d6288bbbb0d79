/**
 * Connection options shared by `connect()` and `createPostgresPool()`.
 *
 * @module
 */

import type postgres from "postgres";
import { userInfo } from "node:os";
import { describeValue as describe } from "@corral/core";
import type { AddressSource } from "./errors.ts";

/** The server a connection goes to when neither `url` nor `DATABASE_URL` says otherwise. */
export const DEFAULT_URL = "postgres://127.0.0.1:5432/test";

/**
 * Options for the `postgres` package (postgres.js) behind each connection,
 * as its `postgres(url, options)` takes them.
 */
export type PostgresOptions = postgres.Options<Record<string, postgres.PostgresType>>;

/** Options for one PostgreSQL connection. */
export interface ConnectionOptions {
  /** A `postgres://` URL. Default: the `DATABASE_URL` environment variable, else {@linkcode DEFAULT_URL}. */
  url?: string;
  /**
   * Options for the `postgres` package (`ssl`, `types`, `transform`,
   * `connect_timeout`, `connection`, `onnotice`, …). corral owns `max` (1),
   * `idle_timeout`, `max_lifetime` (the pool's), `onclose` and `onnotify`:
   * giving one of those throws a `TypeError` that names corral's own.
   */
  postgres?: PostgresOptions;
  /**
   * How long a cancelled query may take to stop after the cancel request
   * before its connection is terminated, in ms (0 to 2^31 − 1). Default: 2000.
   */
  cancelGrace?: number;
  /**
   * How long a reset or a liveness check may take before the connection is
   * terminated, in ms (0 to 2^31 − 1). Default: 5000.
   */
  resetTimeout?: number;
  /**
   * When a released connection's session is reset: `"auto"` (default) when
   * one of its queries may have changed session state (a transaction,
   * `SET`, `LISTEN`, a cursor, an advisory lock, a temporary table) or was
   * cancelled; `"always"` on every release (one more round trip per lease).
   */
  sessionReset?: "auto" | "always";
  /**
   * Put each query's statement text (`$1`… for its parameters, never their
   * values) in the `corral:postgres:query` tracing channel's context as
   * `statement`. Default: false (statements may hold what should not leave
   * the process).
   */
  traceStatements?: boolean;
}

/** Every name {@linkcode ConnectionOptions} has (a record, so the compiler insists on each, and only those). */
const CONNECTION_NAMES: Record<keyof ConnectionOptions, true> = {
  url: true,
  postgres: true,
  cancelGrace: true,
  resetTimeout: true,
  sessionReset: true,
  traceStatements: true,
};

/** The option names {@linkcode ConnectionOptions} has. */
export const CONNECTION_KEYS: readonly string[] = Object.keys(CONNECTION_NAMES);

/** Options after validation and defaults. */
export interface ResolvedConnectionOptions {
  url: string;
  /** Where `url` came from, for a `ConnectError`'s message. */
  from: AddressSource;
  postgres: PostgresOptions;
  cancelGrace: number;
  resetTimeout: number;
  sessionReset: "auto" | "always";
  traceStatements: boolean;
  /**
   * The driver's parsed options of the first connection that came up, with
   * the array types it fetched: later connections reuse them instead of
   * fetching again (see openConnection).
   */
  cache: { parsed: object | undefined };
}

function env(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name] || undefined;
  } catch {
    // Deno without --allow-env: no environment, use the defaults.
    return undefined;
  }
}

/**
 * The user when neither the URL, the options nor PGUSER name one: the OS
 * user, as libpq does. Bun reports "unknown" for it; then the conventional
 * "postgres".
 */
function defaultUser(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = undefined;
  }
  if (name && name !== "unknown") return name;
  return env("USER") ?? env("LOGNAME") ?? "postgres";
}

function withUser(
  url: string,
  driver: PostgresOptions,
): PostgresOptions {
  if (driver.user || driver.username || env("PGUSER") || env("PGUSERNAME")) return driver;
  try {
    if (new URL(url).username) return driver;
  } catch {
    return driver; // multi-host URLs: the driver parses them
  }
  return { ...driver, user: defaultUser() };
}

/** The longest delay a host timer takes (2^31 − 1 ms, ~24.8 days): a longer one fires at once. */
export const MAX_TIMER: number = 2 ** 31 - 1;

/** A duration that arms a host timer: a finite number of milliseconds from 0 to {@linkcode MAX_TIMER}. */
export function checkTimer(what: string, name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${what} as '${name}' must be a number of milliseconds: received ${describe(value)}`);
  }
  if (!(value >= 0 && value <= MAX_TIMER)) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be a number of milliseconds from 0 to ${MAX_TIMER}: received ${
        describe(value)
      }`,
    );
  }
  return value;
}

function time(what: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkTimer(what, name, value);
}

/**
 * The `postgres` package's own durations (in seconds) that corral passes
 * through: 0, `null` or `false` turn them off; a negative one would fire at
 * once, one past a host timer's range likewise.
 */
const DRIVER_SECONDS = ["connect_timeout", "keep_alive"] as const;

/**
 * The `postgres` package's options corral sets on every connection, each
 * with where its meaning lives in corral. Passed through, they would be
 * overridden without a word.
 */
const OWNED: Readonly<Record<string, string>> = {
  max: "each connection is one postgres session, opened with max: 1: use the pool's 'max'",
  idle_timeout: "the pool closes idle connections: use the pool's 'idleTimeout' (in ms)",
  max_lifetime: "the pool retires old connections: use the pool's 'maxLifetime' (in ms)",
  onnotify: "notifications go to listen()",
  onclose: "it watches for a lost connection: read conn.lost or conn.broken, no 'close' event to hook",
};

function checkDriverOptions(what: string, driver: Record<string, unknown>): void {
  const set = Object.keys(OWNED).filter((name) => driver[name] !== undefined);
  if (set.length > 0) {
    const each = set.map((name) =>
      `'postgres.${name}' is set by corral, ${OWNED[name]}, received ${describe(driver[name])}`
    );
    throw new TypeError(`Cannot ${what} as ${each.join("; ")}`);
  }
  const max = Math.floor(MAX_TIMER / 1000);
  for (const name of DRIVER_SECONDS) {
    const value = driver[name];
    if (value === undefined || value === null || value === false) continue;
    if (typeof value !== "number") {
      throw new TypeError(
        `Cannot ${what} as 'postgres.${name}' must be a number of seconds or null: received ${describe(value)}`,
      );
    }
    if (!(value >= 0 && value <= max)) {
      throw new RangeError(
        `Cannot ${what} as 'postgres.${name}' must be a number of seconds from 0 to ${max}: received ${
          describe(value)
        }`,
      );
    }
  }
}

/**
 * Validates connection options and fills in the defaults.
 *
 * @throws {TypeError} / {RangeError} naming the bad option and its value
 */
export function resolveConnectionOptions(
  what: string,
  options: ConnectionOptions | undefined,
): ResolvedConnectionOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describe(options)}`);
  }
  const from: AddressSource = options?.url !== undefined ? "url" : env("DATABASE_URL") ? "DATABASE_URL" : "default";
  const url = options?.url ?? env("DATABASE_URL") ?? DEFAULT_URL;
  if (typeof url !== "string" || !/^postgres(?:ql)?:\/\//.test(url)) {
    throw new TypeError(`Cannot ${what} as 'url' must be a postgres:// URL: received ${describe(url)}`);
  }
  const driver = options?.postgres ?? {};
  if (typeof driver !== "object" || driver === null) {
    throw new TypeError(`Cannot ${what} as 'postgres' must be an object: received ${describe(driver)}`);
  }
  checkDriverOptions(what, driver as Record<string, unknown>);
  const sessionReset = options?.sessionReset ?? "auto";
  if (sessionReset !== "auto" && sessionReset !== "always") {
    throw new TypeError(
      `Cannot ${what} as 'sessionReset' must be "auto" or "always": received ${describe(sessionReset)}`,
    );
  }
  const traceStatements = options?.traceStatements ?? false;
  if (typeof traceStatements !== "boolean") {
    throw new TypeError(
      `Cannot ${what} as 'traceStatements' must be a boolean: received ${describe(traceStatements)}`,
    );
  }
  return {
    url,
    from,
    traceStatements,
    postgres: withUser(url, driver),
    cancelGrace: time(what, "cancelGrace", options?.cancelGrace, 2000),
    resetTimeout: time(what, "resetTimeout", options?.resetTimeout, 5000),
    sessionReset,
    cache: { parsed: undefined },
  };
}
