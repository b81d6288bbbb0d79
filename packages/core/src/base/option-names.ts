// Unknown option names: every one reported at once, each with the nearest
// known name — by spelling (case, `_`/`-`, a `Millis`/`Seconds` suffix, a
// typo or two) or by what other pool libraries call it (asyncpg,
// generic-pool, tarn, pg-pool, node-redis, redis-py, postgres.js).

import { describe } from "./validate.ts";

/**
 * What users bring from other libraries, each with the corral names to
 * suggest in order (the first one the entry point knows wins) and, where the
 * meaning shifts, a note. Durations there are often seconds or "millis";
 * corral's are milliseconds, always.
 */
const ALIASES: Readonly<Record<string, readonly [readonly string[], string?]>> = {
  // sizes: asyncpg, generic-pool, pg-pool, mysql, redis-py
  minsize: [["min"]],
  minimum: [["min"]],
  minconnections: [["min"]],
  minidle: [["min"]],
  maxsize: [["max"]],
  maximum: [["max"]],
  size: [["max"]],
  poolsize: [["max"]],
  maxconnections: [["max"]],
  connectionlimit: [["max"]],
  // waits and timeouts: generic-pool, tarn, pg-pool
  acquiretimeoutmillis: [["acquireTimeout"]],
  connectiontimeoutmillis: [["acquireTimeout"], "it bounds the wait for a connection, its opening included"],
  createtimeoutmillis: [
    ["connectTimeout", "acquireTimeout"],
    "corral bounds the wait for a resource, its creation included",
  ],
  destroytimeoutmillis: [["cleanupTimeout"], "it bounds every destroy and reset"],
  idletimeoutmillis: [["idleTimeout"]],
  softidletimeoutmillis: [["idleTimeout"]],
  maxinactiveconnectionlifetime: [["idleTimeout"], "in milliseconds, not seconds"],
  evictionrunintervalmillis: [["idleTimeout"], "idle resources are evicted by their own timers: no sweep to tune"],
  reapintervalmillis: [["idleTimeout"], "idle resources are evicted by their own timers: no sweep to tune"],
  numtestsperevictionrun: [["validateAfterIdle", "pingAfterIdle"]],
  createretryintervalmillis: [["retryDelay"]],
  maxlifetimeseconds: [["maxLifetime"], "in milliseconds, not seconds"],
  maxqueries: [["maxUses"]],
  // checks on borrow
  testonborrow: [["validate", "validateAfterIdle", "pingAfterIdle"], "0 checks every borrow"],
  validateonborrow: [["validate", "validateAfterIdle", "pingAfterIdle"], "0 checks every borrow"],
  healthcheckinterval: [["validateAfterIdle", "pingAfterIdle"]],
  pinginterval: [["pingAfterIdle", "validateAfterIdle"]],
  testonreturn: [["reset"]],
  init: [["setup"]],
  // where to connect
  dsn: [["url"]],
  uri: [["url"]],
  connectionstring: [["url"]],
  host: [["url"]],
  hostname: [["url"]],
  port: [["url"]],
  user: [["url"]],
  username: [["url"]],
  password: [["url"]],
  db: [["database", "url"]],
  database: [["url"]],
  dbname: [["database", "url"]],
  timeout: [["connectTimeout", "acquireTimeout"]],
  sockettimeout: [["connectTimeout"]],
  socketconnecttimeout: [["connectTimeout"]],
  clientname: [["name"]],
  ssl: [["postgres"]],
};

/** Lower case, without `_`/`-` and without a unit suffix (`Millis`, `Ms`, `Seconds`, `Secs`). */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, "").replace(/(?:millis|ms|seconds|secs)$/, "");
}

/** Optimal string alignment distance (a transposition counts one), stopping early past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name to suggest for `name`, and a note when its meaning differs; `undefined` when nothing is near. */
function suggest(name: string, known: readonly string[]): [string, string | undefined] | undefined {
  const key = normalise(name);
  const same = known.find((k) => normalise(k) === key);
  if (same !== undefined) return [same, undefined];
  const bare = name.toLowerCase().replace(/[_\-\s]/g, "");
  const alias = Object.hasOwn(ALIASES, key) ? ALIASES[key] : Object.hasOwn(ALIASES, bare) ? ALIASES[bare] : undefined;
  const target = alias?.[0].find((k) => known.includes(k));
  if (target !== undefined) return [target, alias![1]];
  // A typo: at most one edit per four letters (two at most), on the normalised names.
  const limit = Math.min(2, Math.floor(key.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = distance(key, normalise(k), limit);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best === undefined ? undefined : [best, undefined];
}

/** " (did you mean 'max'?)" for `name`, or "" when no known name is near. */
function hint(name: string, known: readonly string[]): string {
  const near = suggest(name, known);
  return near === undefined ? "" : ` (did you mean '${near[0]}'?${near[1] === undefined ? "" : ` ${near[1]}`})`;
}

/**
 * Refuses an options object with names the entry point does not know —
 * a misspelt or foreign option would otherwise be ignored silently. One
 * `TypeError` names every unknown option with its value and, where one is
 * near, the known option to use instead: the same name in another
 * spelling (`max_uses`, `MaxUses`, `idleTimeoutMillis`), a typo
 * (`acquireTimout`), or the name another library gives it (asyncpg's
 * `min_size`/`max_size`, generic-pool's `testOnBorrow`, tarn's
 * `createTimeoutMillis`, pg-pool's `connectionTimeoutMillis`, …).
 * `createPool` and the drivers' pools and `connect` functions check their
 * options with it; a library that wraps one of them can check its own.
 *
 * @param what what the caller could not do, for the message ("create pool")
 * @param options the options object (only its own enumerable names are read)
 * @param known every name the entry point accepts
 * @param kind what the known names are, for the message (default "option": "'x' is not an option")
 * @throws {TypeError} naming every unknown option, its value and the nearest known one
 * @example A foreign pool option, and two at once
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptionNames } from "@corral/core";
 *
 * const known = ["min", "max", "acquireTimeout"];
 * assert.throws(() => checkOptionNames("create pool", { max_size: 3 }, known, "pool option"), {
 *   name: "TypeError",
 *   message: "Cannot create pool as 'max_size' is not a pool option (did you mean 'max'?): received 3",
 * });
 * assert.throws(
 *   () => checkOptionNames("create pool", { min_size: 1, acquireTimeoutMillis: 500 }, known, "pool option"),
 *   {
 *     message: "Cannot create pool as 2 names are not pool options: 'min_size' (did you mean 'min'?): received 1; " +
 *       "'acquireTimeoutMillis' (did you mean 'acquireTimeout'?): received 500",
 *   },
 * );
 * checkOptionNames("create pool", { max: 3 }, known); // all known: nothing thrown
 * ```
 */
export function checkOptionNames(what: string, options: object, known: readonly string[], kind = "option"): void {
  let bad: string[] | undefined;
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) (bad ??= []).push(name);
  }
  if (bad === undefined) return;
  const o = options as Record<string, unknown>;
  if (bad.length === 1) {
    const name = bad[0]!;
    const article = /^[aeiou]/i.test(kind) ? "an" : "a";
    throw new TypeError(
      `Cannot ${what} as '${name}' is not ${article} ${kind}${hint(name, known)}: received ${describe(o[name])}`,
    );
  }
  const each = bad.map((name) => `'${name}'${hint(name, known)}: received ${describe(o[name])}`);
  throw new TypeError(`Cannot ${what} as ${bad.length} names are not ${kind}s: ${each.join("; ")}`);
}
