/**
 * A counting semaphore in Redis, shared by every process that uses the same
 * name on the same server: at most `limit` permits are held at once, across
 * all of them. Permits are leases: each expires `ttl` ms after its last
 * renewal, and the holder renews it in the background, so a process that
 * crashes while holding one frees its slot within `ttl`.
 *
 * @module
 */

import {
  abortable,
  abortReasonOf,
  CancelScope,
  checkOptionNames,
  clearCountedTimeout,
  type CountedTimeout,
  countedTimeout,
  sleep,
  TimeoutError,
} from "@corral/core";
import { ErrorReply } from "redis";
import type { RedisClient } from "./connection.ts";
import {
  checkInt,
  checkMs,
  checkOptions,
  checkSignal,
  checkString,
  checkTimerMs,
  MAX_TIMER,
  resolveUrl,
} from "./internal/check.ts";
import { ACQUIRE, COUNT } from "./internal/scripts.ts";
import { LazyClient } from "./internal/lazy-client.ts";
import { Renewer } from "./internal/renewer.ts";
import type { Permit } from "./permit.ts";
import type { SemaphoreAcquireOptions, SemaphoreOptions } from "./types.ts";

const WHAT = "create semaphore";

/** Every name {@linkcode SemaphoreOptions} has (a record, so the compiler insists on each, and only those). */
const OPTION_NAMES: Record<keyof SemaphoreOptions, true> = {
  name: true,
  limit: true,
  url: true,
  client: true,
  connectTimeout: true,
  ttl: true,
  renewInterval: true,
  pollInterval: true,
  maxPollInterval: true,
  prefix: true,
};
const OPTION_KEYS: readonly string[] = Object.keys(OPTION_NAMES);
const ACQUIRE_NAMES: Record<keyof SemaphoreAcquireOptions, true> = { signal: true, timeout: true };
const ACQUIRE_KEYS: readonly string[] = Object.keys(ACQUIRE_NAMES);

/**
 * A Redis-backed counting semaphore. Create it with
 * {@linkcode createSemaphore}; close it when done (held permits are
 * released, waiting acquires reject).
 *
 * @example Two slots, a third caller waits
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimeoutError } from "@corral/core";
 * import { createSemaphore } from "@corral/redis";
 * await using sem = createSemaphore({ name: `example:${crypto.randomUUID()}`, limit: 2 });
 * const a = await sem.acquire();
 * const b = await sem.acquire();
 * const error = await sem.acquire({ timeout: 50 }).catch((e) => e);
 * assert(error instanceof TimeoutError);
 * await a.release();
 * await b.release();
 * ```
 */
export class RedisSemaphore implements AsyncDisposable {
  /** The semaphore's name. */
  readonly name: string;
  /** The most permits held at once across every process. */
  readonly limit: number;
  /** Milliseconds a permit survives without renewal. */
  readonly ttl: number;
  /** The Redis key of the holders' sorted set. */
  readonly key: string;
  #client: LazyClient;
  /** How long close() waits for the server before it destroys its client (the connect timeout). */
  readonly #closeGrace: number;
  #poll: number;
  #maxPoll: number;
  #renewer: Renewer;
  #waiters = new Set<CancelScope>();
  #attempts = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  /** @internal Use {@linkcode createSemaphore}. */
  constructor(options: SemaphoreOptions) {
    checkOptions(WHAT, options);
    if (options !== undefined) checkOptionNames(WHAT, options, OPTION_KEYS);
    this.name = checkString(WHAT, "name", options?.name);
    this.limit = checkInt(WHAT, "limit", options.limit, 1);
    this.ttl = checkMs(WHAT, "ttl", options.ttl ?? 10_000, 10);
    // The renewal timer is a host timer: a default past its range is clamped, an explicit one refused.
    const renew = checkTimerMs(WHAT, "renewInterval", options.renewInterval ?? Math.min(this.ttl / 3, MAX_TIMER), 1);
    if (renew >= this.ttl) {
      throw new RangeError(`Cannot ${WHAT} as 'renewInterval' must be below 'ttl' (${this.ttl}): received ${renew}`);
    }
    this.#poll = checkMs(WHAT, "pollInterval", options.pollInterval ?? 10, 1);
    this.#maxPoll = checkMs(WHAT, "maxPollInterval", options.maxPollInterval ?? 500, this.#poll);
    const prefix = options.prefix ?? "corral:semaphore:";
    if (typeof prefix !== "string") throw new TypeError(`Cannot ${WHAT} as 'prefix' must be a string`);
    this.key = prefix + this.name;
    const url = resolveUrl(WHAT, options.url);
    if (options.client !== undefined && typeof options.client?.eval !== "function") {
      throw new TypeError(`Cannot ${WHAT} as 'client' must be a redis client`);
    }
    const connectTimeout = checkTimerMs(WHAT, "connectTimeout", options.connectTimeout ?? 10_000, 1);
    this.#client = new LazyClient(url, options.client, connectTimeout);
    this.#closeGrace = connectTimeout;
    this.#renewer = new Renewer(this, renew, () => this.#client.get());
  }

