/**
 * `@corral/redis`: Redis for corral — dedicated connections for blocking
 * commands and transactions, pooled and cancellable.
 *
 * @module
 */

export { type CancelMode, type RedisClient, RedisConnection } from "./connection.ts";
export { type ConnectOptions, connectRedis } from "./connect.ts";
export type {
  BlmoveOptions,
  BlockingOptions,
  CallOptions,
  ListSide,
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
export { createSemaphore, RedisSemaphore, type SemaphoreAcquireOptions, type SemaphoreOptions } from "./semaphore.ts";
export { Permit, PermitLostError } from "./permit.ts";
