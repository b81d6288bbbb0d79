/**
 * `createRedisPool`: a corral `Pool` of dedicated Redis connections.
 *
 * @module
 */

import { checkOptionNames, createPool, describeValue as describe, type Pool, type PoolOptions } from "@corral/core";
import type { CancelMode, RedisConnection } from "./connection.ts";
import { connectSettings, open } from "./connect.ts";
import { clusterLimit } from "./cluster-limit.ts";
import { checkInt, checkOptions } from "./internal/check.ts";
import type { RedisSemaphore } from "./semaphore.ts";
import { abortReasonOf, clearCountedTimeout, countedTimeout, onAbort } from "@corral/core";

/**
 * Options for {@linkcode createRedisPool}: where to connect, plus every pool
 * option but the hooks the driver owns (`create`, `destroy`, `validate`,
 * `reset`, `isBroken`, `isAlive`, `setup`).
 */
export interface RedisPoolOptions extends
  Partial<
    Omit<
      PoolOptions<RedisConnection>,
      "create" | "destroy" | "validate" | "reset" | "isBroken" | "isAlive" | "setup" | "maxShared"
    >
  > {
  /** `redis[s]://…`. Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** The database every connection uses (and returns to on release). */
  database?: number;
  /** A `CLIENT SETNAME` label for the pool's connections. */
  name?: string;
  /**
   * Milliseconds to wait for each new connection, handshake included (1 to
   * 2^31 − 1): the pool's create timeout. Default 10 000.
   */
  connectTimeout?: number;
  /** What a cancelled command does to its connection (see {@linkcode CancelMode}). Default `"destroy"`. */
  cancel?: CancelMode;
  /**
   * An idle connection is `PING`ed before it is lent when it sat idle at
   * least this long (ms, an integer >= 0). This pool's name for the pool
   * option `validateAfterIdle` (give either; both only when they agree).
   * Default 500. A connection already known dead is never lent, pinged or
   * not.
   */
  pingAfterIdle?: number;
  /**
   * Makes every connection hold a permit of this semaphore, so `max` holds
   * across every process sharing it (see {@linkcode clusterLimit}).
   */
  semaphore?: RedisSemaphore;
}

const WHAT = "create Redis pool";

/** Every name {@linkcode RedisPoolOptions} has (a record, so the compiler insists on each, and only those). */
const POOL_NAMES: Record<keyof RedisPoolOptions, true> = {
  url: true,
  database: true,
  name: true,
  connectTimeout: true,
  cancel: true,
  pingAfterIdle: true,
  semaphore: true,
  max: true,
  min: true,
  acquireTimeout: true,
  idleTimeout: true,
  validateAfterIdle: true,
  maxLifetime: true,
  maxLifetimeJitter: true,
  maxUses: true,
  leakTimeout: true,
  cleanupTimeout: true,
  retryDelay: true,
  maxRetryDelay: true,
};
const POOL_KEYS: readonly string[] = Object.keys(POOL_NAMES);

/** A connection whose socket failed or closed is never lent (no round trip needed to know). */
function isAlive(conn: RedisConnection): boolean {
  return !conn.broken;
}

/**
 * Ties a lease to its signal (the caller's deadline, explicit or ambient):
 * when it aborts while the lease is out, a command the lease sent outside
 * `call()` (a plain `conn.client` command, an `EXEC`, the release's reset)
 * may be waiting for a reply that never comes, so the connection is
 * destroyed and that command rejects at once. A `call()` in flight ends its
 * own command (`cancel` mode) and is left to it.
 */
function setup(conn: RedisConnection, signal: AbortSignal): void {
  conn.leaseSignal = signal;
  conn.leaseEnd = signal.aborted ? undefined : onAbort(signal, () => {
    // In "unblock" mode a call in flight unblocks its command and keeps the connection.
    if (!conn.busy || conn.unblocker === undefined) conn.destroy(abortReasonOf(signal));
  });
}

function endLease(conn: RedisConnection): void {
  const unlisten = conn.leaseEnd;
  conn.leaseSignal = undefined;
  if (unlisten !== undefined) {
    conn.leaseEnd = undefined;
    unlisten();
  }
}

/** How long a reset may take once the caller's deadline has passed, before the connection is destroyed instead. */
const RESET_AFTER_DEADLINE = 50;

function reset(conn: RedisConnection, signal: AbortSignal): Promise<void> {
  if (conn.busy) {
    endLease(conn);
    throw new Error("A command was still in flight on the Redis connection when it was released");
  }
  if (conn.client.isPubSubActive) {
    endLease(conn);
    throw new Error("The Redis connection was left in subscriber mode");
  }
  // Past the caller's deadline (the lease listener is gone then), the reset
  // gets a short bound of its own instead of the pool's cleanupTimeout.
  const late = conn.leaseSignal?.aborted
    ? countedTimeout(() => conn.destroy(LATE_RESET), RESET_AFTER_DEADLINE)
    : undefined;
  const stop = signal.aborted ? undefined : onAbort(signal, () => conn.destroy(abortReasonOf(signal)));
  // One round trip: both commands are written together. Inside a MULTI left
  // open, UNWATCH would answer QUEUED — then the session is not clean.
  return Promise.all([conn.client.unwatch(), conn.client.select(conn.database)]).then(([unwatched]) => {
    if (unwatched !== "OK") throw new Error(`The Redis connection was left inside MULTI (UNWATCH: ${unwatched})`);
  }).finally(() => {
    endLease(conn);
    stop?.();
    clearCountedTimeout(late);
  });
}

