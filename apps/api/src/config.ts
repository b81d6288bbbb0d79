// Configuration from the environment, validated once at start-up. Every
// setting has a default that works on a fresh machine. The shell says how to
// read a variable (process.env, Deno.env, Bun.env); the rules are here.
import type { Shell } from "./shell.ts";

export interface Config {
  /** PostgreSQL URL; undefined → the embedded PGlite server. */
  databaseUrl: string | undefined;
  /** Redis URL; undefined → the cache is an in-process map. */
  redisUrl: string | undefined;
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 in a container). */
  host: string;
  /** Port (0: any free port, printed at start). Default 3000. */
  port: number;
  /** Deadline of every request, ms (504 after it). Default 5,000. */
  requestTimeoutMs: number;
  /** Deadline of the slow report route, ms. Default 30,000. */
  reportTimeoutMs: number;
  /** After SIGTERM: how long requests in flight may run before they are cancelled, ms. Default 10,000. */
  drainMs: number;
  /** After the drain: how long cancelled requests get to settle, ms. Default 2,000. */
  cancelMs: number;
  /** Connections in the PostgreSQL pool (the embedded database always has 1). Default 10. */
  poolMax: number;
  /** Seconds a cached value lives. Default 30. */
  cacheTtl: number;
  /** The name the connections carry (PostgreSQL `application_name`, Redis `CLIENT SETNAME`). Default corral-api. */
  name: string;
}

export function loadConfig(shell: Pick<Shell, "env">): Config {
  /** The variable's value; unset and empty both mean "use the default". */
  const env = (name: string): string | undefined => shell.env(name) || undefined;
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${name} must be an integer >= ${min}: received ${JSON.stringify(raw)}`);
    }
    return value;
  };
  return {
    databaseUrl: env("DATABASE_URL"),
    redisUrl: env("REDIS_URL"),
    host: env("HOST") ?? "127.0.0.1",
    port: int("PORT", 3000),
    requestTimeoutMs: int("REQUEST_TIMEOUT_MS", 5_000, 1),
    reportTimeoutMs: int("REPORT_TIMEOUT_MS", 30_000, 1),
    drainMs: int("DRAIN_MS", 10_000),
    cancelMs: int("CANCEL_MS", 2_000),
    poolMax: int("POOL_MAX", 10, 1),
    cacheTtl: int("CACHE_TTL", 30, 1),
    name: env("APP_NAME") ?? "corral-api",
  };
}

/** `run()`'s grace period: the drain, the cancelled requests settling, and the pools closing (5 s at most). */
export function gracePeriod(config: Config): number {
  return config.drainMs + config.cancelMs + 5_000;
}