  /** How many permits this object holds right now. */
  get held(): number {
    return this.#renewer.size;
  }

  #connect(): Promise<RedisClient> {
    return this.#closing ? Promise.reject(this.#closedError()) : this.#client.get();
  }

  #closedError(): Error {
    return new Error(`Cannot acquire as the semaphore "${this.name}" is closed`);
  }

  /** One atomic attempt; a reply that arrives after `signal` aborted is given back. */
  async #attempt(signal: AbortSignal | undefined): Promise<Permit | undefined> {
    if (this.#closing) throw this.#closedError();
    const id = crypto.randomUUID();
    const sent = performance.now();
    const reply = this.#connect().then((client) =>
      client.eval(ACQUIRE, { keys: [this.key], arguments: [id, String(this.limit), String(this.ttl)] })
    );
    this.#attempts.add(reply);
    let granted: unknown;
    try {
      granted = await abortable(reply, { signal });
    } catch (error) {
      reply.then((late) => {
        if (late === 1) void this.#renewer.forgetId(id);
      }, () => {});
      throw error;
    } finally {
      reply.then(() => this.#attempts.delete(reply), () => this.#attempts.delete(reply));
    }
    if (granted !== 1) return undefined;
    if (this.#closing) {
      await this.#renewer.forgetId(id);
      throw this.#closedError();
    }
    return this.#renewer.add(id, sent + this.ttl);
  }

  /**
   * Takes a permit if one is free right now.
   *
   * @returns the permit, or `undefined` when all `limit` are held
   * @throws the connection error when Redis cannot be reached
   */
  tryAcquire(): Promise<Permit | undefined> {
    return this.#attempt(undefined);
  }

  /**
   * Waits for a permit: tries at once, then polls with jittered exponential
   * backoff until one is free, the signal aborts, or `timeout` passes.
   *
   * @param options `signal` and `timeout`
   * @returns the permit (release it, or use `await using`)
   * @throws the signal's reason when aborted; {@linkcode TimeoutError} on timeout;
   * an `Error` when the semaphore is closed meanwhile
   * @example Hold one of 8 cluster-wide slots
   * ```ts
   * import assert from "node:assert/strict";
   * import { createSemaphore } from "@corral/redis";
   * await using sem = createSemaphore({ name: "example:reports", limit: 8 });
   * await using permit = await sem.acquire({ timeout: 5000 });
   * assert(!permit.signal.aborted); // aborts if the lease is ever lost
   * ```
   */
  async acquire(options?: SemaphoreAcquireOptions): Promise<Permit> {
    checkOptions("acquire", options);
    if (options !== undefined) checkOptionNames("acquire", options, ACQUIRE_KEYS);
    const signal = checkSignal("acquire", options?.signal);
    const timeout = options?.timeout === undefined ? Infinity : checkMs("acquire", "timeout", options.timeout, 0, true);
    if (signal?.aborted) throw abortReasonOf(signal);
    // While Redis is unreachable, a waiting acquire keeps trying (the last
    // error becomes the TimeoutError's cause); error replies end it at once.
    let unreachable: unknown;
    const attempt = async (inner: AbortSignal | undefined): Promise<Permit | undefined> => {
      try {
        return await this.#attempt(inner);
      } catch (error) {
        if (error instanceof ErrorReply || this.#closing || inner?.aborted || timeout <= 0) throw error;
        unreachable = error;
        return undefined;
      }
    };
    const first = await attempt(signal);
    if (first) return first;
    if (timeout <= 0) throw new TimeoutError(`Cannot acquire the semaphore "${this.name}": all ${this.limit} are held`);
    using scope = new CancelScope({ signal, timeout });
    this.#waiters.add(scope);
    try {
      const permit = await scope.run(async (inner) => {
        for (let pause = this.#poll;; pause = Math.min(pause * 2, this.#maxPoll)) {
          await sleep(pause * (0.5 + Math.random()), { signal: inner });
          const got = await attempt(inner);
          if (got) return got;
        }
      });
      if (permit) return permit;
      if (this.#closing) throw this.#closedError();
      const cause = unreachable === undefined ? undefined : { cause: unreachable };
      throw new TimeoutError(`Cannot acquire the semaphore "${this.name}" within ${timeout} ms`, cause);
    } catch (error) {
      if (signal?.aborted) throw abortReasonOf(signal);
      throw error;
    } finally {
      this.#waiters.delete(scope);
    }
  }

  /**
   * Counts the live permits held across every process (expired leases are
   * dropped first).
   *
   * @returns how many slots are taken
   */
  async count(): Promise<number> {
    const client = await this.#connect();
    return Number(await client.eval(COUNT, { keys: [this.key] }));
  }

  /**
   * Closes the semaphore: waiting acquires reject, held permits are released
   * (their signals abort), renewal stops, and its own Redis client closes.
   * Bounded: when the server does not answer within `connectTimeout`, the
   * client is destroyed instead.
   * A second call returns the same promise.
   */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    for (const scope of this.#waiters) scope.cancel("the semaphore was closed");
    const polite = (async () => {
      await Promise.allSettled([...this.#attempts]);
      await this.#renewer.close(new Error(`The semaphore "${this.name}" was closed`));
      await this.#client.close();
    })();
    // A server that stopped answering would hold the polite close for ever:
    // past the grace, the client is destroyed (its pending commands reject,
    // and the steps above end).
    let timer: CountedTimeout | undefined;
    const late = new Promise<void>((resolve) => (timer = countedTimeout(resolve, this.#closeGrace)));
    await Promise.race([polite, late]).finally(() => clearCountedTimeout(timer));
    this.#client.destroy();
    await polite.catch(() => {});
  }

  /** Same as {@linkcode RedisSemaphore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Creates a Redis-backed counting semaphore (connecting lazily on first use).
 *
 * @param options the name, the limit, the lease length and where Redis is
 * @returns the semaphore
 * @throws {TypeError} / {RangeError} for bad options, naming the option (every unknown option at once, with
 * the nearest known one)
 * @example Limit a job to 2 concurrent runs across every process
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSemaphore } from "@corral/redis";
 * const sem = createSemaphore({ name: "example:exports", limit: 2, ttl: 10_000 });
 * const permit = await sem.acquire({ signal: AbortSignal.timeout(5000) });
 * try {
 *   assert((await sem.count()) >= 1);
 * } finally {
 *   await permit.release();
 * }
 * await sem.close();
 * ```
 */
export function createSemaphore(options: SemaphoreOptions): RedisSemaphore {
  return new RedisSemaphore(options);
}
