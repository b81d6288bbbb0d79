/**
 * `@corral/redis`: Redis for corral. Dedicated connections for what a
 * multiplexed client cannot share — blocking commands (`BLPOP`, `BLMOVE`,
 * `XREAD BLOCK`) and `WATCH`/`MULTI` transactions — as pooled, cancellable,
 * scoped resources; and a Redis-backed semaphore that makes a pool's `max`
 * hold across every process sharing that Redis.
 *
 * Reach for it when a command holds its connection (a worker waiting for
 * jobs, an optimistic transaction) or when several processes must stay
 * under one limit together. For plain request/response commands, the
 * `redis` package's own multiplexed client is the better tool.
 *
 * - {@linkcode createRedisPool}: a corral `Pool` of {@linkcode RedisConnection}s.
 * - {@linkcode connectRedis}: one dedicated connection.
 * - {@linkcode transaction}: `WATCH` … `MULTI`/`EXEC`, retried on conflict.
 * - {@linkcode createSemaphore} and {@linkcode clusterLimit}: cluster-wide limits.
 *
 * @example A cancellable job loop
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveOnAfter } from "@corral/core";
 * import { createRedisPool } from "@corral/redis";
 * await using pool = createRedisPool({ max: 4 });
 * await moveOnAfter(100, async (signal) => {
 *   for (;;) {
 *     const job = await pool.use((conn, s) => conn.blpop("example:jobs", { signal: s }), { signal });
 *     console.log("got", job?.element);
 *   }
 * });
 * assert(pool.stats.borrowed === 0);
 * ```
 *
 * @module
 */

export { type CancelMode, type RedisClient, RedisConnection } from "./connection.ts";
export { type ConnectOptions, connectRedis } from "./connect.ts";
export { type AddressSource, ConnectError } from "./errors.ts";
export type {
  BlmoveOptions,
  BlockingOptions,
  CallOptions,
  ListSide,
  SemaphoreAcquireOptions,
  SemaphoreOptions,
  StreamEntries,
  StreamOffset,
  XreadOptions,
} from "./types.ts";
export {
  type ConnectionSource,
  type Executable,
  transaction,
  type TransactionBody,
  type TransactionOptions,
} from "./transaction.ts";
export { createSemaphore, RedisSemaphore } from "./semaphore.ts";
export { Permit, PermitLostError } from "./permit.ts";
export { createRedisPool, type RedisPoolOptions } from "./pool.ts";
// The core's pool types, which createRedisPool's signature names, so the
// documentation can link them.
export type {
  AcquireOptions,
  CloseOptions,
  Lease,
  Pool,
  PoolErrorPhase,
  PoolEvent,
  PoolEventListener,
  PoolEventType,
  PoolListenerOptions,
  PoolOptions,
  PoolStats,
  ReadyOptions,
  UseOptions,
} from "@corral/core";
export { clusterLimit, type LimitedLifecycle, type ResourceLifecycle } from "./cluster-limit.ts";