const UNANSWERED_PING = new Error("The Redis connection did not answer PING within connectTimeout");
const LATE_RESET = new Error("The Redis connection's reset did not answer in time after the caller's deadline");

function isBroken(_error: unknown, conn: RedisConnection): boolean {
  return conn.broken || conn.busy;
}

/** `pingAfterIdle`, or the pool's own `validateAfterIdle`: one setting under two names. */
function pingAfter(pingAfterIdle: unknown, validateAfterIdle: unknown): number | undefined {
  if (pingAfterIdle === undefined) return validateAfterIdle as number | undefined;
  const ms = checkInt(WHAT, "pingAfterIdle", pingAfterIdle, 0);
  if (validateAfterIdle !== undefined && validateAfterIdle !== ms) {
    throw new TypeError(
      `Cannot ${WHAT} as 'pingAfterIdle' and 'validateAfterIdle' name one setting and must agree: received ${
        describe(pingAfterIdle)
      } and ${describe(validateAfterIdle)}`,
    );
  }
  return ms;
}

/**
 * Creates a corral `Pool` of dedicated Redis connections, for what a
 * multiplexed client cannot share: blocking commands (`BLPOP`, `BLMOVE`,
 * `XREAD BLOCK`) and `WATCH`/`MULTI` transactions. Each lease's resource is
 * a {@linkcode RedisConnection}. It is a plain `createPool` configuration:
 * every pool option and guarantee holds as documented there.
 *
 * - Cancellation: a blocking call cancelled by its signal ends the command
 *   on the server (the connection is destroyed, or in `cancel: "unblock"`
 *   mode unblocked), so a connection is never lent with a command running.
 * - Broken connections (`CLIENT KILL`, server restart) are noticed through
 *   the socket's events and never lent again (the pool's `isAlive` check,
 *   no round trip), and replaced. One idle longer than `pingAfterIdle` is
 *   `PING`ed before it is lent.
 * - Release resets the session: `UNWATCH` and back to the pool's database;
 *   a connection left in subscriber mode or inside `MULTI` is destroyed.
 * - An error from `use()`'s function destroys the connection only when the
 *   connection is broken or still busy; a Redis error reply does not.
 *
 * @param options where to connect, pool limits, cancellation mode, semaphore
 * @returns the pool (close it, or `await using`)
 * @throws {TypeError} / {RangeError} for bad options, naming the option (every
 * unknown option at once, each with the nearest known one: `max_connections`
 * → `max`, `db` → `database`)
 * @example A worker popping jobs, cancellable
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveOnAfter } from "@corral/core";
 * import { createRedisPool } from "@corral/redis";
 * await using pool = createRedisPool({ max: 4 });
 * // Gives up after 50 ms: the BLPOP ends on the server, the slot is free again.
 * const job = await moveOnAfter(50, (signal) => pool.use((conn, s) => conn.blpop("example:jobs", { signal: s }), { signal }));
 * assert(job === undefined && pool.stats.borrowed === 0);
 * ```
 */
export function createRedisPool(options?: RedisPoolOptions): Pool<RedisConnection> {
  checkOptions(WHAT, options);
  if (options !== undefined) checkOptionNames(WHAT, options, POOL_KEYS, "pool option");
  const { url, database, name, connectTimeout, cancel, pingAfterIdle, semaphore, ...pool } = options ?? {};
  const settings = connectSettings(WHAT, { url, database, name, connectTimeout, cancel });
  const validateAfterIdle = pingAfter(pingAfterIdle, pool.validateAfterIdle);
  if (semaphore !== undefined && typeof semaphore?.acquire !== "function") {
    throw new TypeError(`Cannot ${WHAT} as 'semaphore' must be a RedisSemaphore`);
  }
  const lifecycle = {
    create: (signal: AbortSignal) => open(settings, signal),
    // A polite close waits for the replies still due (a reset the server
    // never answered): when the pool's grace for it passes, the socket is
    // destroyed instead of being left open.
    destroy: (conn: RedisConnection, signal: AbortSignal) => {
      endLease(conn);
      const unlisten = onAbort(signal, () => conn.destroy(new Error("The Redis connection did not close in time")));
      return conn.close().finally(unlisten);
    },
    // A PING that is not answered within connectTimeout (a silent network)
    // ends the connection: the waiter gets another one instead of waiting
    // for the pool's cleanupTimeout.
    async validate(conn: RedisConnection, signal: AbortSignal): Promise<boolean> {
      const timer = countedTimeout(() => conn.destroy(UNANSWERED_PING), settings.connectTimeout);
      try {
        return (await conn.call((client) => client.ping(), { signal })) === "PONG";
      } finally {
        clearCountedTimeout(timer);
      }
    },
    isAlive,
  };
  return createPool<RedisConnection>({
    max: 10,
    ...pool,
    ...(validateAfterIdle === undefined ? {} : { validateAfterIdle }),
    ...(semaphore === undefined ? lifecycle : clusterLimit(semaphore, lifecycle)),
    setup,
    reset,
    isBroken,
  });
}
