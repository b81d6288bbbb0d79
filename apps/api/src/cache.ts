// The cache behind GET /items/:id: Redis when REDIS_URL is set, else a map in
// this process (the embedded default, like the worker's queue).
import type { Pool } from "@corral/core";
import type { RedisConnection } from "@corral/redis";

export interface Cache {
  readonly kind: string;
  /** The cached value, or undefined. Cancellable through the ambient request scope. */
  get(key: string): Promise<string | undefined>;
  /** Caches `value` for `ttl` seconds. */
  set(key: string, value: string, ttl: number): Promise<void>;
}

export function redisCache(pool: Pool<RedisConnection>): Cache {
  return {
    kind: "Redis",
    get: (key) => pool.use(async (conn) => (await conn.client.get(key)) ?? undefined),
    set: (key, value, ttl) =>
      pool.use(async (conn) => {
        await conn.client.set(key, value, { expiration: { type: "EX", value: ttl } });
      }),
  };
}

export function memoryCache(now: () => number = Date.now): Cache {
  const entries = new Map<string, { value: string; until: number }>();
  return {
    kind: "memory",
    get(key) {
      const entry = entries.get(key);
      if (entry !== undefined && entry.until <= now()) entries.delete(key);
      return Promise.resolve(entry !== undefined && entry.until > now() ? entry.value : undefined);
    },
    set(key, value, ttl) {
      entries.set(key, { value, until: now() + ttl * 1000 });
      return Promise.resolve();
    },
  };
}
