import { describe, expect, test } from "vitest";
import { checkOptionNames } from "./option-names.ts";
import { checkOptionNames as exported } from "../mod.ts";
import { resolvePoolOptions } from "../pool/internal/pool-options.ts";

const create = () => ({});
const message = (options: Record<string, unknown>): string => {
  try {
    resolvePoolOptions({ create, max: 2, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
};

describe("unknown options", () => {
  test("createPool names every unknown option at once, each with its value", () => {
    const text = message({ min_size: 1, max_size: 3, fifo: true });
    expect(text).toBe(
      "Cannot create pool as 3 names are not pool options: 'min_size' (did you mean 'min'?): received 1; " +
        "'max_size' (did you mean 'max'?): received 3; 'fifo': received true",
    );
  });

  test("createPool suggests the corral name for what asyncpg, generic-pool, tarn and pg-pool call it", () => {
    const cases: [string, string][] = [
      ["min_size", "min"], // asyncpg
      ["max_size", "max"],
      ["maxSize", "max"],
      ["max_queries", "maxUses"],
      ["max_inactive_connection_lifetime", "idleTimeout"],
      ["acquireTimeoutMillis", "acquireTimeout"], // generic-pool, tarn
      ["idleTimeoutMillis", "idleTimeout"],
      ["softIdleTimeoutMillis", "idleTimeout"],
      ["destroyTimeoutMillis", "cleanupTimeout"],
      ["evictionRunIntervalMillis", "idleTimeout"],
      ["testOnBorrow", "validate"],
      ["createTimeoutMillis", "acquireTimeout"], // tarn
      ["createRetryIntervalMillis", "retryDelay"],
      ["reapIntervalMillis", "idleTimeout"],
      ["connectionTimeoutMillis", "acquireTimeout"], // pg-pool
      ["maxLifetimeSeconds", "maxLifetime"],
    ];
    for (const [name, fix] of cases) {
      expect(message({ [name]: 1 }), name).toMatch(
        new RegExp(
          `^Cannot create pool as '${name}' is not a pool option \\(did you mean '${fix}'\\?.*\\): received 1$`,
        ),
      );
    }
  });

  test("createPool suggests across case, underscores, a unit suffix and small typos", () => {
    const cases: [string, string][] = [
      ["max_uses", "maxUses"],
      ["MaxUses", "maxUses"],
      ["leakTimeoutMillis", "leakTimeout"],
      ["acquireTimout", "acquireTimeout"],
      ["idelTimeout", "idleTimeout"],
      ["clenupTimeout", "cleanupTimeout"],
      ["maxLifeTime", "maxLifetime"],
    ];
    for (const [name, fix] of cases) {
      expect(message({ [name]: 1 }), name).toContain(`'${name}' is not a pool option (did you mean '${fix}'?)`);
    }
  });

  test("a note says where a foreign option's meaning differs, and nothing is suggested when nothing is near", () => {
    expect(message({ max_inactive_connection_lifetime: 300 })).toContain("in milliseconds, not seconds");
    expect(message({ priorityRange: 3 })).toBe(
      "Cannot create pool as 'priorityRange' is not a pool option: received 3",
    );
  });

  test("checkOptionNames is public, suggests only names the caller knows, and accepts known names", () => {
    expect(exported).toBe(checkOptionNames);
    expect(() => checkOptionNames("connect", { dsn: "x" }, ["url", "signal"])).toThrow(
      "Cannot connect as 'dsn' is not an option (did you mean 'url'?): received \"x\"",
    );
    // tarn's createTimeoutMillis: a driver's connectTimeout when there is one, else the pool's acquireTimeout
    expect(() => checkOptionNames("x", { createTimeoutMillis: 1 }, ["connectTimeout", "acquireTimeout"])).toThrow(
      "(did you mean 'connectTimeout'?",
    );
    expect(() => checkOptionNames("x", { testOnBorrow: true }, ["validateAfterIdle"])).toThrow(
      "(did you mean 'validateAfterIdle'? 0 checks every borrow)",
    );
    expect(() => checkOptionNames("x", { url: "", signal: undefined }, ["url", "signal"])).not.toThrow();
    // Names an object literal inherits are no aliases.
    expect(() => checkOptionNames("x", { constructor: 1, toString: 2 }, ["max"])).toThrow(
      "Cannot x as 2 names are not options: 'constructor': received 1; 'toString': received 2",
    );
  });
});
